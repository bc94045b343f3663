package vault

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// FuzzOpen feeds arbitrary bytes as vault.json: Open must refuse cleanly
// (never panic, never write), and the real file must still open.
func FuzzOpen(f *testing.F) {
	dir := filepath.Join(f.TempDir(), "seed")
	v, err := Create(dir, CreateOptions{Options: cheap, Passphrase: []byte("pw"), RecoveryCode: "0123-4567-89AB-CDEF-GHJK-MNPQ-RSTV"})
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
	if v1, err := os.ReadFile("testdata/format1/vault.json"); err == nil {
		f.Add(v1)
	}
	code := "0123-4567-89AB-CDEF-GHJK-MNPQ-RSTV"
	f.Fuzz(func(t *testing.T, b []byte) {
		// KDF parameters within the caps may still cost seconds (1 GiB, 16
		// passes): the caps are tested elsewhere; here they would only
		// stall the fuzzer.
		if p, err := parseFile(b); err == nil {
			for _, s := range p.env.Slots {
				if s.KDF != nil && (s.KDF.Memory > 1024 || s.KDF.Time > 2 || s.KDF.Threads > 2) {
					return
				}
			}
		}
		d := t.TempDir()
		if err := os.WriteFile(filepath.Join(d, VaultFile), b, 0o600); err != nil {
			t.Fatal(err)
		}
		w, err := Open(d, Unlock{Options: cheap, Passphrase: passphrase("pw")})
		if err != nil {
			// The recovery slot (asymmetric, or format 1's symmetric one).
			w, err = Open(d, Unlock{Options: cheap, RecoveryCode: code})
		}
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

// FuzzStateBinary: the payload decoder (format 1's state and format 2's
// sections, with settings, the audit key and previous keys) never panics,
// and what it accepts re-encodes to a payload that decodes the same.
func FuzzStateBinary(f *testing.F) {
	c := NewClock("d", nil)
	a := testAccount("A", "a")
	a.ID, a.Stamp = "0001", c.Now()
	a.Normalize()
	st := State{Accounts: []Account{a}, Tombstones: []Tombstone{{ID: "2", Stamp: c.Now()}},
		Settings: Settings{LockAfter: 300, Stamp: c.Now(), ReauthAfterStamp: c.Now(), ClipboardClear: 30, ClipboardClearStamp: c.Now()}}
	f.Add(marshalStateBinary(st))
	f.Add(marshalStateBinary(State{}))
	f.Add(marshalPayload(payload{state: st, auditKey: bytes.Repeat([]byte{1}, 32),
		oldKeys: []oldKey{{id: newKeyID(), gen: 3, key: bytes.Repeat([]byte{2}, 32)}}}))
	// Format 1's payload, as the wardkey before format 2 wrote it.
	v1 := append([]byte("WKS\x01"), appendAccounts(nil, st.Accounts)...)
	v1 = appendTombstones(v1, st.Tombstones)
	v1 = appendStamp(binary.AppendVarint(v1, 300), c.Now())
	f.Add(v1)
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := unmarshalPayload(b)
		if err != nil {
			return
		}
		if err := p.state.Settings.Validate(); err != nil {
			t.Fatalf("accepted settings out of range: %v", err)
		}
		again := marshalPayload(p)
		q, err := unmarshalPayload(again)
		if err != nil || len(q.state.Accounts) != len(p.state.Accounts) || len(q.oldKeys) != len(p.oldKeys) ||
			!bytes.Equal(q.auditKey, p.auditKey) || q.state.Settings != p.state.Settings {
			t.Fatalf("re-encoding fails: %v", err)
		}
		if !bytes.Equal(marshalPayload(q), again) {
			t.Fatal("the encoding is not stable")
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
	if v1, err := os.ReadFile("testdata/format1/vault.json"); err == nil {
		f.Add(v1) // does not open with this key, but parses
	}
	f.Add([]byte(`{"header":{"format":"wardkey-vault","version":2,"vault_id":"x","key_id":"0123456789abcdef0123456789abcdef","nonce":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},"slots":[]}` + "\n\x00\x01"))
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
