package vault

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

func thousandAccounts() State {
	var s State
	c := NewClock("bench", nil)
	for i := range 1000 {
		a := Account{ID: fmt.Sprintf("%016x", i), Issuer: fmt.Sprintf("Issuer %d", i%37), Name: fmt.Sprintf("user%d", i),
			Type: TOTP, Secret: NewSecret([]byte(fmt.Sprintf("secret-%020d", i))), Algorithm: SHA1, Digits: 6, Period: 30, Tags: []string{}}
		a.Stamp = c.Now()
		s.Accounts = append(s.Accounts, a)
	}
	return s
}

// BenchmarkCodeAllAccounts: one frame's worth of codes for 1,000 accounts.
func BenchmarkCodeAllAccounts(b *testing.B) {
	as := thousandAccounts().Accounts
	t0 := time.Unix(1700000000, 0)
	for b.Loop() {
		for _, a := range as {
			if _, err := TOTPCode(a, t0); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/account")
}

func benchVault(b *testing.B, kdf KDFParams, keyring bool) string {
	dir := filepath.Join(b.TempDir(), "default")
	o := CreateOptions{Options: Options{KDF: &kdf}, State: thousandAccounts()}
	if keyring {
		o.Keyring = memKeyring{}
	} else {
		o.Passphrase = []byte("pw")
	}
	if _, err := Create(dir, o); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkOpen1000 opens a 1,000-account vault with the product's KDF
// (argon2id 64 MiB, t=3, p=4) and without any KDF (the key given directly,
// as the keyring slot does).
func BenchmarkOpen1000(b *testing.B) {
	b.Run("argon2id-default", func(b *testing.B) {
		dir := benchVault(b, DefaultKDF, false)
		for b.Loop() {
			if _, err := Open(dir, Unlock{Passphrase: passphrase("pw")}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("no-kdf", func(b *testing.B) {
		dir := filepath.Join(b.TempDir(), "default")
		k := memKeyring{}
		if _, err := Create(dir, CreateOptions{Keyring: k, State: thousandAccounts()}); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := Open(dir, Unlock{Keyring: k}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSave1000 is one crash-safe save (lock, re-read, merge, seal,
// fsync, link .bak, rename, fsync dir) of a 1,000-account vault.
func BenchmarkSave1000(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "default")
	k := memKeyring{}
	v, err := Create(dir, CreateOptions{Keyring: k, State: thousandAccounts()})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		if err := v.Update(func(tx *Tx) error {
			_, err := tx.Add(Account{Issuer: "B", Name: fmt.Sprint(i), Secret: NewSecret([]byte("0123456789"))})
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKDF is the passphrase cost alone (argon2id 64 MiB, t=3, p=4).
func BenchmarkKDF(b *testing.B) {
	p := DefaultKDF
	p.Salt = make([]byte, 16)
	for b.Loop() {
		p.derive([]byte("pw"))
	}
}

// BenchmarkOathtoolProcess times `oathtool --totp` as a whole process, to
// set beside the app package's BenchmarkWardkeyCodeProcess.
func BenchmarkOathtoolProcess(b *testing.B) {
	if _, err := exec.LookPath("oathtool"); err != nil {
		b.Skip("oathtool not installed")
	}
	for b.Loop() {
		if err := exec.Command("oathtool", "--totp", "-b", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").Run(); err != nil {
			b.Fatal(err)
		}
	}
	_ = os.Stdout
}
