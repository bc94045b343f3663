//go:build unix

package vault

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A symlink planted under WARDKEY_HOME (the profile folder, vault.json,
// local.json) is never followed: reads and writes are refused, and nothing
// appears where it points.
func TestProfileRefusesSymlinks(t *testing.T) {
	kdf := &KDFParams{Alg: "argon2id", Memory: 64, Time: 1, Threads: 1}
	t.Run("profile folder", func(t *testing.T) {
		home, elsewhere := t.TempDir(), t.TempDir()
		dir := filepath.Join(home, "default")
		mustDo(t, os.Symlink(elsewhere, dir))
		if _, err := Create(dir, CreateOptions{Passphrase: []byte("pw"), Options: Options{KDF: kdf}}); !errors.Is(err, ErrSymlink) {
			t.Fatalf("Create through a symlinked profile folder: %v", err)
		}
		if _, err := UpdateLocal(dir, func(*Local) {}); !errors.Is(err, ErrSymlink) {
			t.Fatalf("UpdateLocal: %v", err)
		}
		if _, err := Load(dir); !errors.Is(err, ErrSymlink) {
			t.Fatalf("Load: %v", err)
		}
		if ents, _ := os.ReadDir(elsewhere); len(ents) != 0 {
			t.Fatalf("files were written through the symlink: %v", ents)
		}
	})
	t.Run("vault and local files", func(t *testing.T) {
		dir, elsewhere := t.TempDir(), t.TempDir()
		v, err := Create(dir, CreateOptions{Passphrase: []byte("pw"), Options: Options{KDF: kdf}})
		mustDo(t, err)
		v.Close()
		for _, f := range []string{VaultFile, LocalFile} {
			mustDo(t, os.Rename(filepath.Join(dir, f), filepath.Join(elsewhere, f)))
			mustDo(t, os.Symlink(filepath.Join(elsewhere, f), filepath.Join(dir, f)))
		}
		if _, err := Load(dir); !errors.Is(err, ErrSymlink) {
			t.Fatalf("Load through a symlinked vault.json: %v", err)
		}
		if _, err := LoadLocal(dir); !errors.Is(err, ErrSymlink) {
			t.Fatalf("LoadLocal through a symlinked local.json: %v", err)
		}
	})
}
