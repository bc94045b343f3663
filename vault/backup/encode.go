package backup

import (
	"encoding/base64"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/wardkey/wardkey/vault"
)

// The backup document is written as json.MarshalIndent(doc, "", "  ")
// wrote it, with the state in vault.MarshalState's storage form: the same
// keys in the same order, the same indentation, strings escaped as
// encoding/json escapes them (HTML characters, U+2028 and U+2029, invalid
// UTF-8 as \ufffd). Reflection, the state's compact JSON, its
// re-indentation and a base64 string of every secret were most of an
// export's own time at 10,000 accounts; and encoding/json's pooled buffers
// kept copies of the secrets that nothing wiped.

// docWriter appends the document to one buffer that it grows itself,
// wiping the buffer it leaves.
type docWriter struct {
	b     []byte
	depth int
}

// room makes sure n more bytes fit without append reallocating.
func (w *docWriter) room(n int) {
	if cap(w.b)-len(w.b) >= n {
		return
	}
	nb := make([]byte, len(w.b), 2*cap(w.b)+n)
	copy(nb, w.b)
	wipe(w.b)
	w.b = nb
}

// newline starts a line at the current depth.
func (w *docWriter) newline() {
	w.b = append(w.b, '\n')
	for range w.depth {
		w.b = append(w.b, "  "...)
	}
}

// open starts an object or array that is not empty.
func (w *docWriter) open(c byte) {
	w.b = append(w.b, c)
	w.depth++
}

func (w *docWriter) close(c byte) {
	w.depth--
	w.newline()
	w.b = append(w.b, c)
}

// key starts a member: the first of its object when first is set.
func (w *docWriter) key(k string, first bool) {
	if !first {
		w.b = append(w.b, ',')
	}
	w.newline()
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, `": `...)
}

func (w *docWriter) str(k, v string, first bool) {
	w.key(k, first)
	w.b = appendJSONString(w.b, v)
}

func (w *docWriter) int(k string, v int64, first bool) {
	w.key(k, first)
	w.b = strconv.AppendInt(w.b, v, 10)
}

func (w *docWriter) uint(k string, v uint64, first bool) {
	w.key(k, first)
	w.b = strconv.AppendUint(w.b, v, 10)
}

func (w *docWriter) stamp(k string, s vault.Stamp, first bool) {
	w.key(k, first)
	w.open('{')
	w.int("wall", s.Wall, true)
	w.uint("logical", uint64(s.Logical), false)
	w.str("device", s.Device, false)
	w.close('}')
}

// array writes "k": [...] of n elements, elem writing element i after its
// newline; an empty array is [].
func (w *docWriter) array(k string, n int, elem func(i int)) {
	w.key(k, false)
	if n == 0 {
		w.b = append(w.b, "[]"...)
		return
	}
	w.open('[')
	for i := range n {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.newline()
		elem(i)
	}
	w.close(']')
}

// accountBound is more than an account's entry can take: every string
// escaped at 6 bytes a byte, the secret in base64, and the fixed text.
func accountBound(a *vault.Account) int {
	n := len(a.ID) + len(a.Issuer) + len(a.Name) + len(a.Type) + len(a.Algorithm) + len(a.Note) + len(a.Stamp.Device)
	for _, t := range a.Tags {
		n += len(t) + 16 // its line's indentation, quotes and comma
	}
	return 6*n + base64.StdEncoding.EncodedLen(len(a.Secret.Bytes())) + 640
}

// appendDoc writes the document of s (json.MarshalIndent's layout, a
// final newline).
func appendDoc(s vault.State, o Options, created time.Time) ([]byte, error) {
	ct, err := created.MarshalJSON()
	if err != nil {
		return nil, err
	}
	w := &docWriter{b: make([]byte, 0, 1024+len(s.Accounts)*480+len(s.Tombstones)*160)}
	w.room(1024 + 6*(len(o.VaultID)+len(o.Device)+len(o.App)))
	w.open('{')
	w.str("format", Format, true)
	w.int("version", Version, false)
	w.key("created", false)
	w.b = append(w.b, ct...)
	w.str("vault_id", o.VaultID, false)
	if o.Device != "" {
		w.str("device", o.Device, false)
	}
	if o.App != "" {
		w.str("app", o.App, false)
	}
	w.key("state", false)
	w.open('{')
	w.accounts(s.Accounts)
	w.array("tombstones", len(s.Tombstones), func(i int) {
		t := s.Tombstones[i]
		w.room(6*(len(t.ID)+len(t.Stamp.Device)) + 256)
		w.open('{')
		w.str("id", t.ID, true)
		w.stamp("stamp", t.Stamp, false)
		w.close('}')
	})
	st := s.Settings
	w.room(1024 + 6*(len(st.Stamp.Device)+len(st.ReauthAfterStamp.Device)+len(st.ClipboardClearStamp.Device)))
	w.key("settings", false)
	w.open('{')
	w.int("lock_after", int64(st.LockAfter), true)
	w.stamp("stamp", st.Stamp, false)
	if st.ReauthAfter != 0 {
		w.int("reauth_after", int64(st.ReauthAfter), false)
	}
	if !st.ReauthAfterStamp.IsZero() {
		w.stamp("reauth_after_stamp", st.ReauthAfterStamp, false)
	}
	if st.ClipboardClear != 0 {
		w.int("clipboard_clear", int64(st.ClipboardClear), false)
	}
	if !st.ClipboardClearStamp.IsZero() {
		w.stamp("clipboard_clear_stamp", st.ClipboardClearStamp, false)
	}
	w.close('}')
	w.close('}') // state
	w.close('}') // document
	w.b = append(w.b, '\n')
	return w.b, nil
}

// accounts writes "accounts": [...] as the first key of the state.
func (w *docWriter) accounts(as []vault.Account) {
	w.key("accounts", true)
	if len(as) == 0 {
		w.b = append(w.b, "[]"...)
		return
	}
	w.open('[')
	for i := range as {
		a := &as[i]
		w.room(accountBound(a))
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.newline()
		w.open('{')
		w.str("id", a.ID, true)
		w.str("issuer", a.Issuer, false)
		w.str("name", a.Name, false)
		w.str("type", string(a.Type), false)
		w.key("secret", false)
		sec := a.Secret.Bytes()
		w.b = append(w.b, '"')
		w.b = base64.StdEncoding.AppendEncode(w.b, sec)
		w.b = append(w.b, '"')
		w.str("algorithm", string(a.Algorithm), false)
		w.int("digits", int64(a.Digits), false)
		w.int("period", int64(a.Period), false)
		w.uint("counter", a.Counter, false)
		w.key("tags", false)
		if len(a.Tags) == 0 {
			w.b = append(w.b, "[]"...)
		} else {
			w.open('[')
			for j, t := range a.Tags {
				if j > 0 {
					w.b = append(w.b, ',')
				}
				w.newline()
				w.b = appendJSONString(w.b, t)
			}
			w.close(']')
		}
		w.str("note", a.Note, false)
		w.key("favorite", false)
		w.b = strconv.AppendBool(w.b, a.Favorite)
		w.stamp("stamp", a.Stamp, false)
		w.close('}')
	}
	w.close(']')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted as encoding/json quotes it with HTML
// escaping (json.Marshal's default).
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
