package audit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/wardkey/wardkey/vault/atomicfile"
)

// AnchorName is the file AnchorFile keeps the anchor in, beside the log.
const AnchorName = "audit.anchor"

// The anchor file: two slots of slotSize bytes, each one line of text
// padded with newlines. Slot gen%2 holds the anchor of that generation.
const (
	slotSize     = 512 // within one disk sector: a crash leaves it old or new
	anchorSize   = 2 * slotSize
	recordPrefix = "wardkey-audit-anchor-2"
)

// AnchorFile keeps the anchor in Dir/audit.anchor (0600): two fixed-size
// slots written in turn, generation g in slot g%2, each sealed under Key
// with its generation (so a copy moved to the other slot does not hold).
//
// Store writes one slot in place and does not fsync it: the log line it
// points at was fsynced before, so a crash can leave the anchor behind
// the log (the slot not written yet, or lost), never ahead; and a slot
// cut by the crash does not read, while the other, untouched, still does.
// Load takes the valid slot of the highest generation. Only when the file
// is made (absent, damaged, or a fresh start: generation 1) is it written
// whole, through a temporary file, fsync and rename, with both slots
// holding the anchor; and when where the chain enters the files moves (a
// rotation) the slot is fsynced, since the rotation cannot be undone.
//
// A slot that does not hold in a file that is there (the crash's cut, or
// someone's hand) sets [Anchor.OtherBad]: the valid slot is then the older
// one, and [Verify] wants the log to go past it. A crash's cut always
// does (the log's lines were on disk before the slot was written); a log
// that ends exactly at the older slot had its last append cut.
type AnchorFile struct {
	Dir string
	Key []byte // the audit key: Load checks each slot under it, Store seals the second copy
}

// Load reads the anchor: ok false when the file is absent; an anchor that
// fails Valid (ok true) when the file is there but no slot holds, or it
// cannot be read (another user's file planted there): never an error,
// which would stop the log's line being written at all.
func (s AnchorFile) Load() (Anchor, bool, error) {
	b, err := readAnchorFile(filepath.Join(s.Dir, AnchorName))
	if errors.Is(err, fs.ErrNotExist) {
		return Anchor{}, false, nil
	}
	a, _ := pickSlot(b, s.Key) // b is nil on another error: no slot holds
	a.From = AnchorName
	return a, true, nil
}

// pickSlot is the valid slot of the highest generation of b, and how
// many slots hold. With none, the anchor is zero (it fails Valid).
func pickSlot(b []byte, key []byte) (Anchor, int) {
	var best Anchor
	good := 0
	for i := range 2 {
		if len(b) < (i+1)*slotSize {
			continue
		}
		a, ok := parseSlot(b[i*slotSize : (i+1)*slotSize])
		if !ok || a.Gen%2 != uint64(i) || !a.Valid(key) {
			continue
		}
		if good++; good == 1 || a.Gen > best.Gen {
			best = a
		}
	}
	if len(b) != anchorSize {
		good = min(good, 1) // a file of another size is damaged, whatever it holds
	}
	best.OtherBad = good == 1
	return best, good
}

// Store writes a (sealed, its Gen at least 1) in its slot.
func (s AnchorFile) Store(a Anchor) error {
	if a.Gen == 0 {
		return errors.New("store the audit anchor: generation 0 is local.json's")
	}
	name := filepath.Join(s.Dir, AnchorName)
	if a.Gen == 1 {
		return s.create(name, a)
	}
	f, err := openRegular(name, os.O_RDWR)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotRegular) {
		return s.create(name, a)
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", AnchorName, err)
	}
	defer f.Close()
	cur := make([]byte, anchorSize+1)
	n, err := f.ReadAt(cur, 0)
	if err != nil && err != io.EOF {
		return fmt.Errorf("read %s: %w", AnchorName, err)
	}
	if n != anchorSize {
		f.Close()
		return s.create(name, a)
	}
	slot := int64(a.Gen%2) * slotSize
	if _, err := f.WriteAt(encodeSlot(a), slot); err != nil {
		return fmt.Errorf("write %s: %w", AnchorName, err)
	}
	// A rotation moved where the chain enters the files: that slot must
	// not be lost, or the anchor would describe files that are gone.
	if other, ok := parseSlot(cur[slotSize-slot : 2*slotSize-slot]); !ok || other.LogBase != a.LogBase || other.OldBase != a.OldBase {
		if err := fsync(f); err != nil {
			return fmt.Errorf("write %s: %w", AnchorName, err)
		}
	}
	return nil
}

// create writes the file whole, both slots holding a (the second as the
// next generation), through a temporary file: it is on disk, in full,
// before the folder names it.
func (s AnchorFile) create(name string, a Anchor) error {
	twin := a
	twin.Gen++
	twin.seal(s.Key)
	b := make([]byte, 0, anchorSize)
	if a.Gen%2 == 0 {
		b = append(append(b, encodeSlot(a)...), encodeSlot(twin)...)
	} else {
		b = append(append(b, encodeSlot(twin)...), encodeSlot(a)...)
	}
	atomicfile.RemoveStale(s.Dir, AnchorName, 0) // under the log's lock: no other writer
	if err := atomicfile.Replace(name, b, ""); err != nil {
		return fmt.Errorf("write %s: %w", AnchorName, err)
	}
	return nil
}

// encodeSlot is a's slot: one line, padded with newlines to slotSize.
func encodeSlot(a Anchor) []byte {
	mac := func(m string) string {
		if m == "" {
			return "-"
		}
		return m
	}
	line := fmt.Sprintf("%s %d %d %s %d %s %d %s %s\n", recordPrefix, a.Gen,
		a.Last.Seq, mac(a.Last.MAC), a.LogBase.Seq, mac(a.LogBase.MAC), a.OldBase.Seq, mac(a.OldBase.MAC), a.Tag)
	b := make([]byte, slotSize)
	copy(b, line)
	for i := len(line); i < slotSize; i++ {
		b[i] = '\n'
	}
	return b
}

// parseSlot reads a slot as encodeSlot writes it, exactly; its tag is
// not checked here.
func parseSlot(b []byte) (Anchor, bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 || len(b) != slotSize || len(bytes.Trim(b[i:], "\n")) != 0 {
		return Anchor{}, false
	}
	f := strings.Split(string(b[:i]), " ")
	if len(f) != 9 || f[0] != recordPrefix {
		return Anchor{}, false
	}
	var nums [4]uint64
	for j, s := range []string{f[1], f[2], f[4], f[6]} {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil || strconv.FormatUint(n, 10) != s {
			return Anchor{}, false
		}
		nums[j] = n
	}
	var macs [4]string
	for j, s := range []string{f[3], f[5], f[7], f[8]} {
		switch {
		case s == "-" && j < 3:
		case isHexMAC(s):
			macs[j] = s
		default:
			return Anchor{}, false
		}
	}
	a := Anchor{
		Gen:     nums[0],
		Last:    Mark{Seq: nums[1], MAC: macs[0]},
		LogBase: Mark{Seq: nums[2], MAC: macs[1]},
		OldBase: Mark{Seq: nums[3], MAC: macs[2]},
		Tag:     macs[3],
	}
	return a, a.Gen > 0
}

// isHexMAC: 64 lower-case hex digits.
func isHexMAC(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// errNotRegular: something other than a regular file sits at the name.
var errNotRegular = errors.New("not a regular file")

// openRegular opens name with flag, refusing anything but a regular file:
// a symlink planted there is not followed, and a FIFO or another file
// swapped in after the Lstat neither blocks the open nor passes the check
// once open.
func openRegular(name string, flag int) (*os.File, error) {
	lst, err := os.Lstat(name)
	if err != nil {
		return nil, err
	}
	if !lst.Mode().IsRegular() {
		return nil, errNotRegular
	}
	f, err := os.OpenFile(name, flag|oNoBlockNoFollow, 0)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || !os.SameFile(lst, st) {
		f.Close()
		return nil, errNotRegular
	}
	return f, nil
}

// readAnchorFile reads the anchor file (a little more than its size, so a
// longer file shows), refusing anything but a regular file.
func readAnchorFile(name string) ([]byte, error) {
	f, err := openRegular(name, os.O_RDONLY)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err != nil {
		return nil, nil // there, and not a file to read: damaged
	}
	defer f.Close()
	b := make([]byte, anchorSize+1)
	n, err := io.ReadFull(f, b)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, err
	}
	return b[:n], nil
}
