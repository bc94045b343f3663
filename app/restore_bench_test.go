package app

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/backup"
	"github.com/wardkey/wardkey/vault/vaulttest"
)

// restoreBenchPass is the backup's and the vault's passphrase in
// BenchmarkRestore10000.
const restoreBenchPass = "orbit tulip gravel lantern"

// backupFile writes an n-account backup at scrypt work factor 1 (the KDF
// is age's floor, not wardkey's: benchtable compares it with `age -d`) to
// a file in dir. Its state is merged, as export writes a vault's.
func backupFile(tb testing.TB, dir string, n int) string {
	var st vault.State
	c := vault.NewClock("bench", nil)
	for i := range n {
		st.Accounts = append(st.Accounts, vault.Account{ID: vault.NewID(), Issuer: fmt.Sprintf("Service %d", i%97),
			Name: fmt.Sprintf("user%d@example.org", i), Type: vault.TOTP, Secret: vault.NewSecret([]byte(fmt.Sprintf("backup-secret-%06d", i))),
			Algorithm: vault.SHA1, Digits: 6, Period: 30, Tags: []string{}, Stamp: c.Now()})
	}
	st = vault.Merge(st, vault.State{})
	var buf bytes.Buffer
	if err := backup.Write(&buf, st, []byte(restoreBenchPass), backup.Options{WorkFactor: 1, VaultID: "bench", Device: "bench"}); err != nil {
		tb.Fatal(err)
	}
	p := filepath.Join(dir, fmt.Sprintf("backup-%d.age", n))
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

// BenchmarkRestore10000 is `wardkey restore` of a 10,000-account backup
// whose scrypt costs nothing (work factor 1), so what is timed is
// wardkey's own work: decode and check the document, plan, print the plan,
// save, count. into-empty is benchtable's row (a vault with no accounts),
// new-vault the restore that creates the vault. The vault's KDF is the
// tests' cheap one. Each run starts from a fresh home.
func BenchmarkRestore10000(b *testing.B) {
	const n = 10000
	dir := b.TempDir()
	file := backupFile(b, dir, n)
	pass := filepath.Join(dir, "pass")
	if err := os.WriteFile(pass, []byte(restoreBenchPass+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	b.Setenv("WARDKEY_PROFILE", "")
	b.Setenv("WARDKEY_PASSPHRASE_FILE", pass)
	b.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
	for _, tc := range []struct {
		name string
		init bool
	}{{"into-empty", true}, {"new-vault", false}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				home := b.TempDir()
				b.Setenv("WARDKEY_HOME", home)
				if tc.init {
					if code, _, errs := runHere("init", "--no-keyring"); code != 0 {
						b.Fatalf("init: exit %d: %s", code, errs)
					}
				}
				b.StartTimer()
				c0 := cpuTime()
				code, out, errs := runHere("restore", "--passphrase-file", pass, file)
				cpu += cpuTime() - c0
				if code != 0 || !strings.Contains(errs, "restored") || !strings.Contains(out, fmt.Sprintf("added: %d", n)) {
					b.Fatalf("restore: exit %d: %.300s %.300s", code, out, errs)
				}
			}
			// The machine is shared: CPU time per run says more than wall.
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkExport10000 is `wardkey export` of a 10,000-account vault (a
// keyring vault: no KDF to open it) at the tests' scrypt work factor
// (10): encode the document, encrypt it, write it, note the time.
func BenchmarkExport10000(b *testing.B) {
	const n = 10000
	k := vaulttest.MemoryKeyring{}
	home := importVault(b, k, n)
	pass := filepath.Join(b.TempDir(), "pass")
	if err := os.WriteFile(pass, []byte(restoreBenchPass+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(b.TempDir(), "backup.age")
	b.ReportAllocs()
	var cpu time.Duration
	for b.Loop() {
		c0 := cpuTime()
		var stdout, errb bytes.Buffer
		code := run([]string{"--home", home, "export", "--force", "--out", out, "--passphrase-file", pass},
			stdio{in: strings.NewReader(""), out: &stdout, err: &errb}, Hooks{KDF: &testKDF, Keyring: k, NoSleep: true})
		cpu += cpuTime() - c0
		if code != 0 || !strings.Contains(errb.String(), fmt.Sprintf("wrote %d accounts", n)) {
			b.Fatalf("export: exit %d: %.300s", code, errb.String())
		}
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
}
