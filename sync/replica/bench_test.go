package replica

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardkey/wardkey/vault"
)

// manyAccounts makes n accounts stamped by device dev at wall time w.
func manyAccounts(n int, dev string, w int64) []vault.Account {
	out := make([]vault.Account, n)
	for i := range out {
		out[i] = vault.Account{
			ID: fmt.Sprintf("%016x", i), Issuer: fmt.Sprintf("Issuer %d", i%50), Name: fmt.Sprintf("user%05d@example.org", i),
			Type: vault.TOTP, Algorithm: vault.SHA1, Digits: 6, Period: 30, Tags: []string{"ward"},
			Secret: vault.NewSecret(fmt.Appendf(nil, "secret-%016d-xxxx", i)),
			Stamp:  vault.Stamp{Wall: w + int64(i%7), Device: dev},
		}
	}
	return out
}

// BenchmarkSyncWebDAV1000 is one sync round against WebDAV on loopback
// (golang.org/x/net/webdav in-process) with 1,000 accounts and two
// workstations: list, read both replicas, merge, save the vault, write the
// replica. "changed": one edit per round on the syncing workstation;
// "idle": nothing new, so nothing is saved or written.
func BenchmarkSyncWebDAV1000(b *testing.B) {
	s := newDAVServer(b)
	r := s.remote(b, davPass)
	c := &fakeClock{t: t0}
	dir := filepath.Join(b.TempDir(), "a")
	v, err := vault.Create(dir, vault.CreateOptions{Options: opts(c), Passphrase: bytes.Clone(testPass),
		State: vault.State{Accounts: manyAccounts(1000, "seed", t0.UnixMilli())}})
	if err != nil {
		b.Fatal(err)
	}
	a := &device{name: "a", dir: dir, v: v, clock: c}
	a.sync(b, r)
	d := joinDevice(b, "b", r, t0)
	accs := d.v.Accounts()
	b.Run("changed", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			acc := accs[i%len(accs)]
			acc.Note = fmt.Sprint(i)
			d.clock.Add(time.Second)
			if err := d.v.Update(func(tx *vault.Tx) error { return tx.Put(acc) }); err != nil {
				b.Fatal(err)
			}
			if rep := d.sync(b, r); rep.Pushed != 1 {
				b.Fatalf("%+v", rep)
			}
		}
	})
	b.Run("idle", func(b *testing.B) {
		for b.Loop() {
			if rep := d.sync(b, r); rep.Pushed != 0 || rep.Pulled != 0 {
				b.Fatalf("%+v", rep)
			}
		}
	})
}

// BenchmarkMerge3x10000 merges three replicas of a 10,000-account vault,
// each device having edited every account at a different time. "merge" is
// vault.Merge alone; "open+merge" also unseals and decodes the three
// replica files.
func BenchmarkMerge3x10000(b *testing.B) {
	var states [3]vault.State
	var files [3][]byte
	unseal := func(_ string, s, ad []byte) ([]byte, error) { return vault.UnsealWithKey(fuzzKey, s, ad) }
	for i := range states {
		dev := fmt.Sprintf("device%010d", i)
		states[i] = vault.State{Accounts: manyAccounts(10000, dev, t0.UnixMilli()+int64(i*1000))}
		var err error
		files[i], err = encodeReplica(sealWith(fuzzKey, fuzzKeyID), Header{VaultID: "v", DeviceID: dev}, states[i])
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("replica of 10,000 accounts: %d bytes", len(files[0]))
	b.Run("merge", func(b *testing.B) {
		for b.Loop() {
			m := vault.Merge(vault.Merge(states[0], states[1]), states[2])
			if len(m.Accounts) != 10000 {
				b.Fatal(len(m.Accounts))
			}
		}
	})
	b.Run("open+merge", func(b *testing.B) {
		for b.Loop() {
			var m vault.State
			for i, f := range files {
				_, s, err := decodeReplica(unseal, f, "v", fmt.Sprintf("device%010d.wkr", i))
				if err != nil {
					b.Fatal(err)
				}
				m = vault.Merge(m, s)
			}
			if len(m.Accounts) != 10000 {
				b.Fatal(len(m.Accounts))
			}
		}
	})
}
