//go:build unix

package replica

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Symlinks planted in a shared folder remote are never followed: not a
// folder (the write would land elsewhere), not a replica (the read would
// take another file); a symlink at a replica's own name is replaced.
func TestFolderRefusesSymlinks(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		plant func(root, elsewhere string) error
		op    func(r Remote) error
		want  error // nil: works, without touching elsewhere
	}{
		{"folder symlink on write", func(root, elsewhere string) error {
			return os.Symlink(elsewhere, filepath.Join(root, "vid"))
		}, func(r Remote) error { return r.Write(ctx, "vid/replicas/dev.wkr", []byte("x")) }, ErrSymlink},
		{"nested folder symlink on write", func(root, elsewhere string) error {
			if err := os.Mkdir(filepath.Join(root, "vid"), 0o700); err != nil {
				return err
			}
			return os.Symlink(elsewhere, filepath.Join(root, "vid", "replicas"))
		}, func(r Remote) error { return r.Write(ctx, "vid/replicas/dev.wkr", []byte("x")) }, ErrSymlink},
		{"folder symlink on list", func(root, elsewhere string) error {
			return os.Symlink(elsewhere, filepath.Join(root, "vid"))
		}, func(r Remote) error { _, err := r.List(ctx, "vid/replicas"); return err }, ErrSymlink},
		{"replica symlink on read", func(root, elsewhere string) error {
			if err := os.MkdirAll(filepath.Join(root, "vid", "replicas"), 0o700); err != nil {
				return err
			}
			return os.Symlink(filepath.Join(elsewhere, "secret"), filepath.Join(root, "vid", "replicas", "dev.wkr"))
		}, func(r Remote) error { _, err := r.Read(ctx, "vid/replicas/dev.wkr"); return err }, ErrSymlink},
		{"replica symlink on write", func(root, elsewhere string) error {
			if err := os.MkdirAll(filepath.Join(root, "vid", "replicas"), 0o700); err != nil {
				return err
			}
			return os.Symlink(filepath.Join(elsewhere, "secret"), filepath.Join(root, "vid", "replicas", "dev.wkr"))
		}, func(r Remote) error { return r.Write(ctx, "vid/replicas/dev.wkr", []byte("x")) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, root := tempFolder(t)
			elsewhere := t.TempDir()
			if err := os.WriteFile(filepath.Join(elsewhere, "secret"), []byte("untouched"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := tt.plant(root, elsewhere); err != nil {
				t.Fatal(err)
			}
			err := tt.op(r)
			if tt.want != nil && !errors.Is(err, tt.want) || tt.want == nil && err != nil {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			ents, _ := os.ReadDir(elsewhere)
			if b, _ := os.ReadFile(filepath.Join(elsewhere, "secret")); len(ents) != 1 || string(b) != "untouched" {
				t.Fatalf("the write went through the symlink: %d entries there, secret %q", len(ents), b)
			}
		})
	}
}
