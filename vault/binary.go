package vault

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unsafe"
)

// The vault payload's plaintext is a compact binary encoding of the State:
// decoding 1,000 accounts from JSON took ~6 ms, most of `wardkey code`'s own
// time; this takes a fraction of a millisecond. Backups and replicas keep
// the JSON of MarshalState (documents other tools may read). The layout is
// in docs/vault-format.md.
var binaryMagic = []byte("WKS\x01")

// Bounds a decoder enforces, whatever the counts in the data say.
const (
	maxStateAccounts = 1 << 20
	maxFieldLen      = 1 << 20
)

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendStamp(b []byte, s Stamp) []byte {
	b = binary.AppendVarint(b, s.Wall)
	b = binary.AppendUvarint(b, uint64(s.Logical))
	return appendString(b, s.Device)
}

// appendBytes appends a length-prefixed byte string without making a Go
// string of it (secrets go through here).
func appendBytes(b, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// Sections of the format-2 payload ("WKS\x02"): each is a tag, a length
// and that many bytes, in increasing tag order, so a reader can find one
// section (the accounts, say) without decoding the others, and a later
// section (an index) can be added under a new tag.
const (
	secAccounts   = 1 // u count, then the accounts
	secTombstones = 2 // u count, then the tombstones
	secSettings   = 3 // u count, then per key: s key, i value, stamp
	secAuditKey   = 4 // the audit key's 32 bytes (vault file only)
	secOldKeys    = 5 // u count, then per key: s key ID, u generation, s key (vault file only)
)

var binaryMagicV2 = []byte("WKS\x02")

// appendSection appends one section: tag, length, body.
func appendSection(b []byte, tag uint64, body []byte) []byte {
	b = binary.AppendUvarint(b, tag)
	return appendBytes(b, body)
}

func appendAccounts(b []byte, as []Account) []byte {
	b = binary.AppendUvarint(b, uint64(len(as)))
	for _, a := range as {
		b = appendString(b, a.ID)
		b = appendString(b, a.Issuer)
		b = appendString(b, a.Name)
		b = appendString(b, string(a.Type))
		b = appendBytes(b, a.Secret.raw())
		b = appendString(b, string(a.Algorithm))
		b = binary.AppendUvarint(b, uint64(a.Digits))
		b = binary.AppendUvarint(b, uint64(a.Period))
		b = binary.AppendUvarint(b, a.Counter)
		b = binary.AppendUvarint(b, uint64(len(a.Tags)))
		for _, t := range a.Tags {
			b = appendString(b, t)
		}
		b = appendString(b, a.Note)
		fav := byte(0)
		if a.Favorite {
			fav = 1
		}
		b = append(b, fav)
		b = appendStamp(b, a.Stamp)
	}
	return b
}

func appendTombstones(b []byte, ts []Tombstone) []byte {
	b = binary.AppendUvarint(b, uint64(len(ts)))
	for _, t := range ts {
		b = appendString(b, t.ID)
		b = appendStamp(b, t.Stamp)
	}
	return b
}

// appendSettings writes the keys that are set (or carry a stamp).
func appendSettings(b []byte, s Settings) []byte {
	var n uint64
	for _, r := range SettingRanges {
		if v, st := s.slot(r.Key); *v != 0 || !st.IsZero() {
			n++
		}
	}
	b = binary.AppendUvarint(b, n)
	for _, r := range SettingRanges {
		v, st := s.slot(r.Key)
		if *v == 0 && st.IsZero() {
			continue
		}
		b = appendString(b, r.Key)
		b = binary.AppendVarint(b, int64(*v))
		b = appendStamp(b, *st)
	}
	return b
}

// payload is what the vault file seals: the state, and what belongs to
// this vault file only (never to a replica or backup): the audit key and
// the keys the vault had before its current one, so that replicas still
// sealed under them can be read.
type payload struct {
	state    State
	auditKey []byte
	oldKeys  []oldKey
}

// oldKey is a previous vault key, by its key ID and generation.
type oldKey struct {
	id  string
	gen uint64
	key []byte
}

// marshalPayload encodes a payload in format 2, secrets and keys included,
// for sealing. The caller wipes the result.
func marshalPayload(p payload) []byte {
	s := p.state
	b := make([]byte, 0, 128+len(s.Accounts)*128+len(s.Tombstones)*48)
	b = append(b, binaryMagicV2...)
	// Sections are built in a scratch buffer and copied in, each then
	// wiped, so no copy of a secret is left in memory the vault does not
	// wipe.
	var scratch []byte
	section := func(tag uint64, body []byte) {
		b = appendSection(b, tag, body)
		wipe(body)
		scratch = body[:0]
	}
	section(secAccounts, appendAccounts(scratch, s.Accounts))
	section(secTombstones, appendTombstones(scratch, s.Tombstones))
	section(secSettings, appendSettings(scratch, s.Settings))
	if len(p.auditKey) > 0 {
		section(secAuditKey, append(scratch, p.auditKey...))
	}
	if len(p.oldKeys) > 0 {
		body := binary.AppendUvarint(scratch, uint64(len(p.oldKeys)))
		for _, k := range p.oldKeys {
			body = appendString(body, k.id)
			body = binary.AppendUvarint(body, k.gen)
			body = appendBytes(body, k.key)
		}
		section(secOldKeys, body)
	}
	return b
}

// marshalStateBinary encodes a state alone (format 2, without the vault
// file's keys): what a replica seals.
func marshalStateBinary(s State) []byte { return marshalPayload(payload{state: s}) }

// MarshalStateBinary is the compact binary encoding of a state, secrets
// included (docs/vault-format.md), as sync replicas seal it. The result
// must only ever be written inside an encrypted container; the caller
// wipes it.
func MarshalStateBinary(s State) []byte { return marshalStateBinary(s) }

// UnmarshalStateAny decodes a state sealed by a replica or a backup: the
// binary encoding of MarshalStateBinary (formats 1 and 2), or the JSON of
// MarshalState. Every account and setting is checked.
func UnmarshalStateAny(b []byte) (State, error) {
	if bytes.HasPrefix(b, binaryMagicV2) || bytes.HasPrefix(b, binaryMagic) {
		p, err := unmarshalPayload(b)
		if err != nil {
			return State{}, err
		}
		if p.auditKey != nil || p.oldKeys != nil {
			wipePayloadKeys(&p)
			return State{}, errors.New("decode state: a state must not carry vault keys")
		}
		return p.state, nil
	}
	return UnmarshalState(b)
}

var errShort = errors.New("truncated state")

type reader struct {
	b   []byte
	err error
	// views: decoded secrets are views of b, not copies (the vault adopts
	// them into its own buffer from a payload it owns).
	views bool
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	if len(r.b) > 0 && r.b[0] < 0x80 {
		// One byte (most lengths): what binary.Uvarint gives, sooner.
		v := uint64(r.b[0])
		r.b = r.b[1:]
		return v
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes() []byte {
	if r.err == nil && len(r.b) > 0 && int(r.b[0]) < len(r.b) && r.b[0] < 0x80 {
		// A one-byte length (most fields) that fits: what the general
		// path below gives, sooner.
		n := 1 + int(r.b[0])
		v := r.b[1:n:n]
		r.b = r.b[n:]
		return v
	}
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n > maxFieldLen || n > uint64(len(r.b)) {
		r.err = errShort
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) string() string { return string(r.bytes()) }

func (r *reader) small() int {
	v := r.uvarint()
	if v > 1<<31 {
		r.err = errors.New("a number is out of range")
	}
	return int(v)
}

func (r *reader) stamp() Stamp {
	s := r.stampView()
	s.Device = strings.Clone(s.Device)
	return s
}

// view reads a length-prefixed string as a view of the reader's bytes
// (see view).
func (r *reader) view() string { return view(r.bytes()) }

// stampView reads a stamp whose device is a view of the reader's bytes.
func (r *reader) stampView() Stamp {
	s := Stamp{Wall: r.varint()}
	l := r.uvarint()
	if l > 1<<32-1 {
		r.err = errors.New("a stamp is out of range")
	}
	s.Logical = uint32(l)
	s.Device = r.view()
	return s
}

// view returns b's bytes as a string without copying them. The string is
// valid only while b is neither changed nor wiped, so it is never kept:
// the scan below reads accounts through views, and what is kept (a
// decoded account, an index's newest stamp) is cloned first.
func view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// accountScanner reads account entries, checking each exactly as the
// decoder does (the decoder is this scan, cloning what it keeps), into one
// reused Account whose strings, tags and secret are views of the bytes
// read, or (for the index) into nothing but the stamp returned: so nothing
// is allocated per account, and what the payload index accepts is what the
// decoder accepts.
type accountScanner struct {
	a      Account // the entry next read; its Secret is unset (secret holds it)
	secret []byte
	tags   []string
	noFast bool // tests: read through general only, to hold fast to it
}

func newAccountScanner() *accountScanner { return &accountScanner{} }

// next reads and checks account entry i (0-based) into s.a and s.secret;
// r.err says why one is refused.
func (s *accountScanner) next(r *reader, i uint64) { s.scan(r, i, true) }

// scan reads and checks account entry i (0-based) and returns its stamp
// (its device a view of r's bytes). With keep set the entry is in s.a and
// s.secret after; without, nothing is stored: the index keeps only the
// stamp, and storing every field into the scanner (on the heap) cost a
// write barrier per pointer whenever a collection overlapped the scan.
// r.err says why an entry is refused.
func (s *accountScanner) scan(r *reader, i uint64, keep bool) Stamp {
	if r.err == nil && !s.noFast {
		if st, ok := s.fast(r, i, keep); ok {
			return st
		}
	}
	s.general(r)
	if r.err != nil {
		return Stamp{}
	}
	a := &s.a
	s.check(r, i, a.ID, a.Issuer, a.Name, a.Type, a.Algorithm, a.Digits, a.Period, len(s.secret) == 0)
	return a.Stamp
}

// check is the checks of an entry read whole: an ID, and Validate's.
func (s *accountScanner) check(r *reader, i uint64, id, issuer, name string, typ Type, alg Algorithm, digits, period int, noSecret bool) {
	if id == "" {
		r.err = fmt.Errorf("account %d: no id", i+1)
		return
	}
	if err := checkAccount(issuer, name, typ, alg, digits, period, noSecret); err != nil {
		r.err = fmt.Errorf("account %d: %w", i+1, err)
	}
}

// fast is scan's reading of an entry from a local cursor, its fields in
// locals: general goes through the reader field by field (a call, an error
// check and a store of r.b each, about 20 per entry), which was most of
// the open-time scan. It reports false, r and s untouched, where the
// entry's bytes are out of the ordinary (a field cut short, a length of
// more than one byte, a number out of range): general then reads the
// entry again and words any refusal, so the words cannot differ. What it reads it checks
// as scan does. TestScanFastMatchesGeneral and FuzzScanFastMatchesGeneral
// hold it to general.
func (s *accountScanner) fast(r *reader, i uint64, keep bool) (Stamp, bool) {
	b, o := r.b, 0
	var ok bool
	var id, issuer, name, typ, secret, alg []byte
	if id, o, ok = fieldAt(b, o); !ok {
		return Stamp{}, false
	}
	if issuer, o, ok = fieldAt(b, o); !ok {
		return Stamp{}, false
	}
	if name, o, ok = fieldAt(b, o); !ok {
		return Stamp{}, false
	}
	if typ, o, ok = fieldAt(b, o); !ok {
		return Stamp{}, false
	}
	if secret, o, ok = fieldAt(b, o); !ok {
		return Stamp{}, false
	}
	if alg, o, ok = fieldAt(b, o); !ok {
		return Stamp{}, false
	}
	var digits, period, counter, nt uint64
	if o+4 <= len(b) && (b[o]|b[o+1]|b[o+2]|b[o+3]) < 0x80 {
		// Digits, period, counter and tag count of one byte each (a TOTP
		// account's, with fewer than 128 tags), read at once.
		digits, period, counter, nt = uint64(b[o]), uint64(b[o+1]), uint64(b[o+2]), uint64(b[o+3])
		o += 4
	} else {
		if digits, o, ok = uvarintAt(b, o); !ok || digits > 1<<31 {
			return Stamp{}, false
		}
		if period, o, ok = uvarintAt(b, o); !ok || period > 1<<31 {
			return Stamp{}, false
		}
		if counter, o, ok = uvarintAt(b, o); !ok {
			return Stamp{}, false
		}
		if nt, o, ok = uvarintAt(b, o); !ok {
			return Stamp{}, false
		}
	}
	if nt > uint64(len(b)-o) {
		return Stamp{}, false
	}
	tagsAt := o
	for range nt {
		if _, o, ok = fieldAt(b, o); !ok {
			return Stamp{}, false
		}
	}
	var note, device []byte
	if note, o, ok = fieldAt(b, o); !ok || o >= len(b) {
		return Stamp{}, false
	}
	fav := b[o] == 1
	o++
	wall, k := binary.Varint(b[o:])
	if k <= 0 {
		return Stamp{}, false
	}
	o += k
	var logical uint64
	if logical, o, ok = uvarintAt(b, o); !ok || logical > 1<<32-1 {
		return Stamp{}, false
	}
	if device, o, ok = fieldAt(b, o); !ok {
		return Stamp{}, false
	}
	st := Stamp{Wall: wall, Logical: uint32(logical), Device: view(device)}
	r.b = b[o:]
	if keep {
		s.tags = s.tags[:0]
		for t, q := []byte(nil), tagsAt; len(s.tags) < int(nt); {
			t, q, _ = fieldAt(b, q)
			s.tags = append(s.tags, view(t))
		}
		s.a = Account{ID: view(id), Issuer: view(issuer), Name: view(name), Type: Type(view(typ)), Algorithm: Algorithm(view(alg)),
			Digits: int(digits), Period: int(period), Counter: counter, Tags: s.tags, Note: view(note), Favorite: fav, Stamp: st}
		s.secret = secret
	}
	s.check(r, i, view(id), view(issuer), view(name), Type(view(typ)), Algorithm(view(alg)), int(digits), int(period), len(secret) == 0)
	return st, true
}

// fieldAt reads the field at b[o:] (o <= len(b)) as the reader's bytes
// does, and where it ends, when its length is one byte (under 128 bytes:
// names, types, secrets, notes and devices as wardkey writes them); ok is
// false for any other, and where bytes would refuse it. Kept this small,
// it is inlined.
func fieldAt(b []byte, o int) (v []byte, end int, ok bool) {
	if o < len(b) {
		if end = o + 1 + int(b[o]); b[o] < 0x80 && end <= len(b) {
			return b[o+1 : end : end], end, true
		}
	}
	return nil, 0, false
}

// uvarintAt reads the uvarint at b[o:] (o <= len(b)) as the reader's
// uvarint does, and where it ends; ok is false where uvarint would refuse
// it.
func uvarintAt(b []byte, o int) (v uint64, end int, ok bool) {
	v, k := binary.Uvarint(b[o:])
	return v, o + k, k > 0
}

// general reads an entry through the reader into s.a and s.secret,
// setting r.err at the first thing wrong.
func (s *accountScanner) general(r *reader) {
	a := &s.a
	a.ID, a.Issuer, a.Name, a.Type = r.view(), r.view(), r.view(), Type(r.view())
	s.secret = r.bytes()
	a.Algorithm = Algorithm(r.view())
	a.Digits, a.Period = r.small(), r.small()
	a.Counter = r.uvarint()
	nt := r.uvarint()
	if nt > uint64(len(r.b)) {
		r.err = errShort
		return
	}
	s.tags = s.tags[:0]
	for range nt {
		s.tags = append(s.tags, r.view())
	}
	a.Tags = s.tags
	a.Note = r.view()
	if len(r.b) < 1 {
		r.err = errShort
		return
	}
	a.Favorite = r.b[0] == 1
	r.b = r.b[1:]
	a.Stamp = r.stampView()
}

// clone returns the account just read, its strings and tags copied. Its
// secret is a copy on the heap (heapSecret) or a view of the bytes read
// (for the vault to adopt into its own buffer, which wipes the original).
func (s *accountScanner) clone(heapSecret bool) Account {
	a := s.a
	a.ID, a.Issuer, a.Name = strings.Clone(a.ID), strings.Clone(a.Issuer), strings.Clone(a.Name)
	// Validate admitted only these, so the constants serve.
	switch a.Type {
	case TOTP:
		a.Type = TOTP
	case HOTP:
		a.Type = HOTP
	case Steam:
		a.Type = Steam
	}
	switch a.Algorithm {
	case SHA1:
		a.Algorithm = SHA1
	case SHA256:
		a.Algorithm = SHA256
	case SHA512:
		a.Algorithm = SHA512
	}
	if heapSecret {
		a.Secret = NewSecret(s.secret)
	} else {
		a.Secret = holdBytes(s.secret)
	}
	a.Tags = make([]string, len(s.tags))
	for i, t := range s.tags {
		a.Tags[i] = strings.Clone(t)
	}
	a.Note = strings.Clone(a.Note)
	a.Stamp.Device = strings.Clone(a.Stamp.Device)
	return a
}

// accounts reads the accounts section's body. With ix nil it returns the
// accounts decoded; otherwise it checks them alike, keeping none: ix
// records where each entry starts in its payload (base is where r's bytes
// start there) and the newest stamp, and the result is only non-nil.
func (r *reader) accounts(ix *payloadIndex, base int) []Account {
	end := base + len(r.b) // where r's bytes end in the payload
	n := r.uvarint()
	if r.err == nil && (n > maxStateAccounts || n > uint64(len(r.b))) {
		r.err = errShort
	}
	if r.err != nil {
		return nil
	}
	var out []Account
	if ix == nil {
		out = make([]Account, 0, n)
	} else {
		out = []Account{}
		ix.offsets = make([]uint32, 0, n)
	}
	sc := newAccountScanner()
	for i := uint64(0); i < n && r.err == nil; i++ {
		at := end - len(r.b)
		if ix != nil {
			// Only where the entry starts and its stamp are kept.
			st := sc.scan(r, i, false)
			if r.err == nil {
				ix.offsets = append(ix.offsets, uint32(at))
				ix.observe(st)
			}
			continue
		}
		if sc.next(r, i); r.err == nil {
			out = append(out, sc.clone(!r.views))
		}
	}
	return out
}

// tombstones reads the tombstones section's body. With ix set it checks
// them alike, keeping none but the newest stamp, and the result is only
// non-nil.
func (r *reader) tombstones(ix *payloadIndex) []Tombstone {
	nt := r.uvarint()
	if nt > uint64(len(r.b)) {
		r.err = errShort
	}
	if r.err != nil {
		return nil
	}
	if ix != nil {
		for i := uint64(0); i < nt && r.err == nil; i++ {
			_ = r.view()
			ix.observe(r.stampView())
		}
		return []Tombstone{}
	}
	out := make([]Tombstone, 0, nt)
	for i := uint64(0); i < nt && r.err == nil; i++ {
		out = append(out, Tombstone{ID: r.string(), Stamp: r.stamp()})
	}
	return out
}

func (r *reader) settings() Settings {
	var s Settings
	n := r.uvarint()
	if n > uint64(len(SettingRanges)) {
		r.err = errors.New("too many settings")
	}
	seen := map[string]bool{}
	for range n {
		if r.err != nil {
			break
		}
		key := r.string()
		val := r.varint()
		st := r.stamp()
		v, sp := s.slot(key)
		switch {
		case r.err != nil:
		case v == nil:
			r.err = fmt.Errorf("setting %q: %w", key, ErrUnknownSetting)
		case seen[key]:
			r.err = fmt.Errorf("setting %q twice", key)
		case val < -1<<31 || val > 1<<31-1:
			r.err = errors.New("a setting is out of range")
		default:
			seen[key] = true
			*v, *sp = int(val), st
		}
	}
	return s
}

// unmarshalPayload decodes a payload of format 1 ("WKS\x01": a state) or
// 2 (sections), checking every account and setting. The caller wipes the
// keys it holds.
func unmarshalPayload(b []byte) (payload, error) { return decodePayload(b, nil, false) }

// decodePayload is unmarshalPayload, which it is with ix nil and views
// false. With ix set (format 2 only) it checks the accounts and
// tombstones exactly as it would decode them but keeps none: ix gets
// where each account starts in b, and the newest stamp; the payload holds
// the rest (settings, keys). With views set the decoded accounts' secrets
// are views of b.
func decodePayload(b []byte, ix *payloadIndex, views bool) (payload, error) {
	var p payload
	switch {
	case bytes.HasPrefix(b, binaryMagic) && ix == nil:
		s, err := unmarshalStateV1(b)
		p.state = s
		return p, err
	case !bytes.HasPrefix(b, binaryMagicV2):
		return p, errors.New("decode state: not a wardkey state")
	}
	r := &reader{b: b[len(binaryMagicV2):]}
	last := p.sections(r, b, 0, ix, views)
	if r.err == nil && (last < secSettings || p.state.Accounts == nil || p.state.Tombstones == nil) {
		r.err = errors.New("a section is missing")
	}
	if r.err == nil {
		r.err = p.state.Settings.Validate()
	}
	if r.err != nil {
		wipePayloadKeys(&p)
		return payload{}, fmt.Errorf("decode state: %w", r.err)
	}
	return p, nil
}

// sections reads the sections in r (the bytes of b from some offset to
// its end) into p, each of a tag above after and the one before it, and
// returns the last tag read; r.err says why they are refused. With ix set
// the accounts and tombstones are checked and indexed, not decoded (see
// decodePayload), and ix learns where the accounts section's body ends
// and where the first section after the tombstones starts (a format-3
// directory records both).
func (p *payload) sections(r *reader, b []byte, after uint64, ix *payloadIndex, views bool) uint64 {
	last := after
	for len(r.b) > 0 && r.err == nil {
		at := len(b) - len(r.b)
		tag := r.uvarint()
		body := r.bytes()
		if r.err != nil {
			break
		}
		if tag <= last {
			r.err = fmt.Errorf("section %d out of order", tag)
			break
		}
		last = tag
		if ix != nil && tag > secTombstones && ix.tail == 0 {
			ix.tail = at
		}
		sr := &reader{b: body, views: views}
		switch tag {
		case secAccounts:
			base := len(b) - len(r.b) - len(body)
			p.state.Accounts = sr.accounts(ix, base)
			if ix != nil {
				ix.accountsEnd = base + len(body)
			}
		case secTombstones:
			p.state.Tombstones = sr.tombstones(ix)
		case secSettings:
			p.state.Settings = sr.settings()
		case secAuditKey:
			if len(body) != keySize {
				sr.err = errors.New("the audit key is not 32 bytes")
			}
			p.auditKey = bytes.Clone(body)
			sr.b = nil
		case secOldKeys:
			n := sr.uvarint()
			if n > uint64(len(sr.b)) {
				sr.err = errShort
			}
			for i := uint64(0); i < n && sr.err == nil; i++ {
				k := oldKey{id: sr.string(), gen: sr.uvarint(), key: bytes.Clone(sr.bytes())}
				if sr.err == nil && (len(k.key) != keySize || !validKeyID(k.id)) {
					sr.err = errors.New("a previous key is malformed")
				}
				p.oldKeys = append(p.oldKeys, k)
			}
		default:
			sr.err = fmt.Errorf("section %d: %w", tag, ErrUnsupportedVersion)
		}
		if sr.err == nil && len(sr.b) != 0 {
			sr.err = fmt.Errorf("section %d: trailing bytes", tag)
		}
		r.err = sr.err
	}
	return last
}

// wipePayloadKeys wipes the keys a decoded payload holds.
func wipePayloadKeys(p *payload) {
	wipe(p.auditKey)
	for _, k := range p.oldKeys {
		wipe(k.key)
	}
	p.auditKey, p.oldKeys = nil, nil
}

// unmarshalStateBinary decodes a state (format 1 or 2) without vault keys.
func unmarshalStateBinary(b []byte) (State, error) {
	p, err := unmarshalPayload(b)
	if err != nil {
		return State{}, err
	}
	wipePayloadKeys(&p)
	return p.state, nil
}

// unmarshalStateV1 decodes the format-1 payload ("WKS\x01"), checking
// every account.
func unmarshalStateV1(b []byte) (State, error) {
	if !bytes.HasPrefix(b, binaryMagic) {
		return State{}, errors.New("decode state: not a wardkey state")
	}
	r := &reader{b: b[len(binaryMagic):]}
	s := State{Accounts: r.accounts(nil, 0)}
	if r.err != nil {
		return State{}, fmt.Errorf("decode accounts: %w", r.err)
	}
	s.Tombstones = r.tombstones(nil)
	s.Settings.LockAfter = int(r.varint())
	s.Settings.Stamp = r.stamp()
	if r.err != nil {
		return State{}, fmt.Errorf("decode state: %w", r.err)
	}
	if len(r.b) != 0 {
		return State{}, errors.New("decode state: trailing bytes")
	}
	if err := s.Settings.Validate(); err != nil {
		return State{}, fmt.Errorf("decode state: %w", err)
	}
	return s, nil
}
