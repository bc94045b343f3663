package replica

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardkey/wardkey/vault"
)

// cheapKDF keeps tests fast; the product uses vault.DefaultKDF.
var cheapKDF = vault.KDFParams{Alg: "argon2id", Memory: 64, Time: 1, Threads: 1}

var testPass = []byte("correct horse battery staple")

// fakeClock is a device's wall clock, moved by the test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// device is one simulated workstation: its own profile directory, vault and
// clock.
type device struct {
	name  string
	dir   string
	v     *vault.Vault
	clock *fakeClock
}

func opts(c *fakeClock) vault.Options {
	return vault.Options{KDF: &cheapKDF, Now: c.Now}
}

// newFirstDevice creates a vault with a passphrase on a new device.
func newFirstDevice(t testing.TB, name string, start time.Time) *device {
	t.Helper()
	c := &fakeClock{t: start}
	dir := filepath.Join(t.TempDir(), name)
	v, err := vault.Create(dir, vault.CreateOptions{Options: opts(c), Passphrase: bytes.Clone(testPass)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Close)
	return &device{name: name, dir: dir, v: v, clock: c}
}

// joinDevice sets up a new device from the remote, as `wardkey sync join`.
func joinDevice(t testing.TB, name string, r Remote, start time.Time) *device {
	t.Helper()
	c := &fakeClock{t: start}
	dir := filepath.Join(t.TempDir(), name)
	j, err := Join(context.Background(), r, "", testPass)
	if err != nil {
		t.Fatalf("join %s: %v", name, err)
	}
	v, err := vault.CreateJoined(dir, j.VaultID, j.Key, vault.JoinOptions{Options: opts(c), Slot: j.Slot, State: j.State})
	clear(j.Key)
	if err != nil {
		t.Fatalf("create joined vault %s: %v", name, err)
	}
	t.Cleanup(v.Close)
	d := &device{name: name, dir: dir, v: v, clock: c}
	d.sync(t, r)
	return d
}

func (d *device) sync(t testing.TB, r Remote) Report {
	t.Helper()
	rep, err := Sync(context.Background(), d.v, r)
	if err != nil {
		t.Fatalf("sync %s: %v", d.name, err)
	}
	return rep
}

func (d *device) add(t testing.TB, issuer, name string) vault.Account {
	t.Helper()
	var out vault.Account
	err := d.v.Update(func(tx *vault.Tx) error {
		a, err := tx.Add(newAccount(issuer, name, vault.TOTP))
		out = a
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var secretN atomic.Int64

func newAccount(issuer, name string, typ vault.Type) vault.Account {
	return vault.Account{
		Issuer: issuer, Name: name, Type: typ,
		Secret: vault.NewSecret(fmt.Appendf(nil, "secret-%08d-%s-%s", secretN.Add(1), issuer, name)),
	}
}

// tempFolder makes a folder remote in a new temporary directory.
func tempFolder(t testing.TB) (Remote, string) {
	t.Helper()
	root := t.TempDir()
	r, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	return r, root
}

// labels lists the live accounts as "issuer:name" for comparisons.
func labels(v *vault.Vault) []string {
	var out []string
	for _, a := range v.Accounts() {
		out = append(out, a.Label())
	}
	return out
}

// stateBytes is a canonical encoding of a state, to compare devices.
func stateBytes(t testing.TB, s vault.State) []byte {
	t.Helper()
	b, err := vault.MarshalState(vault.Merge(s, vault.State{}))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sameState(t testing.TB, a, b vault.State) bool {
	return bytes.Equal(stateBytes(t, a), stateBytes(t, b))
}

// needTool skips when a peer tool is missing, loudly, unless CI demands it.
func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("WARDKEY_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is required (WARDKEY_REQUIRE_TOOLS=1) but missing: %v", name, err)
		}
		t.Skipf("SKIPPING: %s is not installed", name)
	}
	return p
}

// sealWith is a Sealer for a bare key named keyID (tests, benchmarks).
func sealWith(key []byte, keyID string) Sealer {
	return func(plain []byte, ad func(string) ([]byte, error)) (string, []byte, error) {
		a, err := ad(keyID)
		if err != nil {
			return "", nil, err
		}
		sealed, err := vault.SealWithKey(key, plain, a)
		return keyID, sealed, err
	}
}
