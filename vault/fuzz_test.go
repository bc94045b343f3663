package vault

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzOpen feeds arbitrary bytes as vault.json: Open must refuse cleanly
// (never panic, never write), and the real file must still open.
func FuzzOpen(f *testing.F) {
	dir := filepath.Join(f.TempDir(), "seed")
	v, err := Create(dir, CreateOptions{Options: cheap, Passphrase: []byte("pw"), RecoveryCode: NewRecoveryCode()})
	if err != nil {
		f.Fatal(err)
	}
	if err := v.Update(func(tx *Tx) error { _, err := tx.Add(testAccount("A", "a")); return err }); err != nil {
		f.Fatal(err)
	}
	good, _ := os.ReadFile(filepath.Join(dir, VaultFile))
	f.Add(good)
	f.Add([]byte(`{"header":{"format":"wardkey-vault","version":1,"vault_id":"x","nonce":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},"slots":[{"kind":"passphrase","kdf":{"alg":"argon2id","memory":999999999,"time":1,"threads":1,"salt":"AAAAAAAAAAAAAAAAAAAAAA=="}}],"payload":""}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d := t.TempDir()
		if err := os.WriteFile(filepath.Join(d, VaultFile), b, 0o600); err != nil {
			t.Fatal(err)
		}
		w, err := Open(d, Unlock{Options: cheap, Passphrase: passphrase("pw")})
		if err == nil {
			// Only a well-formed vault under this passphrase opens; its
			// accounts must all be valid.
			for _, a := range w.Accounts() {
				if err := a.Validate(); err != nil {
					t.Fatalf("opened an invalid account: %v", err)
				}
			}
		}
		after, _ := os.ReadFile(filepath.Join(d, VaultFile))
		if string(after) != string(b) {
			t.Fatal("Open changed the file")
		}
	})
}

// FuzzParseSecret: any input either parses to non-empty bytes or is refused.
func FuzzParseSecret(f *testing.F) {
	for _, s := range []string{"JBSWY3DPEHPK3PXP", "jbsw y3dp", "AAAAAAAAA", "====", "ü", "GEZDGNBVGY3TQOJQ-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sec, err := ParseSecret(s)
		if err == nil && sec.IsZero() {
			t.Fatal("empty secret accepted")
		}
		if err == nil {
			again, err := ParseSecret(sec.Base32())
			if err != nil || !again.Equal(sec) {
				t.Fatalf("Base32 round trip failed: %v", err)
			}
		}
	})
}

// FuzzRecoveryCode: normalizing is idempotent.
func FuzzRecoveryCode(f *testing.F) {
	f.Add(NewRecoveryCode())
	f.Add("abcd efgh ijkl mnop qrst vwxy z012")
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizeRecoveryCode(s)
		if err != nil {
			return
		}
		m, err := NormalizeRecoveryCode(n)
		if err != nil || m != n {
			t.Fatalf("not idempotent: %q -> %q -> %q (%v)", s, n, m, err)
		}
	})
}

// FuzzStateBinary: the payload decoder never panics, and what it accepts
// re-encodes to the same bytes.
func FuzzStateBinary(f *testing.F) {
	c := NewClock("d", nil)
	a := testAccount("A", "a")
	a.ID, a.Stamp = "0001", c.Now()
	a.Normalize()
	f.Add(marshalStateBinary(State{Accounts: []Account{a}, Tombstones: []Tombstone{{ID: "2", Stamp: c.Now()}}}))
	f.Add(marshalStateBinary(State{}))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := unmarshalStateBinary(b)
		if err != nil {
			return
		}
		if again := marshalStateBinary(s); string(again) != string(b) {
			// Non-canonical varints may decode; the decoded state must
			// still round-trip through its own encoding.
			s2, err := unmarshalStateBinary(again)
			if err != nil || len(s2.Accounts) != len(s.Accounts) {
				t.Fatalf("re-encoding fails: %v", err)
			}
		}
	})
}

// FuzzParseEnvelope is FuzzOpen without the disk: the envelope parser (both
// its fast path and the general one) and the payload decryption under the
// right key, so mutations reach the AEAD and the state decoder.
func FuzzParseEnvelope(f *testing.F) {
	dir := filepath.Join(f.TempDir(), "seed")
	v, err := Create(dir, CreateOptions{Options: cheap, Passphrase: []byte("pw")})
	if err != nil {
		f.Fatal(err)
	}
	if err := v.Update(func(tx *Tx) error { _, err := tx.Add(testAccount("A", "a")); return err }); err != nil {
		f.Fatal(err)
	}
	good, _ := os.ReadFile(filepath.Join(dir, VaultFile))
	f.Add(good)
	f.Add([]byte(`0,"payload":"}`))
	f.Add([]byte(`{"header":{},"payload":"` + "AAAA" + `"}`))
	key := v.key
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parseFile(b)
		if err != nil {
			return
		}
		st, err := p.decrypt(key)
		if err != nil {
			return
		}
		for _, a := range st.state.Accounts {
			if err := a.Validate(); err != nil {
				t.Fatalf("decrypted an invalid account: %v", err)
			}
		}
	})
}
