package vault

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkOpenFindCode is `wardkey code`'s own work after the keyring:
// read and open the vault file for one account (format 3: the directory),
// find it, make its code; at 1,000 and 10,000 accounts.
func BenchmarkOpenFindCode(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var st State
			c := NewClock("bench", nil)
			for i := range n {
				st.Accounts = append(st.Accounts, Account{ID: fmt.Sprintf("%016x", i), Issuer: fmt.Sprintf("Service %d", i%97), Name: fmt.Sprintf("user%d", i),
					Type: TOTP, Secret: NewSecret([]byte(fmt.Sprintf("secret-%020d", i))), Algorithm: SHA1, Digits: 6, Period: 30, Tags: []string{}, Stamp: c.Now()})
			}
			k := memKeyring{}
			dir := filepath.Join(b.TempDir(), "default")
			if _, err := Create(dir, CreateOptions{Keyring: k, State: st}); err != nil {
				b.Fatal(err)
			}
			q := fmt.Sprintf("user%d", n/2)
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				v, err := Open(dir, Unlock{Keyring: k, OneAccount: true})
				if err != nil {
					b.Fatal(err)
				}
				a, err := v.Find(q)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := TOTPCode(a, time.Now()); err != nil {
					b.Fatal(err)
				}
				v.Close()
			}
			// The machine is shared: CPU time per run says more than wall.
			b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkOpenAccounts is the code screen's open: read and open the vault
// file, then list every account (with the payload index, the accounts are
// decoded on that first use); at 1,000 and 10,000 accounts.
func BenchmarkOpenAccounts(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var st State
			c := NewClock("bench", nil)
			for i := range n {
				st.Accounts = append(st.Accounts, Account{ID: fmt.Sprintf("%016x", i), Issuer: fmt.Sprintf("Service %d", i%97), Name: fmt.Sprintf("user%d", i),
					Type: TOTP, Secret: NewSecret([]byte(fmt.Sprintf("secret-%020d", i))), Algorithm: SHA1, Digits: 6, Period: 30, Tags: []string{}, Stamp: c.Now()})
			}
			k := memKeyring{}
			dir := filepath.Join(b.TempDir(), "default")
			if _, err := Create(dir, CreateOptions{Keyring: k, State: st}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				v, err := Open(dir, Unlock{Keyring: k})
				if err != nil {
					b.Fatal(err)
				}
				if len(v.Accounts()) != n {
					b.Fatal("accounts missing")
				}
				v.Close()
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}
