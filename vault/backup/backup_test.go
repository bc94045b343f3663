package backup

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/wardkey/wardkey/vault"
)

// testWorkFactor keeps unit tests fast; the product writes 18.
const testWorkFactor = 10

var testBackupOpts = Options{WorkFactor: testWorkFactor, VaultID: "vault-1", Device: "dev-1", App: "wardkey test",
	Created: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}

func writeTestBackup(t testing.TB, s vault.State, pass string, o Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, s, []byte(pass), o); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBackupRoundTrip(t *testing.T) {
	s := sampleState(t)
	for _, armored := range []bool{false, true} {
		t.Run(fmt.Sprint("armor=", armored), func(t *testing.T) {
			o := testBackupOpts
			o.Armor = armored
			b := writeTestBackup(t, s, "correct horse battery staple", o)
			if got := bytes.HasPrefix(b, []byte("-----BEGIN AGE ENCRYPTED FILE-----")); got != armored {
				t.Fatalf("armored prefix: %v, want %v", got, armored)
			}
			if bytes.Contains(b, []byte("dr.jones")) || bytes.Contains(b, []byte("JBSWY3DP")) {
				t.Fatal("the backup holds plaintext")
			}
			got, err := Read(bytes.NewReader(b), []byte("correct horse battery staple"))
			if err != nil {
				t.Fatal(err)
			}
			if canon(t, got.State) != canon(t, vault.Merge(s, vault.State{})) {
				t.Fatalf("state changed in the round trip:\n got %s\nwant %s", canon(t, got.State), canon(t, s))
			}
			if got.VaultID != "vault-1" || got.Device != "dev-1" || got.App != "wardkey test" || !got.Created.Equal(o.Created) {
				t.Fatalf("metadata: %+v", got)
			}
		})
	}
}

// TestBackupDocumentShape pins the plaintext document to
// docs/backup-format.md.
func TestBackupDocumentShape(t *testing.T) {
	b, err := Marshal(sampleState(t), testBackupOpts)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"format": "wardkey-backup", "version": 1.0, "created": "2026-03-01T12:00:00Z", "vault_id": "vault-1"} {
		if doc[k] != want {
			t.Errorf("%s = %v, want %v", k, doc[k], want)
		}
	}
	st := doc["state"].(map[string]any)
	accts := st["accounts"].([]any)
	if len(accts) != 3 || len(st["tombstones"].([]any)) != 1 || st["settings"].(map[string]any)["lock_after"] != 300.0 {
		t.Fatalf("state: %v", st)
	}
	hotp := accts[1].(map[string]any)
	for k, want := range map[string]any{"type": "hotp", "counter": 41.0, "algorithm": "SHA256", "digits": 8.0,
		"secret": "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA="} {
		if hotp[k] != want {
			t.Errorf("hotp %s = %v, want %v", k, hotp[k], want)
		}
	}
}

// sampleState has every kind of thing a backup carries: vault.TOTP, vault.HOTP with a
// counter, vault.Steam, tags, a note, a favourite, a tombstone and settings.
func sampleState(t testing.TB) vault.State {
	c := vault.NewClock("dev-1", func() time.Time { return time.UnixMilli(1_700_000_000_000) })
	mk := func(id, iss, name, b32 string, typ vault.Type) vault.Account {
		a := vault.Account{ID: id, Issuer: iss, Name: name, Secret: mustSecret(t, b32), Type: typ}
		a.Normalize()
		a.Stamp = c.Now()
		return a
	}
	totp := mk("1000000000000001", "EHR", "dr.jones", "JBSWY3DPEHPK3PXP", vault.TOTP)
	totp.Tags, totp.Note, totp.Favorite = []string{"ward 3", "daily"}, "the login at the nurses' station", true
	hotp := mk("1000000000000002", "VPN", "ops", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", vault.HOTP)
	hotp.Counter, hotp.Algorithm, hotp.Digits = 41, vault.SHA256, 8
	steam := mk("1000000000000003", "Steam", "gamer", "GEZDGNBVGY3TQOJQ", vault.Steam)
	return vault.State{
		Accounts:   []vault.Account{totp, hotp, steam},
		Tombstones: []vault.Tombstone{{ID: "2000000000000009", Stamp: c.Now()}},
		Settings:   vault.Settings{LockAfter: 300, Stamp: c.Now()},
	}
}

// mutate returns a copy of b changed by fn.
func mutate(b []byte, fn func([]byte) []byte) []byte { return fn(bytes.Clone(b)) }

func encryptDoc(t testing.TB, doc string, pass string) []byte {
	t.Helper()
	r, err := age.NewScryptRecipient(pass)
	if err != nil {
		t.Fatal(err)
	}
	r.SetWorkFactor(testWorkFactor)
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(doc)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadBackupRefusals(t *testing.T) {
	const pass = "correct horse battery staple"
	good := writeTestBackup(t, sampleState(t), pass, testBackupOpts)
	armored := writeTestBackup(t, sampleState(t), pass, Options{WorkFactor: testWorkFactor, Armor: true})
	headerEnd := bytes.Index(good, []byte("\n---")) + 1
	x25519, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	var toKey bytes.Buffer
	w, _ := age.Encrypt(&toKey, x25519.Recipient())
	w.Write([]byte(`{"format":"wardkey-backup","version":1,"state":{}}`))
	w.Close()
	plainDoc, _ := Marshal(sampleState(t), testBackupOpts)

	tests := []struct {
		name string
		file []byte
		pass string
		want error
	}{
		{"wrong passphrase", good, "not the passphrase", ErrWrongPassphrase},
		{"empty file", nil, pass, ErrNotBackup},
		{"a text file", []byte("hello, this is not a backup\n"), pass, ErrNotBackup},
		{"a PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00"), pass, ErrNotBackup},
		{"the unencrypted document", plainDoc, pass, ErrNotBackup},
		{"encrypted to an age key", toKey.Bytes(), pass, ErrNotBackup},
		{"cut inside the intro", good[:10], pass, ErrCorrupt},
		{"cut inside the header", good[:headerEnd-5], pass, ErrCorrupt},
		{"cut after the header", good[:headerEnd+20], pass, ErrCorrupt},
		{"last byte missing", good[:len(good)-1], pass, ErrCorrupt},
		{"half the payload", good[:headerEnd+(len(good)-headerEnd)/2], pass, ErrCorrupt},
		{"a payload byte flipped", mutate(good, func(b []byte) []byte { b[len(b)-30] ^= 1; return b }), pass, ErrCorrupt},
		{"a header MAC byte flipped", mutate(good, func(b []byte) []byte { b[headerEnd+10] ^= 1; return b }), pass, ErrCorrupt},
		{"trailing garbage", append(bytes.Clone(good), "junk"...), pass, ErrCorrupt},
		{"armor cut short", armored[:len(armored)-40], pass, ErrCorrupt},
		{"work factor above 22", bytes.Replace(good, []byte(fmt.Sprintf(" %d\n", testWorkFactor)), []byte(" 23\n"), 1), pass, ErrCorrupt},
		{"not JSON inside", encryptDoc(t, "just some text", pass), pass, ErrNotBackup},
		{"broken JSON inside", encryptDoc(t, `{"format":"wardkey-backup","version":1,"state":{`, pass), pass, ErrCorrupt},
		{"another JSON format", encryptDoc(t, `{"format":"aegis","version":1}`, pass), pass, ErrNotBackup},
		{"no format", encryptDoc(t, `{"version":1,"state":{}}`, pass), pass, ErrNotBackup},
		{"newer version", encryptDoc(t, `{"format":"wardkey-backup","version":2,"state":{"accounts":"a new shape"}}`, pass), pass, ErrTooNew},
		{"version 0", encryptDoc(t, `{"format":"wardkey-backup","version":0,"state":{}}`, pass), pass, ErrCorrupt},
		{"no state", encryptDoc(t, `{"format":"wardkey-backup","version":1}`, pass), pass, ErrCorrupt},
		{"an account with no secret", encryptDoc(t, `{"format":"wardkey-backup","version":1,"state":{"accounts":[{"id":"01","issuer":"A","name":"b","type":"totp","secret":"","algorithm":"SHA1","digits":6,"period":30}]}}`, pass), pass, ErrCorrupt},
		{"a tombstone with no id", encryptDoc(t, `{"format":"wardkey-backup","version":1,"state":{"tombstones":[{"id":""}]}}`, pass), pass, ErrCorrupt},
		{"version of the wrong type", encryptDoc(t, `{"format":"wardkey-backup","version":"1","state":{}}`, pass), pass, ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(tt.file), []byte(tt.pass))
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), "JBSWY3DP") || strings.Contains(err.Error(), tt.pass) {
				t.Fatalf("the error shows a secret: %v", err)
			}
		})
	}
}

// TestReadBackupMinimalDocument: the smallest document a person could
// write by hand (docs/backup-format.md) restores, with defaults.
func TestReadBackupMinimalDocument(t *testing.T) {
	doc := `{"format":"wardkey-backup","version":1,"state":{"accounts":[
	  {"id":"a1","issuer":"EHR","name":"me","type":"totp","secret":"SGVsbG8hIN6tvu8=","algorithm":"SHA1","digits":6,"period":30}],
	  "unknown_key": true}, "comment": "keys this version does not know are ignored"}`
	b, err := Read(bytes.NewReader(encryptDoc(t, doc, "pw")), []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.State.Accounts) != 1 || b.State.Accounts[0].Tags == nil || b.State.Tombstones == nil {
		t.Fatalf("state: %+v", b.State)
	}
}

func TestWriteBackupRefusals(t *testing.T) {
	var buf bytes.Buffer
	for _, tt := range []struct {
		pass string
		wf   int
	}{{"", 0}, {"pw", 23}, {"pw", -1}} {
		if err := Write(&buf, sampleState(t), []byte(tt.pass), Options{WorkFactor: tt.wf}); err == nil {
			t.Errorf("pass %q work factor %d: no error", tt.pass, tt.wf)
		}
	}
	if buf.Len() != 0 {
		t.Fatal("a refused backup wrote bytes")
	}
}

// ageCLI runs the age command with a terminal (script(1) gives it a pty)
// and input typed into it.
func ageCLI(t *testing.T, dir, typed string, args ...string) (string, error) {
	t.Helper()
	needTool(t, "age")
	needTool(t, "script")
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + a + "'"
	}
	cmd := exec.Command("script", "-qec", "age "+strings.Join(q, " "), "/dev/null")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(typed)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestAgeCLIDecryptsBackup: `age -d` opens our backup with the passphrase
// typed at its prompt, binary and armored, and gives the document back.
func TestAgeCLIDecryptsBackup(t *testing.T) {
	dir := t.TempDir()
	s := sampleState(t)
	want, err := Marshal(s, testBackupOpts)
	if err != nil {
		t.Fatal(err)
	}
	for _, armored := range []bool{false, true} {
		o := testBackupOpts
		o.Armor = armored
		name := fmt.Sprintf("b-%v.age", armored)
		if err := os.WriteFile(filepath.Join(dir, name), writeTestBackup(t, s, "a pass phrase", o), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := ageCLI(t, dir, "a pass phrase\n", "-d", "-o", name+".json", name)
		if err != nil {
			t.Fatalf("age -d: %v\n%s", err, out)
		}
		got, err := os.ReadFile(filepath.Join(dir, name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("age -d gave another document:\n%s", got)
		}
		out, err = ageCLI(t, dir, "wrong\n", "-d", "-o", name+".wrong", name)
		if err == nil || !strings.Contains(out, "incorrect passphrase") {
			t.Fatalf("age -d with a wrong passphrase: %v\n%s", err, out)
		}
	}
}

// TestAgeCLIEncryptedDocumentRestores: a document in our schema encrypted
// by `age -p` (work factor 18, the CLI's own) reads back.
func TestAgeCLIEncryptedDocumentRestores(t *testing.T) {
	dir := t.TempDir()
	doc, err := Marshal(sampleState(t), testBackupOpts)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "doc.json"), doc, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, flags := range [][]string{{"-p"}} {
		args := append(flags, "-o", "doc.age", "doc.json")
		os.Remove(filepath.Join(dir, "doc.age"))
		if out, err := ageCLI(t, dir, "typed at the age prompt\ntyped at the age prompt\n", args...); err != nil {
			t.Fatalf("age %v: %v\n%s", flags, err, out)
		}
		f, err := os.Open(filepath.Join(dir, "doc.age"))
		if err != nil {
			t.Fatal(err)
		}
		b, err := Read(f, []byte("typed at the age prompt"))
		f.Close()
		if err != nil {
			t.Fatalf("age %v: %v", flags, err)
		}
		if canon(t, b.State) != canon(t, vault.Merge(sampleState(t), vault.State{})) {
			t.Fatalf("age %v: another state came back", flags)
		}
	}
}

// FuzzUnmarshalBackup: the document parser never panics, and whatever it
// accepts survives a round trip.
func FuzzUnmarshalBackup(f *testing.F) {
	doc, _ := Marshal(sampleState(f), testBackupOpts)
	f.Add(doc)
	f.Add([]byte(`{"format":"wardkey-backup","version":1,"state":{}}`))
	f.Add([]byte(`{"format":"wardkey-backup","version":2}`))
	f.Add([]byte(`{"format":"wardkey-backup","version":1,"state":{"tombstones":[{"id":"x"}],"settings":{"lock_after":5}}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Unmarshal(b)
		if err != nil {
			if !errors.Is(err, ErrNotBackup) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTooNew) {
				t.Fatalf("error outside the sentinels: %v", err)
			}
			return
		}
		again, err := Marshal(got.State, Options{})
		if err != nil {
			t.Fatal(err)
		}
		back, err := Unmarshal(again)
		if err != nil {
			t.Fatalf("an accepted backup does not read back: %v", err)
		}
		if canon(t, back.State) != canon(t, got.State) {
			t.Fatal("round trip changed the state")
		}
	})
}

// FuzzReadBackup: the whole reader (age header, stream, armor, document)
// never panics and only fails with its sentinels.
func FuzzReadBackup(f *testing.F) {
	s := sampleState(f)
	o := testBackupOpts
	o.WorkFactor = 1
	f.Add(writeTestBackup(f, s, "pw", o))
	o.Armor = true
	f.Add(writeTestBackup(f, s, "pw", o))
	f.Add([]byte("age-encryption.org/v1\n-> scrypt AAAAAAAAAAAAAAAAAAAAAA 1\n\n--- x\n"))
	maxReadWorkFactor = 4 // a mutated header must not ask for 4 GiB of scrypt
	f.Cleanup(func() { maxReadWorkFactor = MaxWorkFactor })
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := Read(bytes.NewReader(b), []byte("pw"))
		if err != nil && !errors.Is(err, ErrNotBackup) && !errors.Is(err, ErrCorrupt) &&
			!errors.Is(err, ErrTooNew) && !errors.Is(err, ErrWrongPassphrase) {
			t.Fatalf("error outside the sentinels: %v", err)
		}
	})
}

// BenchmarkBackup1000 writes and reads a 1,000-account backup, at the
// product's work factor (18) and at 1 (no KDF to speak of): the difference
// is the KDF, the rest must stay within 20 ms.
func BenchmarkBackup1000(b *testing.B) {
	s := thousandAccounts()
	for _, wf := range []int{1, DefaultWorkFactor} {
		o := Options{WorkFactor: wf, VaultID: "bench"}
		b.Run(fmt.Sprintf("write/workfactor=%d", wf), func(b *testing.B) {
			for b.Loop() {
				var buf bytes.Buffer
				if err := Write(&buf, s, []byte("pw"), o); err != nil {
					b.Fatal(err)
				}
			}
		})
		var buf bytes.Buffer
		if err := Write(&buf, s, []byte("pw"), o); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("read/workfactor=%d", wf), func(b *testing.B) {
			for b.Loop() {
				got, err := Read(bytes.NewReader(buf.Bytes()), []byte("pw"))
				if err != nil || len(got.State.Accounts) != 1000 {
					b.Fatal(err)
				}
			}
		})
	}
	// The whole restore of a 1,000-account backup into a vault holding the
	// same accounts, less the KDF: decrypt at work factor 1, check, plan,
	// merge (what ApplyRestore does inside the save).
	var low bytes.Buffer
	if err := Write(&low, s, []byte("pw"), Options{WorkFactor: 1}); err != nil {
		b.Fatal(err)
	}
	cur := vault.Merge(thousandAccounts(), vault.State{})
	b.Run("restore-without-kdf", func(b *testing.B) {
		for b.Loop() {
			got, err := Read(bytes.NewReader(low.Bytes()), []byte("pw"))
			if err != nil {
				b.Fatal(err)
			}
			p := vault.PlanRestore(cur, got.State, false)
			_ = vault.Merge(cur, got.State)
			if p.Changes() {
				b.Fatal("identical states plan a change")
			}
		}
	})
}

func canon(t testing.TB, s vault.State) string {
	t.Helper()
	b, err := vault.MarshalState(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustSecret(t testing.TB, b32 string) vault.Secret {
	t.Helper()
	s, err := vault.ParseSecret(b32)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("WARDKEY_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is required (WARDKEY_REQUIRE_TOOLS=1) but not installed", name)
		}
		t.Skipf("SKIPPED: %s is not installed (apt-get install it; CI requires it)", name)
	}
	return p
}

func thousandAccounts() vault.State {
	var s vault.State
	c := vault.NewClock("bench", nil)
	for i := range 1000 {
		a := vault.Account{ID: fmt.Sprintf("%016x", i), Issuer: fmt.Sprintf("Issuer %d", i%37), Name: fmt.Sprintf("user%d", i),
			Type: vault.TOTP, Secret: vault.NewSecret([]byte(fmt.Sprintf("secret-%020d", i))), Algorithm: vault.SHA1, Digits: 6, Period: 30, Tags: []string{}}
		a.Stamp = c.Now()
		s.Accounts = append(s.Accounts, a)
	}
	return s
}

// TestReadAll: readAll returns all of a reader whatever its size hint,
// growing past it.
func TestReadAll(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 1000)
	for _, hint := range []int{0, 1, 511, 512, 9999, 10000, 20000} {
		t.Run(fmt.Sprint("hint=", hint), func(t *testing.T) {
			got, err := readAll(bytes.NewReader(data), hint)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("read %d bytes of %d: %v", len(got), len(data), err)
			}
		})
	}
}
