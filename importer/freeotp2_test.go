package importer

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardkey/wardkey/vault"
)

// javaLong, javaRef and javaRaw are stream elements for javaStream besides
// plain strings (TC_STRING).
type (
	javaLong string // TC_LONGSTRING
	javaRef  uint32 // TC_REFERENCE to handle 0x7E0000+n
	javaRaw  []byte // bytes as they are
)

// javaStream writes a serialised HashMap the way Java's ObjectOutputStream
// does (the API-25+ class descriptor: loadFactor and threshold), with
// size = len(elems)/2 unless size >= 0.
func javaStream(size int, elems ...any) []byte {
	var b bytes.Buffer
	b.Write(javaHashMapHeader)
	binary.Write(&b, binary.BigEndian, uint64(javaHashMapSUID))
	b.Write([]byte{0x03, 0x00, 0x02})
	b.Write([]byte("F\x00\x0aloadFactorI\x00\x09threshold"))
	b.Write([]byte{tcEndBlockData, tcNull})
	b.Write([]byte{0x3f, 0x40, 0, 0, 0, 0, 0, 12})
	if size < 0 {
		size = len(elems) / 2
	}
	b.Write([]byte{tcBlockData, 8, 0, 0, 0, 16})
	binary.Write(&b, binary.BigEndian, uint32(size))
	for _, e := range elems {
		switch e := e.(type) {
		case string:
			b.WriteByte(tcString)
			binary.Write(&b, binary.BigEndian, uint16(len(e)))
			b.WriteString(e)
		case javaLong:
			b.WriteByte(tcLongString)
			binary.Write(&b, binary.BigEndian, uint64(len(e)))
			b.WriteString(string(e))
		case javaRef:
			b.WriteByte(tcReference)
			binary.Write(&b, binary.BigEndian, uint32(javaBaseHandle)+uint32(e))
		case javaRaw:
			b.Write(e)
		}
	}
	b.WriteByte(tcEndBlockData)
	return b.Bytes()
}

func TestReadJavaStringMap(t *testing.T) {
	long := strings.Repeat("x", 70000)
	for _, tc := range []struct {
		name string
		data []byte
		want []javaEntry
		err  string
	}{
		{name: "strings", data: javaStream(-1, "a", "1", "b", "2"), want: []javaEntry{{"a", "1"}, {"b", "2"}}},
		{name: "empty map", data: javaStream(-1), want: []javaEntry{}},
		{name: "long string", data: javaStream(-1, "k", javaLong(long)), want: []javaEntry{{"k", long}}},
		// Handles: 0 class descriptor, 1 the map, 2 "a", 3 "same".
		{name: "reference to an earlier string", data: javaStream(-1, "a", "same", "b", javaRef(3)), want: []javaEntry{{"a", "same"}, {"b", "same"}}},
		{name: "modified UTF-8", data: javaStream(-1, "nul", javaRaw("\x74\x00\x02\xc0\x80"), "emoji", javaRaw("\x74\x00\x06\xed\xa0\xbd\xed\xb8\x80"), "é", "ü"),
			want: []javaEntry{{"nul", "\x00"}, {"emoji", "😀"}, {"é", "ü"}}},

		{name: "reference to the map", data: javaStream(-1, "a", javaRef(1)), err: "reference to something other"},
		{name: "reference forward", data: javaStream(-1, "a", javaRef(9)), err: "reference to something other"},
		{name: "null value", data: javaStream(-1, "a", javaRaw{tcNull}), err: "null"},
		{name: "object value", data: javaStream(-1, "a", javaRaw{tcObject, tcClassDesc}), err: "expected a string"},
		{name: "lone surrogate", data: javaStream(-1, "a", javaRaw("\x74\x00\x03\xed\xa0\xbd")), err: "modified UTF-8"},
		{name: "raw NUL", data: javaStream(-1, "a", javaRaw("\x74\x00\x01\x00")), err: "modified UTF-8"},
		{name: "size larger than the data", data: javaStream(1000), err: "more than the data holds"},
		{name: "size over the limit", data: javaStream(javaMapMaxEntries + 1), err: "more than"},
		{name: "fewer entries than the size", data: javaStream(2, "aaaaaaaa", "1"), err: "expected a string"},
		{name: "long string past the end", data: javaStream(-1, "a", javaRaw("\x7c\x00\x00\x00\x00\x00\x01\x00\x00")), err: "ends too early"},
		{name: "trailing bytes", data: append(javaStream(-1, "a", "1"), 0), err: "follow the HashMap"},
		{name: "truncated", data: javaStream(-1, "a", "1")[:60], err: "ends too early"},
		{name: "another class", data: append([]byte("\xac\xed\x00\x05\x73\x72\x00\x11java.util.TreeMap"), make([]byte, 40)...), err: "does not start with"},
		{name: "not a stream", data: []byte("<map/>"), err: "does not start with"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readJavaStringMap(tc.data)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestReadJavaStringMapFixtures: every FreeOTP 2.x fixture is a map of
// masterKey, and a "<uuid>" and "<uuid>-token" per token.
func TestReadJavaStringMapFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/freeotp/freeotp_v2_*.xml")
	if len(files) != 5 {
		t.Fatalf("%d FreeOTP 2.x fixtures, want 5", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		es, err := readJavaStringMap(b)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		want := 13
		if strings.Contains(f, "null_algo") {
			want = 3
		}
		keys := map[string]bool{}
		for _, e := range es {
			keys[e.key] = true
		}
		if len(es) != want || len(keys) != want || !keys["masterKey"] {
			t.Errorf("%s: %d entries (%d keys), want %d with masterKey", f, len(es), len(keys), want)
		}
	}
}

// freeOTP2Swap returns the api34 fixture with the master key's JSON
// replaced.
func freeOTP2WithMasterKey(t *testing.T, mk string) []byte {
	b, err := os.ReadFile("testdata/freeotp/freeotp_v2_null_algo.xml")
	if err != nil {
		t.Fatal(err)
	}
	es, err := readJavaStringMap(b)
	if err != nil {
		t.Fatal(err)
	}
	var elems []any
	for _, e := range es {
		if e.key == "masterKey" {
			e.value = mk
		}
		elems = append(elems, e.key, e.value)
	}
	return javaStream(-1, elems...)
}

func TestFreeOTP2Refusals(t *testing.T) {
	pass := Options{Passphrase: passFunc("test")}
	for _, tc := range []struct {
		name string
		mk   string
		is   error
		err  string
	}{
		{name: "hostile iteration count", mk: `{"mAlgorithm":"PBKDF2withHmacSHA1","mIterations":2000000000,"mSalt":[1,2]}`, is: ErrKDFTooCostly},
		{name: "no iterations", mk: `{"mAlgorithm":"PBKDF2withHmacSHA1","mSalt":[1,2]}`, err: "iteration count"},
		{name: "other KDF", mk: `{"mAlgorithm":"scrypt","mIterations":1,"mSalt":[1,2]}`, is: ErrNotSupported},
		{name: "not JSON", mk: `{`, err: "not valid JSON"},
		{name: "salt out of byte range", mk: `{"mAlgorithm":"PBKDF2withHmacSHA1","mIterations":1,"mSalt":[1000]}`, err: "mSalt"},
		{name: "other cipher", mk: `{"mAlgorithm":"PBKDF2withHmacSHA1","mIterations":1,"mSalt":[1],"mEncryptedKey":{"mCipher":"AES/CBC/PKCS5Padding"}}`, is: ErrNotSupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := Import(freeOTP2WithMasterKey(t, tc.mk), pass)
			if err == nil {
				t.Fatal("no error")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("err = %v, want %v", err, tc.is)
			}
			if tc.err != "" && !strings.Contains(err.Error(), tc.err) {
				t.Errorf("err = %v, want one containing %q", err, tc.err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("refusing took %v", d)
			}
		})
	}
	b, err := os.ReadFile("testdata/freeotp/freeotp_v2_null_algo.xml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Import(b[:len(b)-1], pass); err == nil || !strings.Contains(err.Error(), "freeotp2:") {
		t.Errorf("truncated backup: err = %v, want a freeotp2 parse error", err)
	}
}

func TestGCMNonce(t *testing.T) {
	n12 := bytes.Repeat([]byte{7}, 12)
	for _, tc := range []struct {
		name string
		der  []byte
		ok   bool
	}{
		{"sequence", append(append([]byte{0x30, 0x11, 0x04, 0x0c}, n12...), 0x02, 0x01, 0x10), true},
		{"sequence without tag length", append([]byte{0x30, 0x0e, 0x04, 0x0c}, n12...), true},
		{"octet string", append([]byte{0x04, 0x0c}, n12...), true},
		{"other tag length", append(append([]byte{0x30, 0x11, 0x04, 0x0c}, n12...), 0x02, 0x01, 0x0c), false},
		{"wrong sequence length", append(append([]byte{0x30, 0x12, 0x04, 0x0c}, n12...), 0x02, 0x01, 0x10), false},
		{"octet string too long", append([]byte{0x04, 0x0d}, n12...), false},
		{"empty", nil, false},
		{"empty nonce", []byte{0x30, 0x02, 0x04, 0x00}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := gcmNonce(tc.der)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok = %v", err, tc.ok)
			}
			if tc.ok && !bytes.Equal(n, n12) {
				t.Fatalf("nonce = %x", n)
			}
		})
	}
}

// FuzzJavaStringMap: the object-stream reader never panics, stays within
// the data, and what it returns re-encodes to a stream it reads the same.
func FuzzJavaStringMap(f *testing.F) {
	files, _ := filepath.Glob("testdata/freeotp/freeotp_v2_*.xml")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(javaStream(-1, "a", "same", "b", javaRef(3), "c", javaLong("long")))
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := readJavaStringMap(data)
		if err != nil {
			return
		}
		if len(es) > javaMapMaxEntries {
			t.Fatalf("%d entries", len(es))
		}
		var elems []any
		for _, e := range es {
			if len(e.key) > 0xFFFF || len(e.value) > 0xFFFF || strings.ContainsRune(e.key+e.value, 0) || !isASCII(e.key+e.value) {
				return // javaStream writes short ASCII strings only
			}
			elems = append(elems, e.key, e.value)
		}
		again, err := readJavaStringMap(javaStream(-1, elems...))
		if err != nil || !slices.Equal(again, es) {
			t.Fatalf("re-encoded map reads differently: %v", err)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// freeOTP2Token is a token for freeOTP2Backup: its "<id>-token" JSON
// (omitted when ""), its secret (omitted when nil) and the secret's mToken.
type freeOTP2Token struct {
	id, token string
	secret    []byte
	mToken    string
	damage    bool // flip a ciphertext byte
}

// signedJSON writes bytes as FreeOTP does: a JSON array of Java bytes.
func signedJSON(b []byte) string {
	v := make([]int, len(b))
	for i, x := range b {
		v[i] = int(int8(x))
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// freeOTP2Seal seals plain as FreeOTP 2.x does, with the SEQUENCE form of
// the GCM parameters.
func freeOTP2Seal(t testing.TB, key, plain []byte, token string) string {
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := cipher.NewGCM(block)
	nonce := bytes.Repeat([]byte{9}, 12)
	der := append(append([]byte{0x30, 0x11, 0x04, 0x0c}, nonce...), 0x02, 0x01, 0x10)
	return fmt.Sprintf(`{"mCipher":"AES/GCM/NoPadding","mCipherText":%s,"mParameters":%s,"mToken":%q}`,
		signedJSON(g.Seal(nil, nonce, plain, []byte(token))), signedJSON(der), token)
}

// freeOTP2Backup builds a FreeOTP 2.x backup with a cheap key derivation.
func freeOTP2Backup(t testing.TB, pass string, iter int, tokens []freeOTP2Token) []byte {
	salt := bytes.Repeat([]byte{0xA5}, 32)
	pk, err := pbkdf2.Key(sha1.New, pass, salt, iter, 32)
	if err != nil {
		t.Fatal(err)
	}
	master := bytes.Repeat([]byte{0x42}, 32)
	mk := fmt.Sprintf(`{"mAlgorithm":"PBKDF2withHmacSHA1","mEncryptedKey":%s,"mIterations":%d,"mSalt":%s}`,
		freeOTP2Seal(t, pk, master, "AES"), iter, signedJSON(salt))
	elems := []any{"masterKey", mk}
	for _, tk := range tokens {
		if tk.secret != nil {
			sealed := freeOTP2Seal(t, master, tk.secret, tk.mToken)
			if tk.damage {
				sealed = strings.Replace(sealed, `"mCipherText":[`, `"mCipherText":[1,`, 1)
			}
			wrapped, _ := json.Marshal(map[string]string{"key": sealed})
			elems = append(elems, tk.id, string(wrapped))
		}
		if tk.token != "" {
			elems = append(elems, tk.id+"-token", tk.token)
		}
	}
	return javaStream(-1, elems...)
}

// TestFreeOTP2Entries: what a backup's entries can be, on a backup built
// here (cheap key derivation).
func TestFreeOTP2Entries(t *testing.T) {
	key := []byte("12345678901234567890")
	data := freeOTP2Backup(t, "pw", 1000, []freeOTP2Token{
		{id: "a", token: `{"algo":"SHA256","counter":5,"digits":8,"issuerExt":"Bank","label":"me","type":"HOTP"}`, secret: key, mToken: "HmacSHA256"},
		{id: "b", token: `{"issuerExt":"Steam","label":"gamer","type":"TOTP"}`, secret: key, mToken: "HmacSHA1"},
		{id: "c", token: `{"issuerExt":"NoSecret","label":"x","type":"TOTP"}`},
		{id: "d", secret: key, mToken: "HmacSHA1"},
		{id: "e", token: `{"issuerExt":"Damaged","label":"y","type":"TOTP"}`, secret: key, mToken: "HmacSHA1", damage: true},
		{id: "f", token: `{"issuerExt":"WrongAAD","label":"z","type":"TOTP"}`, secret: key, mToken: ""},
		{id: "g", token: `{not json`, secret: key, mToken: "HmacSHA1"},
	})
	// "f": sealed with an empty mToken, so opening with "" works: a valid entry.
	res, err := Import(data, Options{Passphrase: passFunc("pw")})
	if err != nil {
		t.Fatal(err)
	}
	sec := "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	checkAccounts(t, res.Accounts, []want{
		{"Bank", "me", vault.HOTP, sec, vault.SHA256, 8, 0, 5},
		{"Steam", "gamer", vault.Steam, sec, vault.SHA1, 5, 30, 0},
		totp("WrongAAD", "z", sec),
	})
	var skipped []string
	for _, s := range res.Skipped {
		skipped = append(skipped, s.Entry+": "+s.Reason)
		if strings.Contains(s.Reason, sec) {
			t.Error("a report shows a secret")
		}
	}
	wantSkipped := []string{
		"NoSecret:x: the backup has no secret for it",
		"entry d: it has a secret but no token details",
		"Damaged:y: its secret does not decrypt with the master key (the backup is damaged)",
		"entry g: its token is not valid JSON",
	}
	slices.Sort(skipped)
	slices.Sort(wantSkipped)
	if !slices.Equal(skipped, wantSkipped) {
		t.Errorf("skipped:\n  %s\nwant:\n  %s", strings.Join(skipped, "\n  "), strings.Join(wantSkipped, "\n  "))
	}
	if _, err := Import(data, Options{Passphrase: passFunc("wrong")}); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("wrong passphrase: err = %v", err)
	}
}
