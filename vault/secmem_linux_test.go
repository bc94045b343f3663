package vault

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// inOwned reports whether b lies inside a mapping secureAlloc made.
func inOwned(b []byte) bool {
	if cap(b) == 0 {
		return false
	}
	p := uintptr(unsafe.Pointer(&b[:1][0]))
	found := false
	owned.Range(func(k, v any) bool {
		m := v.([]byte)
		start := k.(uintptr)
		if p >= start && p < start+uintptr(len(m)) {
			found = true
			return false
		}
		return true
	})
	return found
}

func lockedKiB(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmLck:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

// TestSecretsLiveInOwnedMemory: an open vault's key, audit key, previous
// keys and account secrets live in mappings the vault made (mlocked where
// the process may), the heap copies made while decoding are wiped, and
// Close wipes and releases every one of them.
func TestSecretsLiveInOwnedMemory(t *testing.T) {
	dir, v := newTestVault(t, "pw")
	addAccount(t, v, testAccount("A", "a"))
	addAccount(t, v, Account{Issuer: "B", Name: "b", Type: HOTP, Secret: NewSecret([]byte("another-secret-key"))})
	if _, err := v.Rekey(t.Context(), RekeyOptions{Options: cheap, Passphrase: []byte("pw")}); err != nil {
		t.Fatal(err)
	}
	v.Close()
	w, err := Open(dir, Unlock{Passphrase: passphrase("pw")})
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, b []byte) {
		if !inOwned(b) {
			t.Errorf("%s is not in memory the vault owns", name)
		}
	}
	check("the vault key", w.key)
	check("the audit key", w.auditKey)
	if len(w.oldKeys) != 1 {
		t.Fatalf("%d previous keys", len(w.oldKeys))
	}
	check("the previous key", w.oldKeys[0].key)
	// Open keeps the payload decrypted, indexed, in memory of its own
	// (index.go), until the first use that needs every account.
	if w.lazy == nil {
		t.Fatal("Open decoded the payload instead of indexing it")
	}
	plain := w.lazy.plain
	check("the decrypted payload", plain)
	if a, err := w.Find("a"); err != nil || a.Issuer != "A" {
		t.Fatalf("Find on the index: %v, %v", a.Label(), err)
	}
	w.mu.Lock()
	w.decoded()
	w.mu.Unlock()
	if w.lazy != nil || inOwned(plain) {
		t.Error("decoding left the indexed payload")
	}
	check("the secrets' arena", w.arena)
	for _, a := range w.state.Accounts {
		check("secret of "+a.Label(), a.Secret.raw())
	}
	if os.Geteuid() == 0 && lockedKiB(t) == 0 {
		t.Error("running as root, yet nothing is mlocked")
	}
	// adopt wipes the heap copies it takes the secrets from.
	st := Merge(w.state, State{})
	heap := st.Accounts[0].Secret.raw()
	want := bytes.Clone(heap)
	w.mu.Lock()
	w.adopt(st)
	w.mu.Unlock()
	if !bytes.Equal(heap, make([]byte, len(heap))) {
		t.Error("adopt left the heap copy of a secret")
	}
	if got := w.state.Accounts[0].Secret.raw(); !bytes.Equal(got, want) || !inOwned(got) {
		t.Error("adopt lost the secret")
	}
	arena, key := w.arena, w.key
	w.Close()
	if inOwned(arena) || inOwned(key) || w.key != nil || w.arena != nil || w.auditKey != nil || w.oldKeys != nil {
		t.Error("Close left buffers")
	}
}

// TestSecureAllocFallback: zero bytes, odd sizes, and buffers that are not
// the vault's own are handled.
func TestSecureAllocFallback(t *testing.T) {
	for _, n := range []int{0, 1, 31, 4096, 4097} {
		b := secureAlloc(n)
		if len(b) != n {
			t.Fatalf("secureAlloc(%d) gave %d bytes", n, len(b))
		}
		for i := range b {
			b[i] = 0xff
		}
		secureFree(b)
	}
	h := []byte("heap")
	secureFree(h)
	if !bytes.Equal(h, make([]byte, 4)) {
		t.Error("secureFree did not wipe a heap buffer")
	}
}

// ownedCount is how many mappings secureAlloc made are not released.
func ownedCount() int {
	n := 0
	owned.Range(func(any, any) bool { n++; return true })
	return n
}

// TestOpenReleasesThePayloadBuffer: File.Open maps the payload's buffer
// before the key is unwrapped (payloadBuffer); a wrong passphrase, a
// missing keyring item, a tampered payload and a Close each leave no
// mapping behind, and a successful open decrypts into that buffer.
func TestOpenReleasesThePayloadBuffer(t *testing.T) {
	dir, v := newTestVault(t, "pw")
	addAccount(t, v, testAccount("A", "a"))
	v.Close()
	before := ownedCount()
	for range 3 {
		if _, err := Open(dir, Unlock{Passphrase: passphrase("wrong")}); err == nil {
			t.Fatal("a wrong passphrase opened the vault")
		}
	}
	if _, err := Open(dir, Unlock{Keyring: memKeyring{}}); err == nil {
		t.Fatal("opened with no slot to open")
	}
	if n := ownedCount(); n != before {
		t.Fatalf("failed opens left %d mappings", n-before)
	}
	f, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	f.p.env.Payload[len(f.p.env.Payload)/2] ^= 1
	if _, err := f.Open(Unlock{Passphrase: passphrase("pw")}); !errors.Is(err, ErrTampered) {
		t.Fatalf("a changed payload: %v", err)
	}
	if n := ownedCount(); n != before {
		t.Fatalf("a tampered payload left %d mappings", n-before)
	}
	w, err := Open(dir, Unlock{Passphrase: passphrase("pw")})
	if err != nil {
		t.Fatal(err)
	}
	if w.lazy == nil || !inOwned(w.lazy.plain) {
		t.Fatal("the payload is not indexed in memory the vault owns")
	}
	w.Close()
	if n := ownedCount(); n != before {
		t.Fatalf("Close left %d mappings", n-before)
	}
}

// The retry of File.Open (a keyring item left with another key, then the
// passphrase) and a failing DeviceID leave no mapping behind either.
func TestOpenRetryReleasesThePayloadBuffer(t *testing.T) {
	kr := memKeyring{}
	dir := t.TempDir() + "/default"
	v, err := Create(dir, CreateOptions{Options: cheap, Keyring: kr, Passphrase: []byte("pw")})
	if err != nil {
		t.Fatal(err)
	}
	addAccount(t, v, testAccount("A", "a"))
	v.Close()
	for k := range kr {
		kr[k] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" // a key, but another one
	}
	before := ownedCount()
	w, err := Open(dir, Unlock{Keyring: kr, Passphrase: passphrase("pw")})
	if err != nil {
		t.Fatalf("the retry with the passphrase: %v", err)
	}
	w.Close()
	if _, err := Open(dir, Unlock{Keyring: kr, Passphrase: passphrase("wrong")}); err == nil {
		t.Fatal("a wrong passphrase opened the vault on the retry")
	}
	if n := ownedCount(); n != before {
		t.Fatalf("the retries left %d mappings", n-before)
	}
	local := filepath.Join(dir, LocalFile)
	if err := os.Remove(local); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(local, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, Unlock{Passphrase: passphrase("pw")}); err == nil {
		t.Fatal("opened with local.json a folder")
	}
	if n := ownedCount(); n != before {
		t.Fatalf("a failing DeviceID left %d mappings", n-before)
	}
}

// TestOneAccountReleasesItsBuffer: a format-3 vault opened for one account
// decrypts into memory the vault owns (the parts it reads locked one by
// one); Close, a tampered payload met later (which closes the vault), and
// a tampered directory at open each leave no mapping behind.
func TestOneAccountReleasesItsBuffer(t *testing.T) {
	dir, v := newTestVault(t, "pw")
	for i := range 400 {
		addAccount(t, v, testAccount("A", fmt.Sprintf("a%d", i)))
	}
	v.Close()
	before := ownedCount()
	w, err := Open(dir, Unlock{Passphrase: passphrase("pw"), OneAccount: true})
	if err != nil {
		t.Fatal(err)
	}
	if w.lazy == nil || w.lazy.part == nil || !inOwned(w.lazy.plain) || !inOwned(w.lazy.part.dir) {
		t.Fatal("not opened for one account in memory the vault owns")
	}
	if a, err := w.Find("a123"); err != nil || a.Name != "a123" {
		t.Fatalf("Find: %v", err)
	}
	w.Close()
	if n := ownedCount(); n != before {
		t.Fatalf("Close left %d mappings", n-before)
	}
	for _, at := range []int{0, -1} { // the directory's first byte; the last chunk's
		f, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		pl := f.p.env.Payload
		pl[(at+len(pl))%len(pl)] ^= 1
		w, err := f.Open(Unlock{Passphrase: passphrase("pw"), OneAccount: true})
		if err == nil {
			w.Find("a0")
			if st := w.State(); len(st.Accounts) != 0 || !w.Locked() {
				t.Fatal("a tampered chunk decoded")
			}
			w.Close()
		} else if !errors.Is(err, ErrTampered) {
			t.Fatal(err)
		}
		if n := ownedCount(); n != before {
			t.Fatalf("a tampered payload (byte %d) left %d mappings", at, n-before)
		}
	}
}
