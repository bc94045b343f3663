package vault

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
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

// marshalStateBinary encodes a state, secrets included, for sealing.
func marshalStateBinary(s State) []byte {
	b := make([]byte, 0, 64+len(s.Accounts)*128)
	b = append(b, binaryMagic...)
	b = binary.AppendUvarint(b, uint64(len(s.Accounts)))
	for _, a := range s.Accounts {
		b = appendString(b, a.ID)
		b = appendString(b, a.Issuer)
		b = appendString(b, a.Name)
		b = appendString(b, string(a.Type))
		b = appendString(b, string(a.Secret.raw()))
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
	b = binary.AppendUvarint(b, uint64(len(s.Tombstones)))
	for _, t := range s.Tombstones {
		b = appendString(b, t.ID)
		b = appendStamp(b, t.Stamp)
	}
	b = binary.AppendVarint(b, int64(s.Settings.LockAfter))
	return appendStamp(b, s.Settings.Stamp)
}

var errShort = errors.New("truncated state")

type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
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
	s := Stamp{Wall: r.varint()}
	l := r.uvarint()
	if l > 1<<32-1 {
		r.err = errors.New("a stamp is out of range")
	}
	s.Logical = uint32(l)
	s.Device = r.string()
	return s
}

// unmarshalStateBinary decodes marshalStateBinary's output, checking every
// account.
func unmarshalStateBinary(b []byte) (State, error) {
	if !bytes.HasPrefix(b, binaryMagic) {
		return State{}, errors.New("decode state: not a wardkey state")
	}
	r := &reader{b: b[len(binaryMagic):]}
	n := r.uvarint()
	if n > maxStateAccounts || n > uint64(len(r.b)) {
		return State{}, fmt.Errorf("decode accounts: %w", errShort)
	}
	s := State{Accounts: make([]Account, 0, n)}
	for i := uint64(0); i < n && r.err == nil; i++ {
		a := Account{ID: r.string(), Issuer: r.string(), Name: r.string(), Type: Type(r.string())}
		a.Secret = NewSecret(r.bytes())
		a.Algorithm = Algorithm(r.string())
		a.Digits, a.Period = r.small(), r.small()
		a.Counter = r.uvarint()
		nt := r.uvarint()
		if nt > uint64(len(r.b)) {
			r.err = errShort
			break
		}
		a.Tags = make([]string, 0, nt)
		for range nt {
			a.Tags = append(a.Tags, r.string())
		}
		a.Note = r.string()
		if len(r.b) < 1 {
			r.err = errShort
			break
		}
		a.Favorite = r.b[0] == 1
		r.b = r.b[1:]
		a.Stamp = r.stamp()
		if r.err != nil {
			break
		}
		if a.ID == "" {
			return State{}, fmt.Errorf("decode account %d: no id", i+1)
		}
		if err := a.Validate(); err != nil {
			return State{}, fmt.Errorf("decode account %d: %w", i+1, err)
		}
		s.Accounts = append(s.Accounts, a)
	}
	nt := r.uvarint()
	if nt > uint64(len(r.b)) {
		r.err = errShort
	}
	s.Tombstones = make([]Tombstone, 0, min(nt, uint64(len(r.b))))
	for i := uint64(0); i < nt && r.err == nil; i++ {
		s.Tombstones = append(s.Tombstones, Tombstone{ID: r.string(), Stamp: r.stamp()})
	}
	s.Settings.LockAfter = int(r.varint())
	s.Settings.Stamp = r.stamp()
	if r.err != nil {
		return State{}, fmt.Errorf("decode state: %w", r.err)
	}
	if len(r.b) != 0 {
		return State{}, errors.New("decode state: trailing bytes")
	}
	return s, nil
}
