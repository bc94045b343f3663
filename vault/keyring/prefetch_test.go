package keyring

import (
	"errors"
	"sync/atomic"
	"testing"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/vaulttest"
)

// counting counts the Gets that reach the keyring underneath.
type counting struct {
	vault.Keyring
	gets atomic.Int32
}

func (c *counting) Get(service, user string) (string, error) {
	c.gets.Add(1)
	return c.Keyring.Get(service, user)
}

// A prefetched item is asked for once and answered once from that; a
// second Get of it, and any other item, go to the keyring; an error is
// answered as the keyring gave it.
func TestPrefetch(t *testing.T) {
	mem := vaulttest.MemoryKeyring{}
	if err := mem.Set("wardkey", "vault:a", "key-a"); err != nil {
		t.Fatal(err)
	}
	if err := mem.Set("wardkey", "vault:b", "key-b"); err != nil {
		t.Fatal(err)
	}
	c := &counting{Keyring: mem}
	p := Prefetch(c, "wardkey", "vault:a")
	if s, err := p.Get("wardkey", "vault:a"); s != "key-a" || err != nil || c.gets.Load() != 1 {
		t.Fatalf("first Get: %q, %v, %d asked", s, err, c.gets.Load())
	}
	if err := mem.Set("wardkey", "vault:a", "key-a2"); err != nil {
		t.Fatal(err)
	}
	if s, err := p.Get("wardkey", "vault:a"); s != "key-a2" || err != nil || c.gets.Load() != 2 {
		t.Fatalf("second Get: %q, %v, %d asked; want the keyring's answer now", s, err, c.gets.Load())
	}
	if s, err := p.Get("wardkey", "vault:b"); s != "key-b" || err != nil || c.gets.Load() != 3 {
		t.Fatalf("another item: %q, %v, %d asked", s, err, c.gets.Load())
	}
	if _, err := Prefetch(c, "wardkey", "vault:none").Get("wardkey", "vault:none"); !errors.Is(err, vault.ErrKeyringMissing) {
		t.Fatalf("a missing item: %v", err)
	}
}

// Through the real Secret Service, a prefetched Get answers what Get does,
// and a vault opens through it.
func TestPrefetchRealKeyring(t *testing.T) {
	k := systemKeyring(t)
	dir := t.TempDir() + "/default"
	v, err := vault.Create(dir, vault.CreateOptions{Options: cheap, Keyring: k})
	if err != nil {
		t.Fatal(err)
	}
	id := v.ID()
	v.Close()
	t.Cleanup(func() { _ = k.Delete(vault.KeyringService, "vault:"+id) })
	service, user, _, ok := vault.PeekKeyringSlot(dir)
	if !ok {
		t.Fatal("no keyring slot seen")
	}
	want, err := k.Get(service, user)
	if err != nil {
		t.Fatal(err)
	}
	p := Prefetch(k, service, user)
	if got, err := p.Get(service, user); got != want || err != nil {
		t.Fatalf("prefetched Get: %v (equal: %v)", err, got == want)
	}
	v, err = vault.Open(dir, vault.Unlock{Options: cheap, Keyring: Prefetch(k, service, user)})
	if err != nil {
		t.Fatal(err)
	}
	if v.ID() != id {
		t.Fatalf("opened %s, want %s", v.ID(), id)
	}
	v.Close()
}
