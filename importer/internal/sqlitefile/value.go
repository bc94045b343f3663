package sqlitefile

import (
	"encoding/binary"
	"math"
	"unicode/utf16"
	"unicode/utf8"
)

// Kind is the storage class of a value.
type Kind uint8

// The storage classes of SQLite values.
const (
	Null Kind = iota
	Integer
	Float
	Text
	Blob
)

// Value is one column of one row. Text is always UTF-8 (converted from a
// UTF-16 database); Bytes of a text or blob may share memory with the
// file's bytes and must not be modified.
type Value struct {
	Kind  Kind
	Int   int64
	Float float64
	Bytes []byte
}

// serialSize is the length of a record field of serial type t.
func serialSize(t uint64) uint64 {
	switch {
	case t >= 12:
		return (t - 12) / 2
	case t <= 4:
		return [...]uint64{0, 1, 2, 3, 4}[t]
	case t == 5:
		return 6
	case t == 6, t == 7:
		return 8
	}
	return 0 // 8, 9: the constants 0 and 1; 10, 11: reserved, read as NULL (as SQLite does)
}

// field decodes field b of serial type t.
func (d *DB) field(t uint64, b []byte) Value {
	switch {
	case t >= 1 && t <= 6:
		v := int64(int8(b[0])) // sign-extended big-endian two's complement
		for _, c := range b[1:] {
			v = v<<8 | int64(c)
		}
		return Value{Kind: Integer, Int: v}
	case t == 7:
		f := math.Float64frombits(binary.BigEndian.Uint64(b))
		if math.IsNaN(f) {
			return Value{} // SQLite reads a stored NaN as NULL
		}
		return Value{Kind: Float, Float: f}
	case t == 8, t == 9:
		return Value{Kind: Integer, Int: int64(t - 8)}
	case t >= 12 && t%2 == 0:
		return Value{Kind: Blob, Bytes: b}
	case t >= 13:
		return Value{Kind: Text, Bytes: d.text(b)}
	}
	return Value{}
}

// text converts text as stored to UTF-8. A trailing odd byte of UTF-16 is
// dropped (as SQLite does); an unpaired surrogate becomes U+FFFD (where
// SQLite would write bytes that are not UTF-8).
func (d *DB) text(b []byte) []byte {
	if d.utf16 == nil {
		return b
	}
	out := make([]byte, 0, len(b)+len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		r := rune(d.utf16.Uint16(b[i:]))
		if utf16.IsSurrogate(r) && r < 0xDC00 && i+3 < len(b) {
			if r2 := rune(d.utf16.Uint16(b[i+2:])); r2 >= 0xDC00 && r2 < 0xE000 {
				r = utf16.DecodeRune(r, r2)
				i += 2
			}
		}
		out = utf8.AppendRune(out, r) // a lone surrogate: U+FFFD
	}
	return out
}

// record splits a record's payload into its serial types and field
// offsets, appended to types and offs.
func record(payload []byte, types, offs []uint64) ([]uint64, []uint64, error) {
	hsize, k := uvarint(payload)
	if k == 0 || hsize < uint64(k) || hsize > uint64(len(payload)) {
		return nil, nil, damaged("a record's header runs past the record")
	}
	h := payload[k:hsize]
	off := hsize
	for len(h) > 0 {
		t, n := uvarint(h)
		if n == 0 {
			return nil, nil, damaged("a record's header runs past the record")
		}
		h = h[n:]
		size := serialSize(t)
		if size > uint64(len(payload))-off {
			return nil, nil, damaged("a record's fields run past the record")
		}
		types, offs = append(types, t), append(offs, off)
		off += size
	}
	return types, offs, nil
}
