package migration

// The Payload of migration.proto, read and written by hand in the protobuf
// wire format rather than with google.golang.org/protobuf: linking that
// runtime put its package initializers (about 0.4 ms, and a read of the
// executable by internal/detrand) into every wardkey command, though only an
// import or an export ever touches a payload.
//
// The codec follows what proto.Unmarshal and proto.Marshal (deterministic) do
// with the code protoc-gen-go generates for migration.proto, kept in
// internal/migrationpb for the tests, which hold the two to each other byte
// for byte and refusal for refusal:
//
//   - a field number outside 1..2^29-1 or a wire type of 6 or 7 is refused;
//   - a known field with another wire type than its own is skipped as an
//     unknown field, not refused;
//   - unknown fields are skipped by their wire type: varints, fixed32,
//     fixed64, length-delimited bytes and groups (start and end markers
//     matched, at most 10001 nested, as protowire.ConsumeFieldValue);
//   - an end-group marker outside a group is refused;
//   - a varint longer than 10 bytes, or whose 10th byte holds more than one
//     bit, is refused, as is anything that ends inside a field;
//   - a scalar field seen twice keeps its last value; every otp_parameters
//     field adds an entry (the schema has no singular message field, so
//     nothing is ever merged);
//   - int32 and enum fields keep the low 32 bits of the varint, so negative
//     values written sign-extended in 10 bytes come back; enums are open:
//     an unknown number is kept;
//   - a string field (name, issuer) that is not valid UTF-8 is refused, as
//     proto3 does, even when a later occurrence would replace it.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"unicode/utf8"
)

// Values of Payload.Algorithm.
const (
	algorithmUnspecified int32 = 0
	algorithmSHA1        int32 = 1
	algorithmSHA256      int32 = 2
	algorithmSHA512      int32 = 3
	algorithmMD5         int32 = 4
)

// Values of Payload.DigitCount.
const (
	digitsUnspecified int32 = 0
	digitsSix         int32 = 1
	digitsEight       int32 = 2
)

// Values of Payload.OtpType.
const (
	otpTypeUnspecified int32 = 0
	otpTypeHOTP        int32 = 1
	otpTypeTOTP        int32 = 2
)

// payload is a decoded Payload message. Its fields are exported so that fmt
// reaches the secretBytes Format method of each entry's secret.
type payload struct {
	OtpParameters []otpParameters // field 1
	Version       int32           // field 2
	BatchSize     int32           // field 3
	BatchIndex    int32           // field 4
	BatchID       int32           // field 5
}

// otpParameters is one Payload.OtpParameters entry. Algorithm, Digits and
// Type hold enum numbers, known or not.
type otpParameters struct {
	Secret    secretBytes // field 1
	Name      string      // field 2
	Issuer    string      // field 3
	Algorithm int32       // field 4
	Digits    int32       // field 5
	Type      int32       // field 6
	Counter   int64       // field 7
}

// secretBytes is an OTP secret. It prints as a placeholder with every fmt
// verb, so that a payload in an error, a log line or a panic shows no key.
type secretBytes []byte

// Format writes a placeholder instead of the secret.
func (s secretBytes) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, fmt.Sprintf("[secret: %d bytes]", len(s)))
}

// Wire types.
const (
	wireVarint     = 0
	wireFixed64    = 1
	wireBytes      = 2
	wireStartGroup = 3
	wireEndGroup   = 4
	wireFixed32    = 5
)

const (
	// maxFieldNumber is the largest field number protobuf allows in a tag.
	maxFieldNumber = 1<<29 - 1
	// maxGroupDepth is how many unknown groups may nest, as in
	// protowire.ConsumeFieldValue (protowire.DefaultRecursionLimit + 1).
	maxGroupDepth = 10001
)

// Why a payload is refused. Decode shows none of them: its users get one
// sentence for every malformed payload.
var (
	errTruncated   = errors.New("the payload ends in the middle of a field")
	errOverflow    = errors.New("the payload has a varint longer than 64 bits")
	errFieldNumber = errors.New("the payload has a field number outside 1 to 536870911")
	errWireType    = errors.New("the payload has a field of the reserved wire type 6 or 7")
	errEndGroup    = errors.New("the payload has an end-of-group mark that closes no open group")
	errGroupDepth  = errors.New("the payload nests groups more than 10001 deep")
	errUTF8        = errors.New("a name or issuer in the payload is not valid UTF-8")
)

// consumeVarint reads one varint from the start of b and its length.
func consumeVarint(b []byte) (uint64, int, error) {
	if len(b) > 0 && b[0] < 0x80 { // most tags, lengths and enums
		return uint64(b[0]), 1, nil
	}
	v, n := binary.Uvarint(b)
	switch {
	case n == 0:
		return 0, 0, errTruncated
	case n < 0:
		return 0, 0, errOverflow
	}
	return v, n, nil
}

// consumeBytes reads one length-delimited value from the start of b, and the
// length of the whole (length prefix included). The value aliases b.
func consumeBytes(b []byte) ([]byte, int, error) {
	m, n, err := consumeVarint(b)
	if err != nil {
		return nil, 0, err
	}
	if m > uint64(len(b)-n) {
		return nil, 0, errTruncated
	}
	return b[n : n+int(m)], n + int(m), nil
}

// consumeTag reads the tag of a message field: its number, within 1 to
// maxFieldNumber, and its wire type, which cannot be an end-group mark
// (a message is never inside a group in this schema).
func consumeTag(b []byte) (num uint64, typ int, n int, err error) {
	tag, n, err := consumeVarint(b)
	if err != nil {
		return 0, 0, 0, err
	}
	num, typ = tag>>3, int(tag&7)
	if num < 1 || num > maxFieldNumber {
		return 0, 0, 0, errFieldNumber
	}
	if typ == wireEndGroup {
		return 0, 0, 0, errEndGroup
	}
	return num, typ, n, nil
}

// skipField returns the length of the value of an unknown field of wire type
// typ and number num at the start of b.
func skipField(num uint64, typ int, b []byte) (int, error) {
	switch typ {
	case wireVarint:
		_, n, err := consumeVarint(b)
		return n, err
	case wireFixed64:
		if len(b) < 8 {
			return 0, errTruncated
		}
		return 8, nil
	case wireBytes:
		_, n, err := consumeBytes(b)
		return n, err
	case wireFixed32:
		if len(b) < 4 {
			return 0, errTruncated
		}
		return 4, nil
	case wireStartGroup:
		return skipGroup(num, b)
	case wireEndGroup:
		return 0, errEndGroup
	}
	return 0, errWireType
}

// skipGroup returns the length of the group numbered num whose start mark
// was just read, up to and including its end mark. Inside a group, as in
// protowire.ConsumeTag, a field number may be up to 2^31-1.
func skipGroup(num uint64, b []byte) (int, error) {
	open := []uint64{num}
	n0 := len(b)
	for len(open) > 0 {
		tag, n, err := consumeVarint(b)
		if err != nil {
			return 0, err
		}
		b = b[n:]
		num, typ := tag>>3, int(tag&7)
		if num < 1 || num > math.MaxInt32 {
			return 0, errFieldNumber
		}
		switch typ {
		case wireStartGroup:
			if len(open) == maxGroupDepth {
				return 0, errGroupDepth
			}
			open = append(open, num)
			continue
		case wireEndGroup:
			if open[len(open)-1] != num {
				return 0, errEndGroup
			}
			open = open[:len(open)-1]
			continue
		}
		n, err = skipField(num, typ, b)
		if err != nil {
			return 0, err
		}
		b = b[n:]
	}
	return n0 - len(b), nil
}

// unmarshalPayload decodes a Payload as proto.Unmarshal does. The secrets
// alias b.
func unmarshalPayload(b []byte) (payload, error) {
	var p payload
	if n := countEntries(b); n > 0 {
		p.OtpParameters = make([]otpParameters, 0, n)
	}
	for len(b) > 0 {
		num, typ, n, err := consumeTag(b)
		if err != nil {
			return payload{}, err
		}
		b = b[n:]
		switch {
		case num == 1 && typ == wireBytes:
			var v []byte
			v, n, err = consumeBytes(b)
			if err != nil {
				return payload{}, err
			}
			op, err := unmarshalOtpParameters(v)
			if err != nil {
				return payload{}, err
			}
			p.OtpParameters = append(p.OtpParameters, op)
		case num >= 2 && num <= 5 && typ == wireVarint:
			var v uint64
			v, n, err = consumeVarint(b)
			if err != nil {
				return payload{}, err
			}
			switch num {
			case 2:
				p.Version = int32(v)
			case 3:
				p.BatchSize = int32(v)
			case 4:
				p.BatchIndex = int32(v)
			case 5:
				p.BatchID = int32(v)
			}
		default:
			n, err = skipField(num, typ, b)
			if err != nil {
				return payload{}, err
			}
		}
		b = b[n:]
	}
	return p, nil
}

// countEntries counts the otp_parameters fields of a Payload, so that
// unmarshalPayload sizes its slice once. It stops at the first fault, which
// unmarshalPayload then reports.
func countEntries(b []byte) int {
	count := 0
	for len(b) > 0 {
		num, typ, n, err := consumeTag(b)
		if err != nil {
			return count
		}
		b = b[n:]
		if num == 1 && typ == wireBytes {
			count++
		}
		if n, err = skipField(num, typ, b); err != nil {
			return count
		}
		b = b[n:]
	}
	return count
}

// unmarshalOtpParameters decodes one OtpParameters message.
func unmarshalOtpParameters(b []byte) (otpParameters, error) {
	var op otpParameters
	for len(b) > 0 {
		num, typ, n, err := consumeTag(b)
		if err != nil {
			return otpParameters{}, err
		}
		b = b[n:]
		switch {
		case num >= 1 && num <= 3 && typ == wireBytes:
			var v []byte
			v, n, err = consumeBytes(b)
			if err != nil {
				return otpParameters{}, err
			}
			switch {
			case num == 1:
				op.Secret = v
			case !utf8.Valid(v):
				return otpParameters{}, errUTF8
			case num == 2:
				op.Name = string(v)
			case num == 3:
				op.Issuer = string(v)
			}
		case num >= 4 && num <= 7 && typ == wireVarint:
			var v uint64
			v, n, err = consumeVarint(b)
			if err != nil {
				return otpParameters{}, err
			}
			switch num {
			case 4:
				op.Algorithm = int32(v)
			case 5:
				op.Digits = int32(v)
			case 6:
				op.Type = int32(v)
			case 7:
				op.Counter = int64(v)
			}
		default:
			n, err = skipField(num, typ, b)
			if err != nil {
				return otpParameters{}, err
			}
		}
		b = b[n:]
	}
	return op, nil
}

// sizeVarint is the length of v as a varint.
func sizeVarint(v uint64) int { return (bits.Len64(v|1) + 6) / 7 }

// sizeVarintField is the length of a varint field numbered below 16 holding
// v, 0 when v is 0 (left out).
func sizeVarintField(v uint64) int {
	if v == 0 {
		return 0
	}
	return 1 + sizeVarint(v)
}

// sizeBytesField is the length of a length-delimited field numbered below 16
// holding n bytes, 0 when n is 0 (left out).
func sizeBytesField(n int) int {
	if n == 0 {
		return 0
	}
	return 1 + sizeVarint(uint64(n)) + n
}

// appendVarintField appends field num as a varint, unless v is 0 (proto3
// leaves default values out). Negative int32 and enum values are passed
// sign-extended, as protobuf writes them: 10 bytes.
func appendVarintField(b []byte, num int, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = binary.AppendUvarint(b, uint64(num)<<3|wireVarint)
	return binary.AppendUvarint(b, v)
}

// appendBytesField appends field num as a length-delimited value, unless v
// is empty.
func appendBytesField[T string | []byte](b []byte, num int, v T) []byte {
	if len(v) == 0 {
		return b
	}
	b = binary.AppendUvarint(b, uint64(num)<<3|wireBytes)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// marshal encodes p as proto.Marshal does with Deterministic set: fields in
// number order, default values left out, every entry written even when
// empty. A name or issuer that is not valid UTF-8 is refused, as proto3
// requires. The result is allocated once at its exact size, so that no
// outgrown copy of a secret is left behind for the garbage collector.
func (p *payload) marshal() ([]byte, error) {
	size := sizeVarintField(uint64(int64(p.Version))) + sizeVarintField(uint64(int64(p.BatchSize))) +
		sizeVarintField(uint64(int64(p.BatchIndex))) + sizeVarintField(uint64(int64(p.BatchID)))
	for i := range p.OtpParameters {
		op := &p.OtpParameters[i]
		if !utf8.ValidString(op.Name) || !utf8.ValidString(op.Issuer) {
			return nil, errUTF8
		}
		n := op.size()
		size += 1 + sizeVarint(uint64(n)) + n
	}
	b := make([]byte, 0, size)
	for i := range p.OtpParameters {
		op := &p.OtpParameters[i]
		b = binary.AppendUvarint(b, 1<<3|wireBytes)
		b = binary.AppendUvarint(b, uint64(op.size()))
		b = appendBytesField(b, 1, []byte(op.Secret))
		b = appendBytesField(b, 2, op.Name)
		b = appendBytesField(b, 3, op.Issuer)
		b = appendVarintField(b, 4, uint64(int64(op.Algorithm)))
		b = appendVarintField(b, 5, uint64(int64(op.Digits)))
		b = appendVarintField(b, 6, uint64(int64(op.Type)))
		b = appendVarintField(b, 7, uint64(op.Counter))
	}
	b = appendVarintField(b, 2, uint64(int64(p.Version)))
	b = appendVarintField(b, 3, uint64(int64(p.BatchSize)))
	b = appendVarintField(b, 4, uint64(int64(p.BatchIndex)))
	b = appendVarintField(b, 5, uint64(int64(p.BatchID)))
	return b, nil
}

// size is the length of op's encoded fields.
func (op *otpParameters) size() int {
	return sizeBytesField(len(op.Secret)) + sizeBytesField(len(op.Name)) + sizeBytesField(len(op.Issuer)) +
		sizeVarintField(uint64(int64(op.Algorithm))) + sizeVarintField(uint64(int64(op.Digits))) +
		sizeVarintField(uint64(int64(op.Type))) + sizeVarintField(uint64(op.Counter))
}
