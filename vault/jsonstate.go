package vault

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"

	"github.com/wardkey/wardkey/vault/internal/jsonscan"
)

// The JSON state (MarshalState's encoding, which backups and replicas
// carry) is decoded by hand in one pass over the text: encoding/json
// checked the whole text first, then decoded it through reflection,
// and a backup's document was read into a json.RawMessage before that;
// a 10,000-account backup spent most of a restore's own time there.
//
// What it accepts, and the state it makes, is what json.Unmarshal into
// storedState followed by storedState.state made (fuzz_test.go's
// FuzzUnmarshalStateJSON holds the two side by side): keys matched
// exactly, else without regard to case (bytes.EqualFold); unknown keys
// ignored; a repeated key decoded again into what the first one left;
// null leaving a string, number, bool or object as it was and making an
// array nil; array elements decoded in place into what an earlier
// occurrence of the same array left within its length so far; a value of
// the wrong type an error that does not stop the decoding (nor change the
// field), reported once the whole value is read.

// jsonAccount is storedAccount as the decoder fills it: the secret is
// the unquoted base64 text, a view of the input or a copy the decoder
// wipes.
type jsonAccount struct {
	id, issuer, name, typ string
	secret                []byte
	algorithm             string
	digits, period        int
	counter               uint64
	tags                  []string
	note                  string
	favorite              bool
	stamp                 Stamp
}

// stateDecoder decodes one JSON state.
type stateDecoder struct {
	d       *jsonscan.Decoder
	typeErr error // the first value of the wrong type
	scratch []byte
	copies  [][]byte // unquoted secrets, wiped at the end
	device  string   // the last stamp's device, reused while it repeats

	accounts   []jsonAccount
	tombstones []Tombstone
	settings   Settings
}

// DecodeState decodes the JSON state value at d's position (as
// MarshalState writes it), checking every account as UnmarshalState does.
// A syntax error (d.Failed) stops the decoding; any other error leaves d
// after the value. Only the vault packages can make a decoder:
// vault/backup reads a backup document's "state" through it.
func DecodeState(d *jsonscan.Decoder) (State, error) {
	sd := &stateDecoder{d: d}
	defer sd.wipe()
	sd.state()
	if err := d.Err(); err != nil {
		return State{}, fmt.Errorf("decode accounts: %w", err)
	}
	if sd.typeErr != nil {
		return State{}, fmt.Errorf("decode accounts: %w", sd.typeErr)
	}
	return sd.result()
}

// unmarshalStateJSON is UnmarshalState's decoder: one state, alone.
func unmarshalStateJSON(b []byte) (State, error) {
	d := jsonscan.New(b)
	sd := &stateDecoder{d: d}
	defer sd.wipe()
	sd.state()
	d.End()
	if err := d.Err(); err != nil {
		return State{}, fmt.Errorf("decode accounts: %w", err)
	}
	if sd.typeErr != nil {
		return State{}, fmt.Errorf("decode accounts: %w", sd.typeErr)
	}
	return sd.result()
}

func (sd *stateDecoder) wipe() {
	for _, c := range sd.copies {
		clear(c)
	}
	sd.copies = nil
}

// mismatch records a value of the wrong type for what, and skips it.
func (sd *stateDecoder) mismatch(what string) {
	at := sd.d.Offset()
	sd.d.Skip()
	if sd.typeErr == nil {
		sd.typeErr = fmt.Errorf("a value at offset %d is not %s", at, what)
	}
}

func (sd *stateDecoder) state() {
	switch sd.d.Peek() {
	case '{':
	case 'n':
		sd.d.Literal() // null: nothing
		return
	default:
		sd.mismatch("a state object")
		return
	}
	sd.d.Object(func(key []byte) {
		switch {
		case jsonscan.KeyIs(key, "accounts"):
			sd.accounts = decodeArray(sd, sd.accounts, (*stateDecoder).account)
		case jsonscan.KeyIs(key, "tombstones"):
			sd.tombstones = decodeArray(sd, sd.tombstones, (*stateDecoder).tombstone)
		case jsonscan.KeyIs(key, "settings"):
			sd.settingsObject(&sd.settings)
		default:
			sd.d.Skip()
		}
	})
}

// decodeArray decodes an array into s in place, as encoding/json decodes
// into a slice: null makes it nil, [] an empty one; elements beyond the
// length are zero unless an earlier array left them there.
func decodeArray[T any](sd *stateDecoder, s []T, elem func(*stateDecoder, *T)) []T {
	switch sd.d.Peek() {
	case '[':
	case 'n':
		sd.d.Literal()
		return nil
	default:
		sd.mismatch("an array")
		return s
	}
	n := 0
	sd.d.Array(func(i int) {
		if i >= cap(s) {
			s = slices.Grow(s, 1)
		}
		if i >= len(s) {
			s = s[:i+1]
		}
		elem(sd, &s[i])
		n = i + 1
	})
	if n < len(s) {
		s = s[:n]
	}
	if n == 0 {
		s = []T{}
	}
	return s
}

// object reads an object into a struct through member, or leaves it as it
// was (null, or a value of the wrong type).
func (sd *stateDecoder) object(what string, member func(key []byte)) {
	switch sd.d.Peek() {
	case '{':
		sd.d.Object(member)
	case 'n':
		sd.d.Literal()
	default:
		sd.mismatch(what)
	}
}

func (sd *stateDecoder) account(a *jsonAccount) {
	sd.object("an account object", func(key []byte) {
		switch {
		case jsonscan.KeyIs(key, "id"):
			sd.str(&a.id)
		case jsonscan.KeyIs(key, "issuer"):
			sd.str(&a.issuer)
		case jsonscan.KeyIs(key, "name"):
			sd.str(&a.name)
		case jsonscan.KeyIs(key, "type"):
			sd.name(&a.typ)
		case jsonscan.KeyIs(key, "secret"):
			sd.secret(&a.secret)
		case jsonscan.KeyIs(key, "algorithm"):
			sd.name(&a.algorithm)
		case jsonscan.KeyIs(key, "digits"):
			sd.int(&a.digits)
		case jsonscan.KeyIs(key, "period"):
			sd.int(&a.period)
		case jsonscan.KeyIs(key, "counter"):
			sd.uint(&a.counter, 64)
		case jsonscan.KeyIs(key, "tags"):
			a.tags = decodeArray(sd, a.tags, (*stateDecoder).str)
		case jsonscan.KeyIs(key, "note"):
			sd.str(&a.note)
		case jsonscan.KeyIs(key, "favorite"):
			sd.bool(&a.favorite)
		case jsonscan.KeyIs(key, "stamp"):
			sd.stamp(&a.stamp)
		default:
			sd.d.Skip()
		}
	})
}

func (sd *stateDecoder) tombstone(t *Tombstone) {
	sd.object("a tombstone object", func(key []byte) {
		switch {
		case jsonscan.KeyIs(key, "id"):
			sd.str(&t.ID)
		case jsonscan.KeyIs(key, "stamp"):
			sd.stamp(&t.Stamp)
		default:
			sd.d.Skip()
		}
	})
}

func (sd *stateDecoder) settingsObject(s *Settings) {
	sd.object("a settings object", func(key []byte) {
		switch {
		case jsonscan.KeyIs(key, "lock_after"):
			sd.int(&s.LockAfter)
		case jsonscan.KeyIs(key, "stamp"):
			sd.stamp(&s.Stamp)
		case jsonscan.KeyIs(key, "reauth_after"):
			sd.int(&s.ReauthAfter)
		case jsonscan.KeyIs(key, "reauth_after_stamp"):
			sd.stamp(&s.ReauthAfterStamp)
		case jsonscan.KeyIs(key, "clipboard_clear"):
			sd.int(&s.ClipboardClear)
		case jsonscan.KeyIs(key, "clipboard_clear_stamp"):
			sd.stamp(&s.ClipboardClearStamp)
		default:
			sd.d.Skip()
		}
	})
}

func (sd *stateDecoder) stamp(s *Stamp) {
	sd.object("a stamp object", func(key []byte) {
		switch {
		case jsonscan.KeyIs(key, "wall"):
			sd.int64(&s.Wall, 64)
		case jsonscan.KeyIs(key, "logical"):
			n := uint64(s.Logical)
			sd.uint(&n, 32)
			s.Logical = uint32(n)
		case jsonscan.KeyIs(key, "device"):
			if sd.d.Peek() != '"' {
				sd.str(&s.Device)
				return
			}
			raw := sd.text()
			if string(raw) != sd.device {
				sd.device = string(raw)
			}
			s.Device = sd.device
		default:
			sd.d.Skip()
		}
	})
}

// text reads a string and returns its unquoted text, valid until the
// next call.
func (sd *stateDecoder) text() []byte {
	raw, plain := sd.d.String()
	if plain {
		return raw
	}
	sd.scratch = jsonscan.Unquote(sd.scratch[:0], raw)
	return sd.scratch
}

// The names of types and algorithms the decoder does not allocate.
var knownNames = []string{string(TOTP), string(HOTP), string(Steam), string(SHA1), string(SHA256), string(SHA512)}

// name reads a type or an algorithm, using the constants' strings.
func (sd *stateDecoder) name(p *string) {
	if sd.d.Peek() != '"' {
		sd.str(p)
		return
	}
	t := sd.text()
	for _, k := range knownNames {
		if string(t) == k {
			*p = k
			return
		}
	}
	*p = string(t)
}

func (sd *stateDecoder) str(p *string) {
	switch sd.d.Peek() {
	case '"':
		*p = string(sd.text())
	case 'n':
		sd.d.Literal()
	default:
		sd.mismatch("a string")
	}
}

// secret reads the base64 text of a secret without making a string of it:
// a view of the input (which its owner wipes), or a copy wiped at the end.
func (sd *stateDecoder) secret(p *[]byte) {
	switch sd.d.Peek() {
	case '"':
		raw, plain := sd.d.String()
		if plain {
			*p = raw
			return
		}
		c := jsonscan.Unquote(make([]byte, 0, len(raw)+8), raw)
		sd.copies = append(sd.copies, c)
		*p = c
	case 'n':
		sd.d.Literal()
	default:
		sd.mismatch("a string")
	}
}

func (sd *stateDecoder) int(p *int) {
	n := int64(*p)
	sd.int64(&n, strconv.IntSize)
	*p = int(n)
}

func (sd *stateDecoder) int64(p *int64, bits int) {
	c := sd.d.Peek()
	if c == 'n' {
		sd.d.Literal()
		return
	}
	if c != '-' && (c < '0' || c > '9') {
		sd.mismatch("a number")
		return
	}
	lit := sd.d.Literal()
	if n, err := strconv.ParseInt(string(lit), 10, bits); err == nil {
		*p = n
	} else if sd.typeErr == nil {
		sd.typeErr = fmt.Errorf("number %s is not an integer in range", lit)
	}
}

func (sd *stateDecoder) uint(p *uint64, bits int) {
	c := sd.d.Peek()
	if c == 'n' {
		sd.d.Literal()
		return
	}
	if c != '-' && (c < '0' || c > '9') {
		sd.mismatch("a number")
		return
	}
	lit := sd.d.Literal()
	if n, err := strconv.ParseUint(string(lit), 10, bits); err == nil {
		*p = n
	} else if sd.typeErr == nil {
		sd.typeErr = fmt.Errorf("number %s is not an unsigned integer in range", lit)
	}
}

func (sd *stateDecoder) bool(p *bool) {
	switch sd.d.Peek() {
	case 't', 'f':
		if lit := sd.d.Literal(); lit != nil {
			*p = lit[0] == 't'
		}
	case 'n':
		sd.d.Literal()
	default:
		sd.mismatch("a bool")
	}
}

// result checks and converts what was decoded, as storedState.state does,
// the secrets decoded from base64 into one buffer (the vault adopts them
// into its own and wipes it; on an error it is wiped here).
func (sd *stateDecoder) result() (State, error) {
	s := State{Tombstones: sd.tombstones, Settings: sd.settings}
	if err := s.Settings.Validate(); err != nil {
		return State{}, fmt.Errorf("decode settings: %w", err)
	}
	if s.Tombstones == nil {
		s.Tombstones = []Tombstone{}
	}
	n := 0
	for i := range sd.accounts {
		n += base64.StdEncoding.DecodedLen(len(sd.accounts[i].secret))
	}
	arena := make([]byte, n)
	off := 0
	s.Accounts = make([]Account, 0, len(sd.accounts))
	for i := range sd.accounts {
		x := &sd.accounts[i]
		k, err := base64.StdEncoding.Decode(arena[off:], x.secret)
		if err != nil {
			clear(arena)
			return State{}, fmt.Errorf("decode account %d: secret is not base64", i+1)
		}
		a := Account{
			ID: x.id, Issuer: x.issuer, Name: x.name, Type: Type(x.typ), Secret: holdBytes(arena[off : off+k : off+k]),
			Algorithm: Algorithm(x.algorithm), Digits: x.digits, Period: x.period, Counter: x.counter,
			Tags: x.tags, Note: x.note, Favorite: x.favorite, Stamp: x.stamp,
		}
		off += k
		if a.Tags == nil {
			a.Tags = []string{}
		}
		if a.ID == "" {
			clear(arena)
			return State{}, fmt.Errorf("decode account %d: no id", i+1)
		}
		if err := a.Validate(); err != nil {
			clear(arena)
			return State{}, fmt.Errorf("decode account %d: %w", i+1, err)
		}
		s.Accounts = append(s.Accounts, a)
	}
	clear(arena[off:]) // what base64 may have written past the last secret
	return s, nil
}
