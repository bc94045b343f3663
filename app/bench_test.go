package app

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/keyring"
)

// BenchmarkWardkeyCodeProcess runs `wardkey code` as a whole process on a
// 1,000-account vault opened through the real OS keyring, beside
// `oathtool --totp` in the same run. Run it with `make bench` (a keyring
// session); without a Secret Service the keyring case is skipped.
func BenchmarkWardkeyCodeProcess(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "wardkey")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/wardkey/wardkey").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	var st vault.State
	c := vault.NewClock("bench", nil)
	for i := range 1000 {
		a := vault.Account{ID: fmt.Sprintf("%016x", i), Issuer: fmt.Sprintf("Issuer %d", i), Name: "user", Type: vault.TOTP,
			Secret: vault.NewSecret([]byte(fmt.Sprintf("secret-%020d", i))), Algorithm: vault.SHA1, Digits: 6, Period: 30, Stamp: c.Now()}
		st.Accounts = append(st.Accounts, a)
	}
	b.Run("wardkey-keyring", func(b *testing.B) {
		if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" || vault.Probe(keyring.System{}) != nil {
			b.Skip("no Secret Service: run make bench")
		}
		home := b.TempDir()
		v, err := vault.Create(filepath.Join(home, "default"), vault.CreateOptions{Keyring: keyring.System{}, State: st})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = keyring.System{}.Delete(vault.KeyringService, "vault:"+v.ID()) })
		for b.Loop() {
			cmd := exec.Command(bin, "code", "Issuer 500")
			cmd.Env = append(os.Environ(), "WARDKEY_HOME="+home)
			if out, err := cmd.CombinedOutput(); err != nil || len(out) != 7 {
				b.Fatalf("wardkey code: %v %q", err, out)
			}
		}
	})
	b.Run("keyring-get-only", func(b *testing.B) {
		// A process that only reads the key from the Secret Service through
		// go-keyring: the part of wardkey-keyring that is not wardkey's own.
		exe, err := exec.LookPath("keyring-get")
		if err != nil || os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" || vault.Probe(keyring.System{}) != nil {
			b.Skip("no Secret Service: run make bench")
		}
		k := keyring.System{}
		if err := k.Set(vault.KeyringService, "bench", "0123456789012345678901234567890123456789abc="); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = k.Delete(vault.KeyringService, "bench") })
		for b.Loop() {
			if out, err := exec.Command(exe, "bench").CombinedOutput(); err != nil {
				b.Fatalf("keyring-get: %v %s", err, out)
			}
		}
	})
	b.Run("oathtool", func(b *testing.B) {
		if _, err := exec.LookPath("oathtool"); err != nil {
			b.Skip("oathtool not installed")
		}
		for b.Loop() {
			if err := exec.Command("oathtool", "--totp", "-b", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
