package app

import (
	"bytes"
	"encoding/base32"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/vaulttest"
)

// uriFile writes n otpauth URIs, numbered from first, to a file in dir.
func uriFile(tb testing.TB, dir string, first, n int) string {
	var sb strings.Builder
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	for i := first; i < first+n; i++ {
		issuer := fmt.Sprintf("Service %d", i%97)
		sec := enc.EncodeToString([]byte(fmt.Sprintf("import-secret-%012d", i)))
		fmt.Fprintf(&sb, "otpauth://totp/%s:%s?secret=%s&issuer=%s\n",
			url.PathEscape(issuer), fmt.Sprintf("user%d", i), sec, url.QueryEscape(issuer))
	}
	p := filepath.Join(dir, fmt.Sprintf("uris-%d-%d.txt", first, n))
	if err := os.WriteFile(p, []byte(sb.String()), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

// importVault creates a keyring vault (no KDF: the product's argon2id is
// BenchmarkOpen1000's business) holding `have` accounts, in a fresh home.
func importVault(tb testing.TB, k vault.Keyring, have int) string {
	home := tb.TempDir()
	var st vault.State
	c := vault.NewClock("bench", nil)
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	for i := range have {
		s, err := vault.ParseSecret(enc.EncodeToString([]byte(fmt.Sprintf("vault-secret-%012d", i))))
		if err != nil {
			tb.Fatal(err)
		}
		st.Accounts = append(st.Accounts, vault.Account{ID: fmt.Sprintf("%016x", i), Issuer: fmt.Sprintf("Service %d", i%97),
			Name: fmt.Sprintf("held%d", i), Type: vault.TOTP, Secret: s, Algorithm: vault.SHA1, Digits: 6, Period: 30, Stamp: c.Now()})
	}
	if _, err := vault.Create(filepath.Join(home, vault.DefaultProfile), vault.CreateOptions{Keyring: k, State: st}); err != nil {
		tb.Fatal(err)
	}
	return home
}

func runImport(tb testing.TB, k vault.Keyring, home, file string) string {
	var out, errb bytes.Buffer
	if code := run([]string{"--home", home, "import", file}, stdio{in: strings.NewReader(""), out: &out, err: &errb},
		Hooks{KDF: &testKDF, Keyring: k, NoSleep: true}); code != 0 {
		tb.Fatalf("import: exit %d: %s", code, errb.String())
	}
	return out.String()
}

// BenchmarkImport is `wardkey import` of a file of otpauth URIs (parse,
// de-duplicate, one crash-safe save), into an empty vault and into one that
// already holds 10,000 accounts. The vault opens through a keyring slot:
// no KDF is timed. Each run starts from a fresh copy of the vault.
func BenchmarkImport(b *testing.B) {
	for _, tc := range []struct{ have, n int }{{0, 1000}, {0, 4000}, {0, 10000}, {10000, 10000}} {
		b.Run(fmt.Sprintf("into-%d/uris-%d", tc.have, tc.n), func(b *testing.B) {
			k := vaulttest.MemoryKeyring{}
			file := uriFile(b, b.TempDir(), 1_000_000, tc.n)
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				home := importVault(b, k, tc.have)
				b.StartTimer()
				c0 := cpuTime()
				runImport(b, k, home, file)
				cpu += cpuTime() - c0
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(tc.n), "ns/account")
			// The machine is shared: CPU time per run says more than wall.
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// TestImportLarge: 4,000 URIs into a vault of 1,000, then the same file
// again: every account added once, then every one a duplicate.
func TestImportLarge(t *testing.T) {
	k := vaulttest.MemoryKeyring{}
	home := importVault(t, k, 1000)
	file := uriFile(t, t.TempDir(), 5000, 4000)
	if out := runImport(t, k, home, file); !strings.Contains(out, ": 4000 added, 0 duplicates skipped") {
		t.Fatalf("first import: %.200s", out)
	}
	if out := runImport(t, k, home, file); !strings.Contains(out, ": 0 added, 4000 duplicates skipped") {
		t.Fatalf("second import: %.200s", out)
	}
	v, err := vault.Open(filepath.Join(home, vault.DefaultProfile), vault.Unlock{Keyring: k})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(v.Accounts()); n != 5000 {
		t.Errorf("%d accounts, want 5000", n)
	}
}
