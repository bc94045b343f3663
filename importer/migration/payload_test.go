package migration

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"

	pb "github.com/wardkey/wardkey/importer/migration/internal/migrationpb"
)

// The hand-written codec is held to the generated code and
// google.golang.org/protobuf, its reference: same bytes out, same values and
// same refusals in.

func toPB(p payload) *pb.Payload {
	out := &pb.Payload{Version: p.Version, BatchSize: p.BatchSize, BatchIndex: p.BatchIndex, BatchId: p.BatchID}
	for _, op := range p.OtpParameters {
		out.OtpParameters = append(out.OtpParameters, &pb.Payload_OtpParameters{
			Secret: op.Secret, Name: op.Name, Issuer: op.Issuer,
			Algorithm: pb.Payload_Algorithm(op.Algorithm), Digits: pb.Payload_DigitCount(op.Digits),
			Type: pb.Payload_OtpType(op.Type), Counter: op.Counter,
		})
	}
	return out
}

func fromPB(p *pb.Payload) payload {
	out := payload{Version: p.GetVersion(), BatchSize: p.GetBatchSize(), BatchIndex: p.GetBatchIndex(), BatchID: p.GetBatchId()}
	for _, op := range p.GetOtpParameters() {
		out.OtpParameters = append(out.OtpParameters, otpParameters{
			Secret: op.GetSecret(), Name: op.GetName(), Issuer: op.GetIssuer(),
			Algorithm: int32(op.GetAlgorithm()), Digits: int32(op.GetDigits()),
			Type: int32(op.GetType()), Counter: op.GetCounter(),
		})
	}
	return out
}

// payloadDiff names the first difference between got and want, "" when
// there is none; it shows no secret (nil and empty secrets are equal).
func payloadDiff(got, want payload) string {
	if g, w := [4]int32{got.Version, got.BatchSize, got.BatchIndex, got.BatchID}, [4]int32{want.Version, want.BatchSize, want.BatchIndex, want.BatchID}; g != w {
		return fmt.Sprintf("version, batch size, index, ID %v, want %v", g, w)
	}
	if len(got.OtpParameters) != len(want.OtpParameters) {
		return fmt.Sprintf("%d entries, want %d", len(got.OtpParameters), len(want.OtpParameters))
	}
	for i, g := range got.OtpParameters {
		w := want.OtpParameters[i]
		if !bytes.Equal(g.Secret, w.Secret) {
			return fmt.Sprintf("entry %d: the secrets differ (%d and %d bytes)", i, len(g.Secret), len(w.Secret))
		}
		type rest struct {
			name, issuer     string
			alg, digits, typ int32
			counter          int64
		}
		if g, w := (rest{g.Name, g.Issuer, g.Algorithm, g.Digits, g.Type, g.Counter}), (rest{w.Name, w.Issuer, w.Algorithm, w.Digits, w.Type, w.Counter}); g != w {
			return fmt.Sprintf("entry %d: %+v, want %+v", i, g, w)
		}
	}
	return ""
}

// marshalPB is the reference encoding.
func marshalPB(t testing.TB, p payload) []byte {
	t.Helper()
	raw, err := proto.MarshalOptions{Deterministic: true}.Marshal(toPB(p))
	if err != nil {
		t.Fatalf("proto.Marshal: %v", err)
	}
	return raw
}

// randString is valid UTF-8: ASCII, 2-, 3- and 4-byte runes, empty at
// times, rarely 70 KB.
func randString(r *rand.Rand) string {
	n := r.IntN(24)
	switch r.IntN(20) {
	case 0:
		return ""
	case 1:
		if r.IntN(10) == 0 {
			n = 70_000
		}
	}
	var sb strings.Builder
	for range n {
		var c rune
		switch r.IntN(4) {
		case 0:
			c = rune(r.IntN(0x80))
		case 1:
			c = rune(0x80 + r.IntN(0x800-0x80))
		case 2:
			c = rune(0x800 + r.IntN(0x10000-0x800))
		default:
			c = rune(0x10000 + r.IntN(utf8.MaxRune+1-0x10000))
		}
		if !utf8.ValidRune(c) {
			c = 'ü'
		}
		sb.WriteRune(c)
	}
	return sb.String()
}

func randBytes(r *rand.Rand) []byte {
	n := []int{0, 10, 16, 20, 32, 64, r.IntN(200), 100_000}[r.IntN(8)]
	if n == 100_000 && r.IntN(10) != 0 {
		n = 1
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// randInt32 favors the values at the edges of the encoding: 0 (left out),
// the known enum numbers, negatives (10 bytes) and the extremes.
func randInt32(r *rand.Rand) int32 {
	switch r.IntN(6) {
	case 0:
		return 0
	case 1:
		return int32(r.IntN(5))
	case 2:
		return -int32(r.IntN(3) + 1)
	case 3:
		return []int32{math.MinInt32, math.MaxInt32, 127, 128, 16383, 16384}[r.IntN(6)]
	}
	return int32(r.Uint32())
}

func randInt64(r *rand.Rand) int64 {
	switch r.IntN(4) {
	case 0:
		return 0
	case 1:
		return []int64{math.MinInt64, math.MaxInt64, -1, 1 << 62}[r.IntN(4)]
	}
	return int64(r.Uint64()) >> r.IntN(64)
}

func randPayload(r *rand.Rand) payload {
	p := payload{Version: randInt32(r), BatchSize: randInt32(r), BatchIndex: randInt32(r), BatchID: randInt32(r)}
	for range []int{0, 1, 2, 10, r.IntN(40)}[r.IntN(5)] {
		p.OtpParameters = append(p.OtpParameters, otpParameters{
			Secret: randBytes(r), Name: randString(r), Issuer: randString(r),
			Algorithm: randInt32(r), Digits: randInt32(r), Type: randInt32(r), Counter: randInt64(r),
		})
	}
	return p
}

// TestCodecMatchesProto: on thousands of random payloads, marshal writes
// proto.Marshal's bytes, each side reads the other's, and the values come
// back.
func TestCodecMatchesProto(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 2024))
	n := 3000
	if testing.Short() {
		n = 300
	}
	for i := range n {
		p := randPayload(r)
		want := marshalPB(t, p)
		got, err := p.marshal()
		if err != nil {
			t.Fatalf("payload %d: marshal: %v", i, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("payload %d: marshal wrote %d bytes unlike proto.Marshal's %d (first difference at %d)", i, len(got), len(want), firstDiff(got, want))
		}
		back, err := unmarshalPayload(want)
		if err != nil {
			t.Fatalf("payload %d: unmarshalPayload refused proto.Marshal's bytes: %v", i, err)
		}
		if d := payloadDiff(back, p); d != "" {
			t.Fatalf("payload %d: unmarshalPayload(proto.Marshal): %s", i, d)
		}
		var ref pb.Payload
		if err := proto.Unmarshal(got, &ref); err != nil {
			t.Fatalf("payload %d: proto.Unmarshal refused marshal's bytes: %v", i, err)
		}
		if d := payloadDiff(fromPB(&ref), p); d != "" {
			t.Fatalf("payload %d: proto.Unmarshal(marshal): %s", i, d)
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestMarshalRefusesBadUTF8: proto3 strings must be UTF-8; both encoders
// refuse a name or issuer that is not.
func TestMarshalRefusesBadUTF8(t *testing.T) {
	for _, op := range []otpParameters{
		{Secret: []byte("k"), Name: "a\xffb"},
		{Secret: []byte("k"), Issuer: "\xc3"},
	} {
		p := payload{OtpParameters: []otpParameters{op}}
		if _, err := p.marshal(); !errors.Is(err, errUTF8) {
			t.Errorf("marshal(%q, %q): err = %v, want errUTF8", op.Name, op.Issuer, err)
		}
		if _, err := proto.Marshal(toPB(p)); err == nil {
			t.Errorf("proto.Marshal(%q, %q) succeeded: the reference no longer refuses", op.Name, op.Issuer)
		}
	}
}

// wire builds test input: each argument is a byte, a []byte, a string or a
// tag{num, typ}; varint{v} writes v as a varint.
type (
	tag    struct{ num, typ uint64 }
	varint struct{ v uint64 }
)

func wire(parts ...any) []byte {
	var b []byte
	for _, p := range parts {
		switch p := p.(type) {
		case int:
			b = append(b, byte(p))
		case []byte:
			b = append(b, p...)
		case string:
			b = append(b, p...)
		case tag:
			b = binary.AppendUvarint(b, p.num<<3|p.typ)
		case varint:
			b = binary.AppendUvarint(b, p.v)
		default:
			panic(fmt.Sprintf("wire: %T", p))
		}
	}
	return b
}

// entry is an OtpParameters field 1 holding body.
func entry(body ...any) []byte {
	b := wire(body...)
	return wire(tag{1, 2}, varint{uint64(len(b))}, b)
}

// nestedGroups opens depth groups numbered 9 and closes them.
func nestedGroups(depth int) []byte {
	return append(bytes.Repeat(wire(tag{9, 3}), depth), bytes.Repeat(wire(tag{9, 4}), depth)...)
}

// wireCases are payloads at the edges of the wire format, each with whether
// proto.Unmarshal takes it; they seed FuzzDecodeMatchesProto.
var wireCases = []struct {
	name string
	in   []byte
	ok   bool
}{
	{"empty", nil, true},
	{"batch fields", wire(tag{2, 0}, 1, tag{3, 0}, 3, tag{4, 0}, 2, tag{5, 0}, varint{12345}), true},
	{"last version wins", wire(tag{2, 0}, 1, tag{2, 0}, 2), true},
	{"negative int32 in 10 bytes", wire(tag{5, 0}, varint{uint64(math.MaxUint64 - 4)}), true},
	{"int32 keeps the low 32 bits", wire(tag{3, 0}, varint{1<<40 | 7}), true},
	{"10-byte varint with top bit", wire(tag{7, 0}, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), true},
	{"10-byte varint overflowing", wire(tag{2, 0}, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02), false},
	{"11-byte varint", wire(tag{2, 0}, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), false},
	{"varint cut", wire(tag{2, 0}, 0x80), false},
	{"tag cut", wire(0x80), false},
	{"two entries", wire(entry(tag{1, 2}, 1, "k", tag{2, 2}, 1, "a"), entry(tag{4, 0}, 2, tag{6, 0}, 1, tag{7, 0}, 9)), true},
	{"empty entry", entry(), true},
	{"entry fields repeated: last wins", entry(tag{2, 2}, 1, "a", tag{2, 2}, 1, "b", tag{1, 2}, 1, "x", tag{1, 2}, 0, tag{4, 0}, 3, tag{4, 0}, 1), true},
	{"unknown enum numbers kept", entry(tag{4, 0}, 99, tag{5, 0}, varint{math.MaxUint64}, tag{6, 0}, varint{1 << 31}), true},
	{"field 8 (an ID string) skipped", entry(tag{1, 2}, 1, "k", tag{8, 2}, 3, "xyz"), true},
	{"unknown fields of every wire type", wire(tag{6, 0}, 5, tag{7, 1}, "12345678", tag{8, 2}, 2, "ab", tag{9, 5}, "1234", tag{10, 3}, tag{1, 0}, 1, tag{10, 4}), true},
	{"unknown fields inside an entry", entry(tag{9, 1}, "12345678", tag{9, 5}, "1234", tag{9, 3}, tag{9, 4}), true},
	{"fixed64 cut", wire(tag{7, 1}, "1234567"), false},
	{"fixed32 cut", wire(tag{7, 5}, "123"), false},
	{"bytes cut", wire(tag{8, 2}, 5, "abc"), false},
	{"entry cut", wire(tag{1, 2}, 5, tag{2, 0}), false},
	{"entry holding a cut field", wire(tag{1, 2}, 2, tag{2, 2}, 5), false},
	{"version as fixed32: skipped", wire(tag{2, 5}, "1234"), true},
	{"version as bytes: skipped", wire(tag{2, 2}, 1, "x"), true},
	{"entries as a varint: skipped", wire(tag{1, 0}, 1), true},
	{"name as a varint: skipped", entry(tag{2, 0}, 1), true},
	{"secret as fixed64: skipped", entry(tag{1, 1}, "12345678"), true},
	{"known field as a group: skipped", wire(tag{2, 3}, tag{1, 0}, 1, tag{2, 4}), true},
	{"group of groups", wire(tag{9, 3}, tag{8, 3}, tag{8, 4}, tag{9, 4}), true},
	{"group closed by another number", wire(tag{9, 3}, tag{8, 4}), false},
	{"group never closed", wire(tag{9, 3}, tag{1, 0}, 1), false},
	{"end of group outside a group", wire(tag{9, 4}), false},
	{"end of group inside an entry", entry(tag{9, 4}), false},
	{"groups nested 10001 deep", nestedGroups(10001), true},
	{"groups nested 10002 deep", nestedGroups(10002), false},
	{"field number 0", wire(tag{0, 0}, 1), false},
	{"field number 2^29-1", wire(tag{1<<29 - 1, 0}, 1), true},
	{"field number 2^29", wire(tag{1 << 29, 0}, 1), false},
	{"field number 2^31-1 in a group", wire(tag{9, 3}, tag{math.MaxInt32, 0}, 1, tag{9, 4}), true},
	{"field number 2^31 in a group", wire(tag{9, 3}, tag{math.MaxInt32 + 1, 0}, 1, tag{9, 4}), false},
	{"field number 0 in a group", wire(tag{9, 3}, tag{0, 0}, 1, tag{9, 4}), false},
	{"wire type 6", wire(tag{2, 6}, 1), false},
	{"wire type 7 in a group", wire(tag{9, 3}, tag{2, 7}, tag{9, 4}), false},
	{"name not UTF-8", entry(tag{2, 2}, 1, "\xff"), false},
	{"issuer not UTF-8, later replaced", entry(tag{3, 2}, 1, "\xc3", tag{3, 2}, 1, "ok"), false},
	{"secret not UTF-8", entry(tag{1, 2}, 2, "\xff\xfe"), true},
	{"unknown bytes not UTF-8", entry(tag{8, 2}, 1, "\xff"), true},
	{"name of 3-byte runes", entry(tag{2, 2}, 6, "€€"), true},
}

// decodeBoth decodes in with both codecs and fails t when they disagree.
// It reports whether they accepted in.
func decodeBoth(t *testing.T, in []byte) bool {
	t.Helper()
	var ref pb.Payload
	refErr := proto.Unmarshal(in, &ref)
	got, err := unmarshalPayload(in)
	switch {
	case (err == nil) != (refErr == nil):
		t.Fatalf("unmarshalPayload: err = %v; proto.Unmarshal: err = %v", err, refErr)
	case err != nil:
		return false
	}
	if d := payloadDiff(got, fromPB(&ref)); d != "" {
		t.Fatalf("unmarshalPayload and proto.Unmarshal differ: %s", d)
	}
	return true
}

func TestUnmarshalMatchesProto(t *testing.T) {
	for _, tc := range wireCases {
		t.Run(tc.name, func(t *testing.T) {
			if ok := decodeBoth(t, tc.in); ok != tc.ok {
				t.Errorf("accepted = %v, want %v", ok, tc.ok)
			}
		})
	}
}

// TestUnmarshalValues checks a few decoded values outright, not only
// against the reference.
func TestUnmarshalValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want payload
	}{
		{"negative batch ID", wire(tag{5, 0}, varint{uint64(math.MaxUint64 - 4)}), payload{BatchID: -5}},
		{"low 32 bits", wire(tag{3, 0}, varint{1<<40 | 7}), payload{BatchSize: 7}},
		{"last wins", wire(tag{2, 0}, 1, tag{2, 5}, "1234", tag{2, 0}, 2), payload{Version: 2}},
		{"entry", entry(tag{1, 2}, 1, "k", tag{2, 2}, 1, "a", tag{2, 2}, 1, "b", tag{4, 0}, 99, tag{7, 0}, varint{math.MaxUint64}, tag{8, 2}, 1, "i"),
			payload{OtpParameters: []otpParameters{{Secret: []byte("k"), Name: "b", Algorithm: 99, Counter: -1}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := unmarshalPayload(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if d := payloadDiff(got, tc.want); d != "" {
				t.Error(d)
			}
		})
	}
}

// TestMarshalBytes checks the encoding outright: field order, defaults
// left out, negative numbers in 10 bytes, empty entries kept.
func TestMarshalBytes(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   payload
		want []byte
	}{
		{"zero", payload{}, nil},
		{"batch", payload{Version: 1, BatchSize: 2, BatchIndex: 1, BatchID: -1},
			wire(tag{2, 0}, 1, tag{3, 0}, 2, tag{4, 0}, 1, tag{5, 0}, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)},
		{"empty entry", payload{OtpParameters: []otpParameters{{}}}, wire(tag{1, 2}, 0)},
		{"entry", payload{OtpParameters: []otpParameters{{Secret: []byte("k"), Name: "n", Issuer: "i", Algorithm: 1, Digits: 2, Type: 1, Counter: 300}}, Version: 1},
			wire(entry(tag{1, 2}, 1, "k", tag{2, 2}, 1, "n", tag{3, 2}, 1, "i", tag{4, 0}, 1, tag{5, 0}, 2, tag{6, 0}, 1, tag{7, 0}, varint{300}), tag{2, 0}, 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.in.marshal()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Errorf("marshal = %x, want %x", got, tc.want)
			}
			if ref := marshalPB(t, tc.in); !bytes.Equal(got, ref) {
				t.Errorf("marshal = %x, proto.Marshal = %x", got, ref)
			}
		})
	}
}

// TestSecretNotPrinted: no fmt verb shows a payload's secret.
func TestSecretNotPrinted(t *testing.T) {
	p := payload{OtpParameters: []otpParameters{{Secret: []byte("HUNTER2-SECRET"), Name: "n"}}}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		for _, v := range []any{p, &p, p.OtpParameters[0], p.OtpParameters[0].Secret} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, "HUNTER2") || strings.Contains(strings.ToLower(out), "48554e54") || strings.Contains(out, "72 85 78") {
				t.Errorf("%s of %T shows the secret: %s", verb, v, out)
			}
		}
	}
}

// TestDecodeRefusalWraps: Decode's sentence is unchanged, and the fault is
// there for errors.Is.
func TestDecodeRefusalWraps(t *testing.T) {
	uri := "otpauth-migration://offline?data=" + base64.StdEncoding.EncodeToString(entry(tag{2, 2}, 1, "\xff"))
	_, err := Decode(uri)
	if err == nil || err.Error() != "the migration data is not a Google Authenticator export" {
		t.Fatalf("err = %v", err)
	}
	if !errors.Is(err, errUTF8) {
		t.Errorf("err does not wrap errUTF8")
	}
}

// FuzzDecodeMatchesProto: for any bytes, unmarshalPayload accepts exactly
// what proto.Unmarshal accepts, with the same values; what it accepts
// marshals back to proto.Marshal's bytes.
func FuzzDecodeMatchesProto(f *testing.F) {
	for _, tc := range wireCases {
		if len(tc.in) < 1000 {
			f.Add(tc.in)
		}
	}
	for _, s := range seeds(f) {
		if i := strings.Index(s, "data="); i >= 0 {
			data, _, _ := strings.Cut(s[i+5:], "&")
			if data, err := url.PathUnescape(data); err == nil {
				if raw, err := decodeBase64(data); err == nil {
					f.Add(raw)
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if !decodeBoth(t, in) {
			return
		}
		p, _ := unmarshalPayload(in)
		got, err := p.marshal()
		if err != nil {
			t.Fatalf("marshal of a decoded payload: %v", err)
		}
		if want := marshalPB(t, p); !bytes.Equal(got, want) {
			t.Fatalf("marshal = %x, proto.Marshal = %x", got, want)
		}
	})
}

// BenchmarkUnmarshalPayload: the payload of BenchmarkDecode's code, by the
// hand-written codec and by proto.Unmarshal, in one run.
func BenchmarkUnmarshalPayload(b *testing.B) {
	p := payload{Version: 1, BatchSize: 1, BatchID: -1320898453}
	for i := range DefaultBatchSize {
		p.OtpParameters = append(p.OtpParameters, otpParameters{Secret: []byte("12345678901234567890"), Name: fmt.Sprintf("nurse-%d@example.org", i), Issuer: "Clinic ü", Algorithm: algorithmSHA1, Digits: digitsSix, Type: otpTypeTOTP})
	}
	raw := marshalPB(b, p)
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if got, err := unmarshalPayload(raw); err != nil || len(got.OtpParameters) != DefaultBatchSize {
				b.Fatalf("%d entries, %v", len(got.OtpParameters), err)
			}
		}
	})
	b.Run("proto", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			var got pb.Payload
			if err := proto.Unmarshal(raw, &got); err != nil || len(got.OtpParameters) != DefaultBatchSize {
				b.Fatalf("%d entries, %v", len(got.OtpParameters), err)
			}
		}
	})
}

// TestMarshalSizeExact: marshal allocates the encoding at its exact size,
// so that no outgrown copy of a secret is left behind.
func TestMarshalSizeExact(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 300 {
		p := randPayload(r)
		b, err := p.marshal()
		if err != nil {
			t.Fatal(err)
		}
		if cap(b) != len(b) {
			t.Fatalf("payload %d: %d bytes in a buffer of %d", i, len(b), cap(b))
		}
	}
}
