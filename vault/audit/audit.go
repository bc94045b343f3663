// Package audit keeps a profile's audit log: one line per event (an
// unlock, a code shown, an account added, a failed passphrase …), chained
// with HMAC-SHA256 under the vault's audit key, so that a line altered,
// removed, reordered or cut off is found by [Verify].
//
// # The file
//
// $WARDKEY_HOME/<profile>/audit.log (0600, appended with O_APPEND),
// rotated past [MaxSize] to audit.log.1 (one kept; the chain carries on
// across the two). One line per event, compact JSON with the keys in this
// order:
//
//	{"seq":7,"time":"2026-11-27T14:02:03.417Z","device":"…","event":"code_shown","account":"3f9c…","detail":{…},"auth":true,"mac":"…"}
//
// seq counts 1, 2, … and is never reused; time is RFC 3339 in UTC with
// milliseconds; account (an account ID, never a name) and detail (an
// object) are left out when there is none. auth is true for a line written
// with the vault open, whose mac is HMAC-SHA256 under the audit key over
//
//   - the previous authenticated line's mac bytes (32 zero bytes before the first),
//   - every line written since that line, whole, each with its newline,
//   - this line's bytes up to `,"mac"`.
//
// Lines written while the vault is locked (unlock_failed, unlock_throttled,
// policy_refused) have auth false and an empty mac: the next authenticated
// line covers them whole.
//
// # The anchor
//
// The log alone cannot show that its tail was cut, or that it was deleted
// whole. Each authenticated append therefore hands an [Anchor] (the last
// authenticated seq and mac, and where the chain enters each file, MACed
// under the audit key) to its [AnchorStore], after the log's fsync:
// wardkey keeps it in audit.anchor ([AnchorFile]: two slots written in
// turn, in place, with no fsync of their own, so that an append costs one
// write and one fsync of the log and a 512-byte write to the page cache).
// A crash can leave the anchor behind the log, never ahead of it.
//
// # Damage
//
// A log whose tail cannot be read (a cut line, garbage) still takes new
// events: the next authenticated append writes a log_restarted line that
// starts a fresh chain, and says so ([Result.Restarted]); Verify reports
// the damage and the restart.
//
// The audit key comes from the vault (32 random bytes in the sealed
// payload): this package takes it as a parameter and knows nothing of
// vaults. Never log a secret, a code, a passphrase or a name.
package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/wardkey/wardkey/vault/internal/flock"
)

// fsync is (*os.File).Sync; the property tests, which write thousands of
// small logs, skip it.
var fsync = (*os.File).Sync

// maxSize is MaxSize; tests lower it.
var maxSize int64 = MaxSize

// File names in a profile directory, and the rotation size.
const (
	FileName    = "audit.log"
	RotatedName = "audit.log.1"
	// LockName is the lock taken around each append (vault.LockNames
	// lists it, so doctor can repair a planted one).
	LockName   = "audit.lock"
	MaxSize    = 10 << 20 // rotate past 10 MB
	maxLine    = 64 << 10 // a longer line is damage
	KeySize    = 32
	timeLayout = "2006-01-02T15:04:05.000Z"
)

// Events. DESIGN lists them; LogRestarted and AnchorLost are the log's own.
const (
	Unlock          = "unlock"
	UnlockFailed    = "unlock_failed"
	UnlockThrottled = "unlock_throttled"
	Lock            = "lock"
	CodeShown       = "code_shown"
	CodeCopied      = "code_copied"
	Add             = "add"
	Edit            = "edit"
	Delete          = "delete"
	Import          = "import"
	Restore         = "restore"
	Export          = "export"
	Sync            = "sync"
	Passwd          = "passwd"
	Recovery        = "recovery"
	Rekey           = "rekey"
	ClockApply      = "clock_apply"
	Config          = "config"
	PolicyRefused   = "policy_refused"
	LogRestarted    = "log_restarted" // a fresh chain after a damaged tail
	// AnchorLost: the log had authenticated lines but no anchor that holds
	// (audit.anchor deleted, damaged, replaced): a new anchor starts from
	// the log as it is, which cannot tell whether its end was cut. The line
	// stays in the chain, so Verify reports it for good; removing it means
	// cutting the log again, which loses the anchor again.
	AnchorLost = "anchor_lost"
)

// Event is one thing to log. Detail must hold no secret, code, passphrase
// or name: counts, kinds, setting keys and values, formats.
type Event struct {
	Event   string
	Account string         // an account ID, or ""
	Detail  map[string]any // nil: no detail
}

// Line is one parsed line of the log.
type Line struct {
	Seq     uint64
	Time    time.Time
	Device  string
	Event   string
	Account string
	Detail  json.RawMessage // nil when absent
	Auth    bool
	MAC     []byte // nil when !Auth

	Raw []byte // the line as stored, without its newline
}

// macAt is where `,"mac":"` starts in an encoded line.
func macAt(raw []byte) int { return bytes.LastIndex(raw, []byte(`,"mac":"`)) }

// appendPrefix encodes a line up to (not including) `,"mac"`.
func appendPrefix(b []byte, seq uint64, t time.Time, device, event, account string, detail []byte, auth bool) []byte {
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, `,"time":"`...)
	b = t.UTC().AppendFormat(b, timeLayout)
	b = append(b, `","device":`...)
	b = appendString(b, device)
	b = append(b, `,"event":`...)
	b = appendString(b, event)
	if account != "" {
		b = append(b, `,"account":`...)
		b = appendString(b, account)
	}
	if detail != nil {
		b = append(b, `,"detail":`...)
		b = append(b, detail...)
	}
	b = append(b, `,"auth":`...)
	b = strconv.AppendBool(b, auth)
	return b
}

// appendString writes a plain string (see plain) in quotes.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendMAC ends a line: `,"mac":"hex"}`.
func appendMAC(b, mac []byte) []byte {
	b = append(b, `,"mac":"`...)
	b = hex.AppendEncode(b, mac)
	return append(b, `"}`...)
}

// ErrMalformed: a line is not a log line as this package writes it.
var ErrMalformed = errors.New("not an audit log line")

// plain reports whether s is a string this log writes as is: printable
// ASCII with nothing JSON escapes. Device IDs, event names and account
// IDs are; anything else is refused on writing, and is damage on reading.
func plain(s []byte) bool {
	for _, c := range s {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// cursor reads a canonical line from the front.
type cursor struct {
	b  []byte
	ok bool
}

func (c *cursor) lit(s string) bool {
	if c.ok && len(c.b) >= len(s) && string(c.b[:len(s)]) == s {
		c.b = c.b[len(s):]
		return true
	}
	return false
}

func (c *cursor) must(s string) {
	if !c.lit(s) {
		c.ok = false
	}
}

// str reads a plain string's contents up to its closing quote.
func (c *cursor) str() []byte {
	if !c.ok {
		return nil
	}
	i := bytes.IndexByte(c.b, '"')
	if i < 0 || !plain(c.b[:i]) {
		c.ok = false
		return nil
	}
	s := c.b[:i]
	c.b = c.b[i+1:]
	return s
}

// object reads a JSON object (its extent only; validity is checked after).
func (c *cursor) object() []byte {
	if !c.ok || len(c.b) == 0 || c.b[0] != '{' {
		c.ok = false
		return nil
	}
	depth, inStr, esc := 0, false, false
	for i, ch := range c.b {
		switch {
		case esc:
			esc = false
		case inStr && ch == '\\':
			esc = true
		case ch == '"':
			inStr = !inStr
		case inStr:
		case ch == '{' || ch == '[':
			depth++
		case ch == '}' || ch == ']':
			depth--
			if depth == 0 {
				o := c.b[:i+1]
				c.b = c.b[i+1:]
				return o
			}
		}
	}
	c.ok = false
	return nil
}

// ParseLine parses one line (without its newline). It accepts only the
// exact bytes this package writes: keys in order, compact, nothing else.
func ParseLine(raw []byte) (Line, error) {
	if len(raw) > maxLine {
		return Line{}, ErrMalformed
	}
	c := cursor{b: raw, ok: true}
	var l Line
	c.must(`{"seq":`)
	n := 0
	for n < len(c.b) && n < 20 && c.b[n] >= '0' && c.b[n] <= '9' {
		n++
	}
	if n == 0 || (n > 1 && c.b[0] == '0') {
		return Line{}, ErrMalformed
	}
	seq, err := strconv.ParseUint(string(c.b[:n]), 10, 64)
	if err != nil {
		return Line{}, ErrMalformed
	}
	l.Seq = seq
	c.b = c.b[n:]
	c.must(`,"time":"`)
	if !c.ok || len(c.b) < len(timeLayout)+1 || c.b[len(timeLayout)] != '"' {
		return Line{}, ErrMalformed
	}
	ts := c.b[:len(timeLayout)]
	if ts[19] != '.' || ts[23] != 'Z' { // time.Parse also takes a comma
		return Line{}, ErrMalformed
	}
	if l.Time, err = time.Parse(timeLayout, string(ts)); err != nil {
		return Line{}, ErrMalformed
	}
	c.b = c.b[len(timeLayout)+1:]
	c.must(`,"device":"`)
	l.Device = string(c.str())
	c.must(`,"event":"`)
	l.Event = string(c.str())
	if c.lit(`,"account":"`) {
		if l.Account = string(c.str()); l.Account == "" {
			return Line{}, ErrMalformed
		}
	}
	if c.lit(`,"detail":`) {
		l.Detail = c.object()
		if !c.ok || !compact(l.Detail) {
			return Line{}, ErrMalformed
		}
	}
	switch {
	case c.lit(`,"auth":true`):
		l.Auth = true
	case c.lit(`,"auth":false`):
	default:
		return Line{}, ErrMalformed
	}
	c.must(`,"mac":"`)
	mac := c.str()
	c.must("}")
	if !c.ok || len(c.b) != 0 || l.Event == "" {
		return Line{}, ErrMalformed
	}
	if l.Auth {
		if len(mac) != 2*sha256.Size {
			return Line{}, ErrMalformed
		}
		l.MAC = make([]byte, sha256.Size)
		if _, err := hex.Decode(l.MAC, mac); err != nil || string(hex.AppendEncode(nil, l.MAC)) != string(mac) {
			return Line{}, ErrMalformed
		}
	} else if len(mac) != 0 {
		return Line{}, ErrMalformed
	}
	l.Raw = raw
	return l, nil
}

func compact(b []byte) bool {
	if !json.Valid(b) {
		return false
	}
	var c bytes.Buffer
	return json.Compact(&c, b) == nil && bytes.Equal(c.Bytes(), b)
}

// chain computes the mac of a line: over prev, the pending lines (each
// with its newline) and the line's prefix.
func chain(key, prev []byte, pending [][]byte, prefix []byte) []byte {
	return chainWith(hmac.New(sha256.New, key), prev, pending, prefix)
}

// chainWith is chain with an HMAC to reuse (verify makes one per run).
func chainWith(h hash.Hash, prev []byte, pending [][]byte, prefix []byte) []byte {
	h.Reset()
	h.Write(prev)
	for _, p := range pending {
		h.Write(p)
		h.Write([]byte{'\n'})
	}
	h.Write(prefix)
	return h.Sum(nil)
}

// Mark is a point of the chain: a seq and the mac of that line (zero seq
// and 32 zero bytes: the start).
type Mark struct {
	Seq uint64 `json:"seq"`
	MAC string `json:"mac"` // hex
}

func (m Mark) bytes() []byte {
	if m.MAC == "" {
		return make([]byte, sha256.Size)
	}
	b, err := hex.DecodeString(m.MAC)
	if err != nil || len(b) != sha256.Size {
		return make([]byte, sha256.Size)
	}
	return b
}

// Anchor is kept outside the log (wardkey: in audit.anchor, see
// [AnchorFile]) so that a cut tail or a deleted log shows.
type Anchor struct {
	Last    Mark   `json:"last"`          // the last authenticated line
	LogBase Mark   `json:"log_base"`      // where the chain enters audit.log (the last line of audit.log.1)
	OldBase Mark   `json:"old_base"`      // where it enters audit.log.1
	Gen     uint64 `json:"gen,omitempty"` // counts the anchors stored (0: an anchor of local.json, before AnchorFile)
	Tag     string `json:"tag"`           // HMAC of the above under the audit key

	// From names where the anchor was read, for Verify's findings
	// ("audit.anchor", "local.json"); empty: "the audit anchor".
	From string `json:"-"`
	// OtherBad says the store keeps two copies and only this one holds:
	// the other was cut by a crash while it was written, or damaged.
	// Verify then wants the log to go past Last (see AnchorFile).
	OtherBad bool `json:"-"`
}

func (a Anchor) tag(key []byte) []byte {
	h := hmac.New(sha256.New, key)
	if a.Gen == 0 {
		// The anchors local.json kept before audit.anchor.
		fmt.Fprintf(h, "wardkey audit anchor\n%d %s\n%d %s\n%d %s\n", a.Last.Seq, a.Last.MAC, a.LogBase.Seq, a.LogBase.MAC, a.OldBase.Seq, a.OldBase.MAC)
	} else {
		fmt.Fprintf(h, "wardkey audit anchor 2\n%d\n%d %s\n%d %s\n%d %s\n", a.Gen, a.Last.Seq, a.Last.MAC, a.LogBase.Seq, a.LogBase.MAC, a.OldBase.Seq, a.OldBase.MAC)
	}
	return h.Sum(nil)
}

func (a *Anchor) seal(key []byte) { a.Tag = hex.EncodeToString(a.tag(key)) }

// Valid reports whether the anchor's tag holds under key.
func (a Anchor) Valid(key []byte) bool {
	t, err := hex.DecodeString(a.Tag)
	return err == nil && hmac.Equal(t, a.tag(key))
}

// where names the anchor's place in Verify's findings.
func (a Anchor) where() string {
	if a.From == "" {
		return "the audit anchor"
	}
	return "the anchor in " + a.From
}

// AnchorStore keeps the anchor. Load gives ok false when there is none
// (an anchor that is there but does not read is given with ok true, and
// fails Valid). Both run under the log's lock; Store is called after the
// log's fsync, so an anchor that is lost or left behind by a crash is
// never ahead of the log.
type AnchorStore interface {
	Load() (a Anchor, ok bool, err error)
	Store(Anchor) error
}

// Log appends to one profile's audit log.
type Log struct {
	Dir    string      // the profile directory
	Device string      // this device's ID
	Key    []byte      // the audit key; nil while the vault is locked
	Anchor AnchorStore // nil: no anchor (tests, benchmarks)
	Now    func() time.Time
}

// Result says what an append did besides appending.
type Result struct {
	Seq       uint64 // the seq of the last line written
	Restarted string // non-empty: the tail was damaged (why), and a fresh chain starts
	// AnchorLost: the anchor was missing or did not hold although the log
	// had authenticated lines; an AnchorLost line was written first.
	AnchorLost bool
	Rotated    bool // audit.log became audit.log.1
}

// Append writes evs as consecutive lines, in one write and one fsync,
// under the log's lock. With a key every line is authenticated; without
// one, every line has auth false.
func (l *Log) Append(evs ...Event) (Result, error) {
	var res Result
	if len(evs) == 0 {
		return res, nil
	}
	if l.Key != nil && len(l.Key) != KeySize {
		return res, fmt.Errorf("audit key: %d bytes, want %d", len(l.Key), KeySize)
	}
	if !plain([]byte(l.Device)) {
		return res, fmt.Errorf("audit: device ID %q is not plain ASCII", l.Device)
	}
	for _, ev := range evs {
		if ev.Event == "" || !plain([]byte(ev.Event)) || !plain([]byte(ev.Account)) {
			return res, fmt.Errorf("audit: event %q or account %q is not plain ASCII", ev.Event, ev.Account)
		}
	}
	if err := os.MkdirAll(l.Dir, 0o700); err != nil {
		return res, err
	}
	unlock, err := flock.Lock(filepath.Join(l.Dir, LockName), flock.Forever)
	if err != nil {
		return res, fmt.Errorf("lock the audit log: %w", err)
	}
	defer unlock()

	name := filepath.Join(l.Dir, FileName)
	f, err := os.OpenFile(name, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return res, fmt.Errorf("open the audit log: %w", err)
	}
	defer f.Close()
	t, err := readTail(f)
	if err != nil {
		return res, fmt.Errorf("read the audit log: %w", err)
	}
	var anchor Anchor
	var hasAnchor bool
	if l.Anchor != nil && l.Key != nil {
		if anchor, hasAnchor, err = l.Anchor.Load(); err != nil {
			return res, fmt.Errorf("read the audit anchor: %w", err)
		}
		if hasAnchor && !anchor.Valid(l.Key) {
			hasAnchor, anchor = false, Anchor{}
		}
	}
	if l.Anchor != nil && l.Key != nil && !hasAnchor && !t.found && !t.damaged && !rotatedExists(l.Dir) {
		// No authenticated line yet (a new profile): the anchor of the
		// start is stored before the first one, so that a crash right
		// after it never leaves a log that no anchor covers.
		start := Anchor{Gen: 1}
		start.seal(l.Key)
		if err := l.Anchor.Store(start); err != nil {
			return res, fmt.Errorf("store the audit anchor: %w", err)
		}
		if anchor, hasAnchor, err = l.Anchor.Load(); err != nil {
			return res, fmt.Errorf("read the audit anchor: %w", err)
		}
		if hasAnchor && !anchor.Valid(l.Key) {
			hasAnchor, anchor = false, Anchor{}
		}
	}
	// The anchor to store: the next generation (1: a fresh start, which
	// AnchorFile writes whole).
	next := Anchor{LogBase: anchor.LogBase, OldBase: anchor.OldBase, Gen: anchor.Gen + 1}
	if !t.found && !t.damaged {
		// No authenticated line in audit.log: the chain enters it from
		// audit.log.1's last line (or the start).
		if hasAnchor && anchor.LogBase.Seq > 0 {
			t.prev = anchor.LogBase.bytes()
			if t.seq == 0 {
				t.seq = anchor.LogBase.Seq
			}
		} else if rt, err := rotatedTail(l.Dir); err == nil && rt.found {
			t.prev = rt.prev
			if t.seq == 0 {
				t.seq = rt.seq
			}
		}
	}
	if t.damaged && t.seq == 0 {
		t.seq = maxSeq(f) // the rare path: never reuse a seq
	}
	if hasAnchor && anchor.Last.Seq > t.seq {
		t.seq = anchor.Last.Seq // a cut tail: seq is never reused
	}
	prev := t.prev
	if prev == nil {
		prev = make([]byte, sha256.Size)
	}
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	ts := now()
	var buf []byte
	if t.noNewline {
		buf = append(buf, '\n') // keep the cut line a line of its own
	}
	pending := t.pending
	seq := t.seq
	if t.damaged && l.Key != nil {
		res.Restarted = t.why
		evs = append([]Event{{Event: LogRestarted, Detail: map[string]any{"after_seq": seq, "reason": t.why}}}, evs...)
		prev, pending = make([]byte, sha256.Size), nil
	} else if l.Anchor != nil && l.Key != nil && !hasAnchor && (t.found || rotatedExists(l.Dir)) {
		// The log has authenticated lines and nothing vouches for its end:
		// say so in the chain before anchoring it again.
		res.AnchorLost = true
		evs = append([]Event{{Event: AnchorLost, Detail: map[string]any{"after_seq": seq}}}, evs...)
	}
	for _, ev := range evs {
		seq++
		var detail []byte
		if ev.Detail != nil {
			if detail, err = json.Marshal(ev.Detail); err != nil {
				return res, fmt.Errorf("audit detail of %s: %w", ev.Event, err)
			}
		}
		start := len(buf)
		buf = appendPrefix(buf, seq, ts, l.Device, ev.Event, ev.Account, detail, l.Key != nil)
		if l.Key != nil {
			mac := chain(l.Key, prev, pending, buf[start:])
			buf = appendMAC(buf, mac)
			prev, pending = mac, nil
		} else {
			buf = appendMAC(buf, nil)
			pending = append(pending, buf[start:])
		}
		buf = append(buf, '\n')
	}
	if _, err := f.Write(buf); err != nil {
		return res, fmt.Errorf("write the audit log: %w", err)
	}
	if err := fsync(f); err != nil {
		return res, fmt.Errorf("write the audit log: %w", err)
	}
	res.Seq = seq
	if l.Key == nil {
		return res, nil
	}
	// Authenticated: move the anchor, and rotate past MaxSize (after an
	// authenticated line, so no line of audit.log.1 waits for a mac in
	// audit.log).
	next.Last = Mark{Seq: seq, MAC: hex.EncodeToString(prev)}
	if t.size+int64(len(buf)) > maxSize {
		if err := os.Rename(name, filepath.Join(l.Dir, RotatedName)); err != nil {
			return res, fmt.Errorf("rotate the audit log: %w", err)
		}
		syncDir(l.Dir)
		next.OldBase = next.LogBase
		next.LogBase = next.Last
		res.Rotated = true
	}
	if l.Anchor != nil {
		next.seal(l.Key)
		if err := l.Anchor.Store(next); err != nil {
			return res, &AnchorError{Err: err}
		}
	}
	return res, nil
}

// AnchorError: the lines were written (and synced) but the anchor after
// them could not be stored (`wardkey doctor` repairs what is planted at
// audit.anchor); Result.Seq is set.
type AnchorError struct{ Err error }

func (e *AnchorError) Error() string {
	return "the lines were written, but their anchor could not be stored: " + e.Err.Error()
}

func (e *AnchorError) Unwrap() error { return e.Err }

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// tail is what an append needs from the end of a file.
type tail struct {
	size      int64
	seq       uint64   // the last seq seen (0: none)
	prev      []byte   // the last authenticated line's mac, when found
	pending   [][]byte // lines after it
	found     bool     // an authenticated line was found
	sawAny    bool
	damaged   bool
	why       string
	noNewline bool
}

// readTail reads f backwards, a chunk at a time, to its last
// authenticated line: usually the last line, or a few locked ones before it.
func readTail(f *os.File) (tail, error) {
	var t tail
	st, err := f.Stat()
	if err != nil {
		return t, err
	}
	t.size = st.Size()
	if t.size == 0 {
		return t, nil
	}
	var data []byte
	off := t.size
	chunk := int64(16 << 10)
	for {
		n := min(chunk, off)
		off -= n
		b := make([]byte, n, int(n)+len(data))
		if _, err := f.ReadAt(b, off); err != nil && err != io.EOF {
			return t, err
		}
		data = append(b, data...)
		done, err := t.scan(data, off == 0)
		if done || err != nil {
			return t, err
		}
		if off == 0 {
			return t, nil
		}
		chunk *= 2
	}
}

// scan looks at the whole lines of data (the file's end; whole says data
// starts at the file's start) from the last one back. It reports done once
// it found an authenticated line or damage.
func (t *tail) scan(data []byte, whole bool) (bool, error) {
	*t = tail{size: t.size}
	if data[len(data)-1] != '\n' {
		t.noNewline = true
		t.damaged, t.why = true, "the last line was cut"
	}
	body := data
	if !t.noNewline {
		body = data[:len(data)-1]
	}
	var pend [][]byte
	for end := len(body); end >= 0; {
		start := bytes.LastIndexByte(body[:end], '\n') + 1
		if start == 0 && !whole {
			return false, nil // the line may begin before data: read more
		}
		raw := body[start:end]
		if t.noNewline && end == len(body) {
			// the cut line: skip it, it is damage already
		} else {
			ln, err := ParseLine(raw)
			switch {
			case err != nil:
				t.damaged, t.why = true, fmt.Sprintf("a damaged line %d bytes from the end", len(data)-start)
				t.pending = nil
				return true, nil
			case !t.sawAny:
				t.sawAny, t.seq = true, ln.Seq
			}
			if ln.Auth {
				t.found, t.prev = true, ln.MAC
				for i := len(pend) - 1; i >= 0; i-- {
					t.pending = append(t.pending, pend[i])
				}
				return true, nil
			}
			pend = append(pend, bytes.Clone(raw))
		}
		if start == 0 {
			break
		}
		end = start - 1
	}
	if !t.damaged {
		for i := len(pend) - 1; i >= 0; i-- {
			t.pending = append(t.pending, pend[i])
		}
	}
	return true, nil
}

// rotatedExists reports whether dir holds audit.log.1.
func rotatedExists(dir string) bool {
	_, err := os.Lstat(filepath.Join(dir, RotatedName))
	return err == nil
}

// rotatedTail reads the tail of audit.log.1.
func rotatedTail(dir string) (tail, error) {
	f, err := os.Open(filepath.Join(dir, RotatedName))
	if err != nil {
		return tail{}, err
	}
	defer f.Close()
	return readTail(f)
}

// maxSeq is the largest seq of the lines of f that parse.
func maxSeq(f *os.File) uint64 {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, MaxSize*2))
	if err != nil {
		return 0
	}
	var m uint64
	for line := range bytes.SplitSeq(b, []byte{'\n'}) {
		if ln, err := ParseLine(line); err == nil && ln.Seq > m {
			m = ln.Seq
		}
	}
	return m
}
