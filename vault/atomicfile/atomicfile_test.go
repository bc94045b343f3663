package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func temps(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, tempPrefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestReplace(t *testing.T) {
	dir := t.TempDir()
	p, bak := filepath.Join(dir, "vault.json"), filepath.Join(dir, "vault.json.bak")
	if err := Replace(p, []byte("one"), bak); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(bak); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a .bak of nothing was made: %v", err)
	}
	if err := Replace(p, []byte("two"), bak); err != nil {
		t.Fatal(err)
	}
	if err := Replace(p, []byte("three"), bak); err != nil {
		t.Fatal(err)
	}
	if got, old := read(t, p), read(t, bak); got != "three" || old != "two" {
		t.Fatalf("file %q, bak %q; want three, two", got, old)
	}
	for _, f := range []string{p, bak} {
		if info, _ := os.Stat(f); info.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", f, info.Mode().Perm())
		}
	}
	if m := temps(t, dir); len(m) != 0 {
		t.Fatalf("temporary files left: %v", m)
	}
}

// ReplaceUnsynced replaces as Replace does: the new content, 0600, no
// temporary file left, and a symlink at the destination replaced, never
// followed.
func TestReplaceUnsynced(t *testing.T) {
	tests := []struct {
		name    string
		symlink bool
	}{
		{"over nothing", false},
		{"over a file, twice", false},
		{"over a symlink", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p, target := filepath.Join(dir, "recent.json"), filepath.Join(dir, "elsewhere")
			if err := os.WriteFile(target, []byte("untouched"), 0o600); err != nil {
				t.Fatal(err)
			}
			if tt.symlink {
				if err := os.Symlink(target, p); err != nil {
					t.Fatal(err)
				}
			}
			for _, data := range []string{"one", "two"} {
				if err := ReplaceUnsynced(p, []byte(data)); err != nil {
					t.Fatal(err)
				}
				info, err := os.Lstat(p)
				if err != nil || !info.Mode().IsRegular() || info.Mode().Perm() != 0o600 || read(t, p) != data {
					t.Fatalf("after writing %q: %v %v, holds %q", data, info, err, read(t, p))
				}
			}
			if got := read(t, target); got != "untouched" {
				t.Fatalf("the symlink's target was written: %q", got)
			}
			if m := temps(t, dir); len(m) != 0 {
				t.Fatalf("temporary files left: %v", m)
			}
		})
	}
}

// A symlink planted at the destination is replaced, never followed: the
// write cannot be redirected to the link's target.
func TestReplaceDoesNotFollowSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere")
	if err := os.WriteFile(target, []byte("untouched"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "replica.wkr")
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
	if err := Replace(p, []byte("new"), ""); err != nil {
		t.Fatal(err)
	}
	if got := read(t, target); got != "untouched" {
		t.Fatalf("the symlink's target was written: %q", got)
	}
	if info, _ := os.Lstat(p); info.Mode()&fs.ModeSymlink != 0 || read(t, p) != "new" {
		t.Fatal("the destination is still the symlink")
	}
}

func TestCreateNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "backup.age")
	if err := Create(p, []byte("first")); err != nil {
		t.Fatal(err)
	}
	err := Create(p, []byte("second"))
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Create over an existing file: %v, want fs.ErrExist", err)
	}
	if got := read(t, p); got != "first" {
		t.Fatalf("the existing file changed: %q", got)
	}
	// A dangling symlink counts as existing: Create does not write through it.
	link := filepath.Join(dir, "link.age")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), link); err != nil {
		t.Fatal(err)
	}
	if err := Create(link, []byte("x")); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Create over a dangling symlink: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "nowhere")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("Create wrote through a symlink")
	}
	if err := Create(filepath.Join(dir, "no", "such", "dir"), []byte("x")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Create in a missing folder: %v", err)
	}
	if m := temps(t, dir); len(m) != 0 {
		t.Fatalf("temporary files left: %v", m)
	}
}

func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	mk := func(name string, age time.Duration) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-age)
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
		return p
	}
	oldTemp := mk(".tmp-r.wkr-1", 2*time.Hour)
	newTemp := mk(".tmp-r.wkr-2", 0)
	other := mk(".tmp-s.wkr-3", 2*time.Hour)
	RemoveStale(dir, "r.wkr", time.Hour)
	for p, want := range map[string]bool{oldTemp: false, newTemp: true, other: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s exists = %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
	RemoveStale(dir, "r.wkr", 0)
	if _, err := os.Stat(newTemp); err == nil {
		t.Error("age 0 kept a temporary file")
	}
}

func TestMkdirPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := MkdirPrivate(dir); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(dir); info.Mode().Perm() != 0o700 {
		t.Fatalf("mode %v, want 0700", info.Mode().Perm())
	}
}
