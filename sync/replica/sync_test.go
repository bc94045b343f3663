package replica

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardkey/wardkey/vault"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func TestSyncTwoWorkstations(t *testing.T) {
	r, root := tempFolder(t)
	a := newFirstDevice(t, "a", t0)
	a.add(t, "EHR", "alice")
	rep := a.sync(t, r)
	if rep.Pulled != 0 || rep.Pushed != 1 || rep.Changed || rep.Replicas != 0 {
		t.Errorf("first sync: %+v", rep)
	}
	for _, p := range []string{ReplicaPath(a.v.ID(), a.v.Device()), KeyPath(a.v.ID())} {
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			t.Errorf("after the first sync: %v", err)
		}
	}

	b := joinDevice(t, "b", r, t0.Add(time.Minute))
	if b.v.ID() != a.v.ID() || b.v.Device() == a.v.Device() {
		t.Fatalf("joined vault %s device %s; first %s device %s", b.v.ID(), b.v.Device(), a.v.ID(), a.v.Device())
	}
	if got := labels(b.v); !slices.Equal(got, []string{"EHR:alice"}) {
		t.Fatalf("joined accounts %v", got)
	}
	// The joined vault opens with the same passphrase, on its own.
	if v, err := vault.Open(b.dir, vault.Unlock{Passphrase: func() ([]byte, error) { return bytes.Clone(testPass), nil }}); err != nil {
		t.Errorf("joined vault does not open with the passphrase: %v", err)
	} else {
		v.Close()
	}

	b.add(t, "Mail", "bob")
	rep = b.sync(t, r)
	if rep.Pushed != 1 || rep.Pulled != 0 || rep.Replicas != 2 {
		t.Errorf("b's sync: %+v", rep)
	}
	rep = a.sync(t, r)
	if rep.Pulled != 1 || !rep.Changed || rep.Pushed != 1 {
		t.Errorf("a's sync: %+v", rep)
	}
	if got := labels(a.v); !slices.Equal(got, []string{"EHR:alice", "Mail:bob"}) {
		t.Errorf("a has %v", got)
	}
	// Nothing new: nothing pulled, nothing written.
	before, _ := os.Stat(filepath.Join(root, ReplicaPath(a.v.ID(), a.v.Device())))
	rep = a.sync(t, r)
	if rep.Pulled != 0 || rep.Pushed != 0 || rep.Changed {
		t.Errorf("idle sync: %+v", rep)
	}
	after, _ := os.Stat(filepath.Join(root, ReplicaPath(a.v.ID(), a.v.Device())))
	if !before.ModTime().Equal(after.ModTime()) {
		t.Errorf("an idle sync rewrote the replica")
	}
	l, err := vault.LoadLocal(a.dir)
	if err != nil || l.LastSync.IsZero() || time.Since(l.LastSync) > time.Minute {
		t.Errorf("LastSync %v, %v", l.LastSync, err)
	}
	if !sameState(t, a.v.State(), b.v.State()) {
		b.sync(t, r)
		if !sameState(t, a.v.State(), b.v.State()) {
			t.Errorf("states differ after syncs")
		}
	}
}

// TestReplicaCiphertextOnly: the remote holds no secret, name or issuer in
// the clear.
func TestReplicaCiphertextOnly(t *testing.T) {
	r, root := tempFolder(t)
	a := newFirstDevice(t, "a", t0)
	acc := a.add(t, "VerySecretIssuer", "dr.house@example.org")
	a.sync(t, r)
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, needle := range [][]byte{[]byte("VerySecretIssuer"), []byte("dr.house"), acc.Secret.Bytes(), []byte(acc.Secret.Base32())} {
			if bytes.Contains(b, needle) {
				t.Errorf("%s holds %q in the clear", p, needle)
			}
		}
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is mode %o", p, info.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSyncRefusesBadReplicas: an altered, truncated, foreign or moved
// replica is skipped and named; the good ones are still merged; the local
// vault is never damaged.
func TestSyncRefusesBadReplicas(t *testing.T) {
	r, root := tempFolder(t)
	a := newFirstDevice(t, "a", t0)
	a.add(t, "EHR", "alice")
	a.sync(t, r)
	b := joinDevice(t, "b", r, t0)
	b.add(t, "Mail", "bob")
	b.sync(t, r)
	good, err := os.ReadFile(filepath.Join(root, ReplicaPath(b.v.ID(), b.v.Device())))
	if err != nil {
		t.Fatal(err)
	}
	other := newFirstDevice(t, "other", t0)
	other.add(t, "Evil", "mallory")
	otherRemote, otherRoot := tempFolder(t)
	other.sync(t, otherRemote)
	foreign, _ := os.ReadFile(filepath.Join(otherRoot, ReplicaPath(other.v.ID(), other.v.Device())))

	// flip changes one base64 character of the ciphertext into another
	// base64 character, so the file still parses and only the AEAD can
	// notice (flipping a bit could make it unparseable instead).
	flip := func(b []byte, at int) []byte {
		c := bytes.Clone(b)
		if c[at] == 'A' {
			c[at] = 'B'
		} else {
			c[at] = 'A'
		}
		return c
	}
	var f replicaFile
	if err := json.Unmarshal(good, &f); err != nil {
		t.Fatal(err)
	}
	// Syncthing's name for a conflict copy keeps the device ID first.
	conflict := b.v.Device() + ".sync-conflict-20260301-090000-ABCDEFG.wkr"
	// Re-labelled header: claims to be device "c" but sealed for b.
	relabel := bytes.Replace(good, []byte(b.v.Device()), []byte("cccccccccccccccc"), 1)

	for _, tc := range []struct {
		name    string
		file    string // base name under replicas/
		content []byte
		why     string
	}{
		{"flipped ciphertext bit", conflict, flip(good, len(good)-10), "does not open"},
		{"cut short", conflict, good[:len(good)/2], "not a wardkey replica"},
		{"another vault's replica", other.v.Device() + ".wkr", bytes.Replace(foreign, []byte(other.v.ID()), []byte(a.v.ID()), 1), "does not open"},
		{"another vault's replica as is", other.v.Device() + ".wkr", foreign, "another vault"},
		{"b's replica under another name", "cccccccccccccccc.wkr", good, "names another device"},
		{"header relabelled", "cccccccccccccccc.wkr", relabel, "does not open"},
		{"garbage", "cccccccccccccccc.wkr", []byte("hello"), "not a wardkey replica"},
		{"a good conflict copy is used", conflict, good, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(root, a.v.ID(), ReplicaDir, tc.file)
			if err := os.WriteFile(p, tc.content, 0o600); err != nil {
				t.Fatal(err)
			}
			defer os.Remove(p)
			vaultBefore, _ := os.ReadFile(filepath.Join(a.dir, vault.VaultFile))
			rep := a.sync(t, r)
			if tc.why == "" {
				if len(rep.Skipped) != 0 || rep.Replicas != 3 {
					t.Errorf("a good conflict copy: %+v", rep)
				}
				return
			}
			if len(rep.Skipped) != 1 || !strings.HasPrefix(rep.Skipped[0], tc.file+": ") || !strings.Contains(rep.Skipped[0], tc.why) {
				t.Errorf("skipped %q, want %s: …%s…", rep.Skipped, tc.file, tc.why)
			}
			if rep.Replicas != 2 {
				t.Errorf("read %d good replicas, want 2", rep.Replicas)
			}
			if got := labels(a.v); !slices.Equal(got, []string{"EHR:alice", "Mail:bob"}) {
				t.Errorf("a has %v", got)
			}
			vaultAfter, _ := os.ReadFile(filepath.Join(a.dir, vault.VaultFile))
			if rep.Changed == bytes.Equal(vaultBefore, vaultAfter) {
				t.Errorf("Changed %v but the vault file changed: %v", rep.Changed, !bytes.Equal(vaultBefore, vaultAfter))
			}
		})
	}
}

func TestJoinRefusals(t *testing.T) {
	ctx := context.Background()
	empty, _ := tempFolder(t)
	if _, err := Join(ctx, empty, "", testPass); !errors.Is(err, ErrNoVault) {
		t.Errorf("join of an empty remote: %v", err)
	}

	r, root := tempFolder(t)
	a := newFirstDevice(t, "a", t0)
	a.add(t, "EHR", "alice")
	a.sync(t, r)
	if _, err := Join(ctx, r, "", []byte("wrong")); !errors.Is(err, vault.ErrWrongPassphrase) {
		t.Errorf("wrong passphrase: %v", err)
	}
	if _, err := Join(ctx, r, "../etc", testPass); err == nil {
		t.Errorf("a vault ID with .. was accepted")
	}
	if _, err := Join(ctx, r, "0123456789abcdef", testPass); !errors.Is(err, ErrNoVault) {
		t.Errorf("unknown vault ID: %v", err)
	}
	j, err := Join(ctx, r, a.v.ID(), testPass)
	if err != nil || j.Replicas != 1 || len(j.State.Live()) != 1 {
		t.Errorf("join by ID: %+v, %v", j, err)
	}

	// A second vault on the same remote: the ID must be named.
	c := newFirstDevice(t, "c", t0)
	c.add(t, "Lab", "carol")
	c.sync(t, r)
	if _, err := Join(ctx, r, "", testPass); !errors.Is(err, ErrSeveralVaults) || !strings.Contains(err.Error(), c.v.ID()) {
		t.Errorf("two vaults: %v", err)
	}

	// A key.json whose replicas are gone, or do not open with its key.
	if err := os.RemoveAll(filepath.Join(root, c.v.ID(), ReplicaDir)); err != nil {
		t.Fatal(err)
	}
	if _, err := Join(ctx, r, c.v.ID(), testPass); !errors.Is(err, ErrNoVault) {
		t.Errorf("no replicas: %v", err)
	}
	// CreateJoined refuses to overwrite a vault.
	if _, err := vault.CreateJoined(a.dir, j.VaultID, j.Key, vault.JoinOptions{Slot: j.Slot}); !errors.Is(err, vault.ErrExists) {
		t.Errorf("CreateJoined over a vault: %v", err)
	}
}

// TestKeyringOnlyVault: it syncs, but puts no key.json, so it cannot be
// joined until it has a passphrase.
func TestKeyringOnlyVault(t *testing.T) {
	r, root := tempFolder(t)
	dir := filepath.Join(t.TempDir(), "k")
	kr := memKeyring{}
	v, err := vault.Create(dir, vault.CreateOptions{Options: vault.Options{KDF: &cheapKDF}, Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if _, err := Sync(context.Background(), v, r); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, KeyPath(v.ID()))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a keyring-only vault put key.json: %v", err)
	}
	if _, err := Join(context.Background(), r, "", testPass); !errors.Is(err, ErrNoVault) {
		t.Errorf("join of a keyring-only vault: %v", err)
	}
	if _, err := v.Rekey(context.Background(), vault.RekeyOptions{Options: vault.Options{KDF: &cheapKDF}, Passphrase: bytes.Clone(testPass), NewPassphrase: true, Keyring: kr}); err != nil {
		t.Fatal(err)
	}
	if _, err := Sync(context.Background(), v, r); err != nil {
		t.Fatal(err)
	}
	if _, err := Join(context.Background(), r, "", testPass); err != nil {
		t.Errorf("join once it has a passphrase: %v", err)
	}
}

// memKeyring is an in-memory keyring (the product uses the OS keyring).
type memKeyring map[string]string

func (m memKeyring) Get(service, user string) (string, error) {
	if s, ok := m[service+"\x00"+user]; ok {
		return s, nil
	}
	return "", vault.ErrKeyringMissing
}
func (m memKeyring) Set(service, user, secret string) error {
	m[service+"\x00"+user] = secret
	return nil
}
func (m memKeyring) Delete(service, user string) error {
	delete(m, service+"\x00"+user)
	return nil
}

// givePass answers a sync's question for the passphrase of a newer key.
func givePass(p []byte) SyncOption {
	return WithPassphrase(func(context.Context) ([]byte, error) { return bytes.Clone(p), nil })
}

// TestKeyRotationSpreads: passwd on one workstation gives the vault a new
// key; the other takes it at its next sync with the new passphrase (no
// re-join), and nothing written under the new key opens with the old
// passphrase, the old key.json, or the old key.
func TestKeyRotationSpreads(t *testing.T) {
	r, root := tempFolder(t)
	ctx := context.Background()
	a := newFirstDevice(t, "a", t0)
	a.add(t, "EHR", "alice")
	a.sync(t, r)
	b := joinDevice(t, "b", r, t0)
	oldKeyJSON, _ := os.ReadFile(filepath.Join(root, KeyPath(a.v.ID())))
	oldKeyID := a.v.KeyID()

	newPass := []byte("a new passphrase")
	if _, err := a.v.Rekey(ctx, vault.RekeyOptions{Options: vault.Options{KDF: &cheapKDF}, Passphrase: bytes.Clone(newPass), NewPassphrase: true}); err != nil {
		t.Fatal(err)
	}
	a.add(t, "Lab", "after")
	a.sync(t, r)
	newKeyJSON, _ := os.ReadFile(filepath.Join(root, KeyPath(a.v.ID())))
	if bytes.Equal(oldKeyJSON, newKeyJSON) || !bytes.Contains(newKeyJSON, []byte(a.v.KeyID())) {
		t.Fatal("key.json does not hold the new key")
	}
	// b, still under the old key, changes something: a reads it through
	// the previous key it keeps.
	b.add(t, "Mail", "bob")
	bFile, _ := os.ReadFile(filepath.Join(b.dir, vault.VaultFile))
	// Without a passphrase b cannot take the new key: it says so and
	// changes nothing.
	if _, err := Sync(ctx, b.v, r); !errors.Is(err, ErrNewKey) {
		t.Fatalf("sync without the new passphrase: %v, want ErrNewKey", err)
	}
	if now, _ := os.ReadFile(filepath.Join(b.dir, vault.VaultFile)); !bytes.Equal(now, bFile) {
		t.Error("a refused sync changed b's vault")
	}
	// The wrong passphrase: refused, nothing changed.
	if _, err := Sync(ctx, b.v, r, givePass(testPass)); !errors.Is(err, vault.ErrWrongPassphrase) {
		t.Fatalf("sync with the old passphrase for the new key: %v", err)
	}
	if now, _ := os.ReadFile(filepath.Join(b.dir, vault.VaultFile)); !bytes.Equal(now, bFile) {
		t.Error("a refused sync changed b's vault")
	}
	rep, err := Sync(ctx, b.v, r, givePass(newPass))
	if err != nil || !rep.NewKey || len(rep.Skipped) != 0 {
		t.Fatalf("sync with the new passphrase: %+v %v", rep, err)
	}
	if b.v.KeyID() != a.v.KeyID() {
		t.Fatal("b did not take the new key")
	}
	a.sync(t, r)
	if !slices.Equal(labels(a.v), labels(b.v)) || len(labels(a.v)) != 3 {
		t.Fatalf("a %v, b %v", labels(a.v), labels(b.v))
	}
	// b's vault now opens with the new passphrase, not the old.
	if _, err := vault.Open(b.dir, vault.Unlock{Passphrase: func() ([]byte, error) { return bytes.Clone(testPass), nil }}); !errors.Is(err, vault.ErrWrongPassphrase) {
		t.Errorf("b's vault with the old passphrase: %v", err)
	}
	if w, err := vault.Open(b.dir, vault.Unlock{Passphrase: func() ([]byte, error) { return bytes.Clone(newPass), nil }}); err != nil {
		t.Errorf("b's vault with the new passphrase: %v", err)
	} else {
		w.Close()
	}
	// The old passphrase joins nothing; the new one does.
	if _, err := Join(ctx, r, "", testPass); !errors.Is(err, vault.ErrWrongPassphrase) {
		t.Errorf("the old passphrase still joins: %v", err)
	}
	if j, err := Join(ctx, r, "", newPass); err != nil || len(j.Skipped) != 0 {
		t.Errorf("the new passphrase does not join: %v %q", err, j.Skipped)
	}
	// An old key.json put back on the remote (a remote rolled back, or
	// kept by whoever runs it): the old passphrase opens the old key, and
	// no replica written under the new key opens with it.
	if err := os.WriteFile(filepath.Join(root, KeyPath(a.v.ID())), oldKeyJSON, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Join(ctx, r, "", testPass); !errors.Is(err, ErrNoVault) {
		t.Errorf("join through the old key.json: %v, want ErrNoVault (no replica opens)", err)
	}
	// A workstation's next sync puts the newest key back.
	a.sync(t, r)
	if now, _ := os.ReadFile(filepath.Join(root, KeyPath(a.v.ID()))); !bytes.Contains(now, []byte(a.v.KeyID())) {
		t.Error("the old key.json stayed")
	}
	if a.v.KeyID() == oldKeyID || !a.v.KnowsKey(oldKeyID) {
		t.Error("a lost track of its keys")
	}

	// Now b rotates (rekey, same passphrase): a takes it with the
	// passphrase it has.
	if _, err := b.v.Rekey(ctx, vault.RekeyOptions{Options: vault.Options{KDF: &cheapKDF}, Passphrase: bytes.Clone(newPass)}); err != nil {
		t.Fatal(err)
	}
	b.sync(t, r)
	if rep, err := Sync(ctx, a.v, r, givePass(newPass)); err != nil || !rep.NewKey {
		t.Fatalf("a takes b's key: %+v %v", rep, err)
	}
	if a.v.KeyID() != b.v.KeyID() || a.v.KeyGeneration() != 2 {
		t.Errorf("keys %s/%d and %s", a.v.KeyID(), a.v.KeyGeneration(), b.v.KeyID())
	}
}

// TestConcurrentRotations: two workstations rotate without seeing each
// other; the newer key (generation, then key ID) wins everywhere, and no
// change is lost.
func TestConcurrentRotations(t *testing.T) {
	r, _ := tempFolder(t)
	ctx := context.Background()
	a := newFirstDevice(t, "a", t0)
	a.add(t, "EHR", "alice")
	a.sync(t, r)
	b := joinDevice(t, "b", r, t0)
	o := vault.RekeyOptions{Options: vault.Options{KDF: &cheapKDF}}
	for _, d := range []*device{a, b} {
		o.Passphrase = bytes.Clone(testPass)
		if _, err := d.v.Rekey(ctx, o); err != nil {
			t.Fatal(err)
		}
		d.add(t, "Dev", d.name)
	}
	for range 3 {
		for _, d := range []*device{a, b} {
			if _, err := Sync(ctx, d.v, r, givePass(testPass)); err != nil {
				t.Fatalf("sync %s: %v", d.name, err)
			}
		}
	}
	if a.v.KeyID() != b.v.KeyID() {
		t.Fatalf("the keys did not converge: %s %s", a.v.KeyID(), b.v.KeyID())
	}
	if !slices.Equal(labels(a.v), labels(b.v)) || len(labels(a.v)) != 3 {
		t.Fatalf("a %v, b %v", labels(a.v), labels(b.v))
	}
	if rep := a.sync(t, r); len(rep.Skipped) != 0 {
		t.Errorf("skipped %q", rep.Skipped)
	}
}

// TestRestoredBackupKeepsItsOwnReplica: the device ID comes from local.json,
// so a vault file copied to another machine writes that machine's replica.
func TestRestoredBackupKeepsItsOwnReplica(t *testing.T) {
	r, root := tempFolder(t)
	a := newFirstDevice(t, "a", t0)
	a.add(t, "EHR", "alice")
	a.sync(t, r)
	// Copy a's vault file (not local.json) to a new machine.
	dir := filepath.Join(t.TempDir(), "copy")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(a.dir, vault.VaultFile))
	if err := os.WriteFile(filepath.Join(dir, vault.VaultFile), b, 0o600); err != nil {
		t.Fatal(err)
	}
	v, err := vault.Open(dir, vault.Unlock{Passphrase: func() ([]byte, error) { return bytes.Clone(testPass), nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if v.Device() == a.v.Device() {
		t.Fatal("the copy took over a's device ID")
	}
	if _, err := Sync(context.Background(), v, r); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(filepath.Join(root, a.v.ID(), ReplicaDir))
	if len(ents) != 2 {
		t.Errorf("%d replicas, want 2 (a's and the copy's)", len(ents))
	}
}

func TestSyncDemoVault(t *testing.T) {
	r, _ := tempFolder(t)
	if _, err := Sync(context.Background(), vault.NewMemory(vault.State{}), r); !errors.Is(err, ErrNoDir) {
		t.Errorf("demo vault: %v", err)
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o600)
	for _, tc := range []struct {
		spec string
		ok   bool
		want string
	}{
		{dir, true, dir},
		{"file://" + dir, true, dir},
		{filepath.Join(dir, "missing"), false, "is the share mounted"},
		{file, false, "not a folder"},
		{"", false, "no remote"},
		{"https://alice:pw@dav.example.org/remote.php/dav/files/alice/wardkey", true, "https://dav.example.org/remote.php/dav/files/alice/wardkey/"},
		{"http://127.0.0.1:8080", true, "http://127.0.0.1:8080/"},
		{"https://", false, "not an http(s) URL"},
	} {
		r, err := Open(tc.spec)
		if (err == nil) != tc.ok {
			t.Errorf("Open(%q) = %v", tc.spec, err)
			continue
		}
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = r.String()
		}
		if !strings.Contains(got, tc.want) || strings.Contains(got, "pw") {
			t.Errorf("Open(%q): %q, want %q", tc.spec, got, tc.want)
		}
	}
	w, _ := Open("https://alice:pw@dav.example.org/x")
	if w.(*WebDAV).User() != "alice" || string(w.(*WebDAV).password) != "pw" {
		t.Errorf("user info from the URL was not used")
	}
}

func TestCleanName(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"a/replicas/b.wkr", "a/replicas/b.wkr", true},
		{"", "", true},
		{"a/../b", "", false},
		{"..", "", false},
		{"/abs/x", "abs/x", true},
		{`a\b`, "", false},
		{"a//b/", "a/b", true},
	} {
		got, err := cleanName(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("cleanName(%q) = %q, %v", tc.in, got, err)
		}
	}
}
