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
	if err := v.SetPassphrase(testPass, vault.Options{KDF: &cheapKDF}); err != nil {
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

// TestKeyFileFollowsPassphraseChanges: the last passphrase change on any
// workstation is what key.json holds, and workstations do not take turns.
func TestKeyFileFollowsPassphraseChanges(t *testing.T) {
	r, _ := tempFolder(t)
	ctx := context.Background()
	a := newFirstDevice(t, "a", t0)
	a.add(t, "EHR", "alice")
	a.sync(t, r)
	b := joinDevice(t, "b", r, t0)

	newPass := []byte("a new passphrase")
	if err := a.v.SetPassphrase(newPass, vault.Options{KDF: &cheapKDF}); err != nil {
		t.Fatal(err)
	}
	a.sync(t, r)
	b.sync(t, r) // b still has the old passphrase: it must not put it back
	a.sync(t, r)
	if _, err := Join(ctx, r, "", testPass); !errors.Is(err, vault.ErrWrongPassphrase) {
		t.Errorf("the old passphrase still joins: %v", err)
	}
	if _, err := Join(ctx, r, "", newPass); err != nil {
		t.Errorf("the new passphrase does not join: %v", err)
	}
	// Now b changes its passphrase: b's is the newest.
	third := []byte("third passphrase")
	if err := b.v.SetPassphrase(third, vault.Options{KDF: &cheapKDF}); err != nil {
		t.Fatal(err)
	}
	b.sync(t, r)
	a.sync(t, r)
	if _, err := Join(ctx, r, "", third); err != nil {
		t.Errorf("b's new passphrase does not join: %v", err)
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
