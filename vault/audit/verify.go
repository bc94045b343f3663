package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Entry is one line of the log as Read and Verify give it.
type Entry struct {
	Line
	File     string // FileName or RotatedName
	LineNo   int    // 1-based, in File
	Verified bool   // its mac, or the next authenticated line's, holds
}

// Locked reports whether the line was written while the vault was locked.
func (e Entry) Locked() bool { return !e.Auth }

// Problem is one finding of Verify.
type Problem struct {
	File   string
	LineNo int    // 0: not about one line
	Seq    uint64 // 0: unknown
	What   string
}

func (p Problem) String() string {
	switch {
	case p.LineNo > 0 && p.Seq > 0:
		return fmt.Sprintf("%s line %d (seq %d): %s", p.File, p.LineNo, p.Seq, p.What)
	case p.LineNo > 0:
		return fmt.Sprintf("%s line %d: %s", p.File, p.LineNo, p.What)
	case p.File != "":
		return p.File + ": " + p.What
	}
	return p.What
}

// Report is what Verify found. The log is intact when Problems is empty.
type Report struct {
	Entries  []Entry   // every line that parses, oldest first
	Problems []Problem // the first is the first line altered, removed, reordered or cut
	Pending  int       // lines written while locked that no authenticated line covers yet
}

// Read reads both files of the log without checking macs (key nil) or
// checking them (Verify). Damage is reported in Problems either way.
func Read(dir string) (Report, error) { return verify(dir, nil, nil) }

// Verify checks the whole log under key against the anchor (nil: none was
// found, which is itself a problem once the log holds an authenticated
// line).
func Verify(dir string, key []byte, anchor *Anchor) (Report, error) {
	if len(key) != KeySize {
		return Report{}, fmt.Errorf("audit key: %d bytes, want %d", len(key), KeySize)
	}
	return verify(dir, key, anchor)
}

type segment struct {
	name string
	data []byte
}

func verify(dir string, key []byte, anchor *Anchor) (Report, error) {
	var r Report
	var segs []segment
	for _, name := range []string{RotatedName, FileName} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return r, err
		}
		segs = append(segs, segment{name, b})
	}
	lines := 0
	for _, s := range segs {
		lines += bytes.Count(s.data, []byte{'\n'})
	}
	r.Entries = make([]Entry, 0, lines)
	problem := func(file string, n int, seq uint64, format string, a ...any) {
		r.Problems = append(r.Problems, Problem{file, n, seq, fmt.Sprintf(format, a...)})
	}
	anchorOK := false
	anchorFile := AnchorName
	if anchor != nil && anchor.From != "" {
		anchorFile = anchor.From
	}
	if key != nil && anchor != nil {
		if anchor.Valid(key) {
			anchorOK = true
		} else {
			problem(anchorFile, 0, 0, "the audit anchor was altered or damaged (its mac does not hold)")
		}
	}
	var base Mark
	hasOld := len(segs) > 0 && segs[0].name == RotatedName
	if anchorOK {
		base = anchor.LogBase
		if hasOld {
			base = anchor.OldBase
		} else if anchor.LogBase.Seq > 0 {
			problem(RotatedName, 0, 0, "was deleted (the log was rotated after seq %d)", anchor.LogBase.Seq)
		}
	}
	prev := base.bytes()
	var h hash.Hash
	if key != nil {
		h = hmac.New(sha256.New, key)
	}
	var pending []int // indexes into r.Entries
	lastSeq := base.Seq
	first := true
	broken := false
	lastAuth := -1
	for _, s := range segs {
		data := s.data
		n := 0
		for len(data) > 0 {
			n++
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				problem(s.name, n, 0, "the line was cut (it has no end)")
				broken, pending = true, nil
				break
			}
			raw := data[:i]
			data = data[i+1:]
			ln, err := ParseLine(raw)
			if err != nil {
				problem(s.name, n, 0, "damaged: not a log line as wardkey writes it")
				broken, pending = true, nil
				continue
			}
			e := Entry{Line: ln, File: s.name, LineNo: n}
			restart := ln.Event == LogRestarted && ln.Auth
			switch {
			case restart:
				problem(s.name, n, ln.Seq, "a fresh chain starts here: the log before it was damaged")
				prev, pending, broken = make([]byte, len(prev)), nil, false
			case first && !anchorOK && ln.Seq != 1:
				problem(s.name, n, ln.Seq, "the log begins at seq %d: the lines before it are missing", ln.Seq)
			case !broken && !(first && !anchorOK) && ln.Seq != lastSeq+1:
				if ln.Seq <= lastSeq {
					problem(s.name, n, ln.Seq, "comes after seq %d: lines were reordered or repeated", lastSeq)
				} else if ln.Seq == lastSeq+2 {
					problem(s.name, n, ln.Seq, "comes after seq %d: the line seq %d was removed", lastSeq, lastSeq+1)
				} else {
					problem(s.name, n, ln.Seq, "comes after seq %d: the lines seq %d to %d were removed", lastSeq, lastSeq+1, ln.Seq-1)
				}
			}
			if ln.Event == AnchorLost && ln.Auth {
				problem(s.name, n, ln.Seq, "the log's anchor (%s) was missing or damaged when this line was written: lines at the end of the log before it may have been removed", AnchorName)
			}
			first = false
			lastSeq = ln.Seq
			r.Entries = append(r.Entries, e)
			idx := len(r.Entries) - 1
			if !ln.Auth {
				pending = append(pending, idx)
				continue
			}
			lastAuth = idx
			if key == nil || broken {
				prev, pending, broken = ln.MAC, nil, false
				continue
			}
			raws := make([][]byte, len(pending))
			for j, p := range pending {
				raws[j] = r.Entries[p].Raw
			}
			at := macAt(ln.Raw)
			if want := chainWith(h, prev, raws, ln.Raw[:at]); hmac.Equal(want, ln.MAC) {
				for _, p := range pending {
					r.Entries[p].Verified = true
				}
				r.Entries[idx].Verified = true
			} else if len(pending) > 0 {
				first := r.Entries[pending[0]]
				problem(s.name, n, ln.Seq, "its mac does not hold: this line, a line written while locked since seq %d, or a line before them was altered, removed or reordered", first.Seq)
			} else {
				problem(s.name, n, ln.Seq, "its mac does not hold: this line was altered, or a line before it removed or reordered")
			}
			prev, pending = ln.MAC, nil
		}
	}
	r.Pending = len(pending)
	if anchorOK && anchor.Last.Seq > 0 {
		switch {
		case len(r.Entries) == 0:
			problem(FileName, 0, 0, "the audit log was deleted: seq %d was written (%s says so)", anchor.Last.Seq, anchor.where())
		case lastAuth < 0 || r.Entries[lastAuth].Seq < anchor.Last.Seq:
			got := uint64(0)
			if lastAuth >= 0 {
				got = r.Entries[lastAuth].Seq
			}
			problem(FileName, 0, 0, "the log was cut: its last authenticated line is seq %d, but seq %d was written (%s says so)", got, anchor.Last.Seq, anchor.where())
		default:
			found := false
			for i := lastAuth; i >= 0; i-- {
				if e := r.Entries[i]; e.Auth && e.Seq == anchor.Last.Seq {
					found = hex.EncodeToString(e.MAC) == anchor.Last.MAC
					break
				}
			}
			switch {
			case !found:
				problem(FileName, 0, anchor.Last.Seq, "the line seq %d is not the one written (%s says otherwise)", anchor.Last.Seq, anchor.where())
			case anchor.OtherBad && r.Entries[lastAuth].Seq == anchor.Last.Seq:
				// A crash that cut the newer copy left the log past the
				// older one: its lines were on disk first.
				problem(anchorFile, 0, 0, "one of its two copies is damaged and the log ends at the other's line, seq %d: the lines written after it may have been cut", anchor.Last.Seq)
			}
		}
	} else if key != nil && anchor == nil && lastAuth >= 0 {
		problem(AnchorName, 0, 0, "is missing, and local.json has no audit anchor either: a cut tail or a deleted log would not show")
	}
	return r, nil
}

// FailedSinceUnlock counts the unlock_failed lines after the last unlock
// line, and gives the time of the last one, reading the log backwards.
func FailedSinceUnlock(dir string) (int, time.Time, error) {
	f, err := os.Open(filepath.Join(dir, FileName))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, err
	}
	defer f.Close()
	n := 0
	var last time.Time
	err = scanBack(f, func(l Line) bool {
		switch l.Event {
		case Unlock:
			return false
		case UnlockFailed:
			if n == 0 {
				last = l.Time
			}
			n++
		}
		return true
	})
	return n, last, err
}

// scanBack calls fn with each line that parses, from the last one back,
// until fn returns false or the file begins.
func scanBack(f *os.File, fn func(Line) bool) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	off := st.Size()
	var carry []byte // the start of a line that began before this chunk
	const chunk = 32 << 10
	for off > 0 {
		n := min(int64(chunk), off)
		off -= n
		b := make([]byte, n, int(n)+len(carry))
		if _, err := f.ReadAt(b, off); err != nil {
			return err
		}
		b = append(b, carry...)
		end := len(b)
		for {
			i := bytes.LastIndexByte(b[:end], '\n')
			if i < 0 {
				if off == 0 {
					if l, err := ParseLine(b[:end]); err == nil && !fn(l) {
						return nil
					}
					return nil
				}
				carry = bytes.Clone(b[:end])
				break
			}
			if l, err := ParseLine(b[i+1 : end]); err == nil && !fn(l) {
				return nil
			}
			end = i
		}
	}
	return nil
}
