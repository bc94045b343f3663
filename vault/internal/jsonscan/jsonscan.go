// Package jsonscan reads a JSON text in one pass: the caller walks it value
// by value (objects member by member, arrays element by element) while the
// decoder checks its syntax as encoding/json does (RFC 8259 grammar, no
// control characters in strings, at most MaxDepth nested arrays and
// objects, nothing but white space after the value), so a hand-written
// decoder needs neither json.Valid's pass nor a json.RawMessage copy.
//
// It is internal to the vault packages: vault decodes a state with it
// (vault.UnmarshalState) and vault/backup the document around one.
package jsonscan

import (
	"bytes"
	"fmt"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is how deeply arrays and objects may nest, as in encoding/json.
const MaxDepth = 10000

// SyntaxError is a violation of the JSON grammar (or of MaxDepth), or an
// input that ends early. Its text names the offset, never the content.
type SyntaxError struct {
	Msg    string
	Offset int // byte offset in the input where it was noticed
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at offset %d: %s", e.Offset, e.Msg)
}

// Decoder walks one JSON text. Every method first skips white space. After
// the first syntax error every method does nothing and returns zero
// values; Err reports it. Callers must consume every value they meet
// (read it, or Skip it), so that the decoder's position stays on the
// grammar.
type Decoder struct {
	b     []byte
	i     int
	depth int
	err   *SyntaxError
}

// New returns a decoder at the start of b. b is not copied: the views the
// decoder returns point into it.
func New(b []byte) *Decoder { return &Decoder{b: b} }

// Err is the first syntax error met, or nil.
func (d *Decoder) Err() error {
	if d.err == nil {
		return nil
	}
	return d.err
}

// Failed reports whether a syntax error was met.
func (d *Decoder) Failed() bool { return d.err != nil }

// Depth is how many arrays and objects enclose the position.
func (d *Decoder) Depth() int { return d.depth }

func (d *Decoder) fail(msg string) {
	if d.err == nil {
		d.err = &SyntaxError{Msg: msg, Offset: d.i}
	}
	d.i = len(d.b)
}

func (d *Decoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// Peek returns the first byte of the next value ('{', '[', '"', 't', 'f',
// 'n', '-' or a digit) without consuming it; 0 at the end of the input or
// after an error.
func (d *Decoder) Peek() byte {
	if d.err != nil {
		return 0
	}
	d.ws()
	if d.i >= len(d.b) {
		return 0
	}
	return d.b[d.i]
}

// Offset is the position in the input (after Peek: the next value's start).
func (d *Decoder) Offset() int { return d.i }

// End checks that only white space follows.
func (d *Decoder) End() {
	if d.err != nil {
		return
	}
	d.ws()
	if d.i < len(d.b) {
		d.fail("data after the top-level value")
	}
}

func (d *Decoder) open() bool {
	d.depth++
	if d.depth > MaxDepth {
		d.fail("exceeded max depth")
		return false
	}
	return true
}

// Object reads an object, calling member for each key with the key's
// unquoted text (valid only during the call) and the decoder positioned at
// the member's value, which member must consume. The next value must be an
// object (Peek said '{').
func (d *Decoder) Object(member func(key []byte)) {
	if d.Peek() != '{' {
		d.fail("expected an object")
		return
	}
	d.i++
	if !d.open() {
		return
	}
	var scratch []byte
	if d.Peek() == '}' {
		d.i++
		d.depth--
		return
	}
	for d.err == nil {
		if d.Peek() != '"' {
			d.fail("expected a string key")
			return
		}
		raw, plain := d.String()
		key := raw
		if !plain {
			scratch = Unquote(scratch[:0], raw)
			key = scratch
		}
		if d.Peek() != ':' {
			d.fail("expected ':' after a key")
			return
		}
		d.i++
		member(key)
		switch d.Peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			d.depth--
			return
		default:
			d.fail("expected ',' or '}' after an object member")
			return
		}
	}
}

// Array reads an array, calling elem for each element with its index and
// the decoder positioned at it; elem must consume it. The next value must
// be an array (Peek said '[').
func (d *Decoder) Array(elem func(i int)) {
	if d.Peek() != '[' {
		d.fail("expected an array")
		return
	}
	d.i++
	if !d.open() {
		return
	}
	if d.Peek() == ']' {
		d.i++
		d.depth--
		return
	}
	for n := 0; d.err == nil; n++ {
		if d.Peek() == 0 {
			d.fail("unexpected end of input in an array")
			return
		}
		elem(n)
		switch d.Peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			d.depth--
			return
		default:
			d.fail("expected ',' or ']' after an array element")
			return
		}
	}
}

// String reads a string and returns its content between the quotes, a
// view of the input. plain reports that the content is its own unquoted
// text (no escapes, valid UTF-8); otherwise pass it to Unquote.
func (d *Decoder) String() (raw []byte, plain bool) {
	if d.Peek() != '"' {
		d.fail("expected a string")
		return nil, true
	}
	d.i++
	start := d.i
	plain = true
	ascii := true
	b := d.b
	for i := d.i; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '"':
			raw = b[start:i]
			d.i = i + 1
			if !ascii && plain && !utf8.Valid(raw) {
				plain = false
			}
			return raw, plain
		case c == '\\':
			plain = false
			i++
			if i >= len(b) {
				d.i = i
				d.fail("unexpected end of input in a string escape")
				return nil, true
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(b) {
					d.i = len(b)
					d.fail("unexpected end of input in a \\u escape")
					return nil, true
				}
				for _, h := range b[i+1 : i+5] {
					if !isHex(h) {
						d.i = i
						d.fail("invalid character in a \\u escape")
						return nil, true
					}
				}
				i += 4
			default:
				d.i = i
				d.fail("invalid escape in a string")
				return nil, true
			}
		case c < 0x20:
			d.i = i
			d.fail("control character in a string")
			return nil, true
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	d.fail("unexpected end of input in a string")
	return nil, true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// Literal reads a number, true, false or null and returns its text, a
// view of the input.
func (d *Decoder) Literal() []byte {
	c := d.Peek()
	start := d.i
	switch {
	case c == 't':
		d.word("true")
	case c == 'f':
		d.word("false")
	case c == 'n':
		d.word("null")
	case c == '-' || '0' <= c && c <= '9':
		d.number()
	default:
		d.fail("expected a value")
	}
	if d.err != nil {
		return nil
	}
	return d.b[start:d.i]
}

func (d *Decoder) word(w string) {
	if len(d.b)-d.i < len(w) || string(d.b[d.i:d.i+len(w)]) != w {
		d.fail("invalid literal")
		return
	}
	d.i += len(w)
}

func (d *Decoder) digits() int {
	n := 0
	for d.i < len(d.b) && '0' <= d.b[d.i] && d.b[d.i] <= '9' {
		d.i++
		n++
	}
	return n
}

func (d *Decoder) number() {
	if d.b[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.b) && d.b[d.i] == '0':
		d.i++
	case d.digits() == 0:
		d.fail("invalid number")
		return
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if d.digits() == 0 {
			d.fail("invalid number")
			return
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if d.digits() == 0 {
			d.fail("invalid number")
			return
		}
	}
}

// Skip reads any value, checking it, and returns its text (a view).
func (d *Decoder) Skip() []byte {
	c := d.Peek()
	start := d.i
	switch c {
	case '{':
		d.Object(func([]byte) { d.Skip() })
	case '[':
		d.Array(func(int) { d.Skip() })
	case '"':
		d.String()
	default:
		d.Literal()
	}
	if d.err != nil {
		return nil
	}
	return d.b[start:d.i]
}

// Unquote appends the unquoted text of a string's content (as String
// returned it) to dst, as encoding/json unquotes: escapes decoded, a lone
// or broken surrogate and each byte of invalid UTF-8 replaced by U+FFFD.
// The content must have come from String (its escapes are well formed).
func Unquote(dst, raw []byte) []byte {
	for r := 0; r < len(raw); {
		c := raw[r]
		switch {
		case c == '\\':
			r++
			switch raw[r] {
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				rr := hex4(raw[r+1 : r+5])
				r += 5
				if utf16.IsSurrogate(rr) {
					if r+6 <= len(raw) && raw[r] == '\\' && raw[r+1] == 'u' {
						if dec := utf16.DecodeRune(rr, hex4(raw[r+2:r+6])); dec != unicode.ReplacementChar {
							dst = utf8.AppendRune(dst, dec)
							r += 6
							continue
						}
					}
					rr = unicode.ReplacementChar
				}
				dst = utf8.AppendRune(dst, rr)
				continue
			default: // '"', '\\', '/'
				dst = append(dst, raw[r])
			}
			r++
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			r++
		default:
			rr, size := utf8.DecodeRune(raw[r:])
			dst = utf8.AppendRune(dst, rr)
			r += size
		}
	}
	return dst
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		default:
			c = c - 'A' + 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// KeyIs matches an object's key to a field name as encoding/json does:
// exactly, else folding case.
func KeyIs(key []byte, name string) bool {
	return string(key) == name || bytes.EqualFold(key, []byte(name))
}
