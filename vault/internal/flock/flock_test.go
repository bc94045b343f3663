//go:build unix

package flock

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestLockRefusesPlantedFiles(t *testing.T) {
	dir := t.TempDir()
	elsewhere := filepath.Join(dir, "elsewhere")
	tests := []struct {
		name  string
		plant func(path string) error
	}{
		{"directory", func(p string) error { return os.Mkdir(p, 0o700) }},
		{"symlink to a missing file", func(p string) error { return os.Symlink(elsewhere, p) }},
		{"symlink to a file", func(p string) error {
			if err := os.WriteFile(elsewhere, []byte("keep"), 0o600); err != nil {
				return err
			}
			return os.Symlink(elsewhere, p)
		}},
		{"fifo", func(p string) error { return mkfifo(p) }},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "lock"+string(rune('a'+i)))
			if err := tt.plant(path); err != nil {
				t.Fatal(err)
			}
			unlock, err := Lock(path, 0)
			if !errors.Is(err, ErrPlanted) {
				if unlock != nil {
					unlock()
				}
				t.Fatalf("Lock(%s) = %v, want ErrPlanted", tt.name, err)
			}
		})
	}
	// Nothing was created or written through a symlink.
	if b, err := os.ReadFile(elsewhere); err != nil || string(b) != "keep" {
		t.Fatalf("the symlink's target: %q, %v", b, err)
	}
}

func TestLockWaitsAndReportsBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	unlock, err := Lock(path, Forever)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("lock file: %v, %v (want mode 0600)", fi.Mode(), err)
	}
	// flock(2) locks belong to the open file, so a second Lock in this
	// process contends like another process would.
	if _, err := Lock(path, 50*time.Millisecond); !errors.Is(err, ErrBusy) {
		t.Fatalf("second Lock = %v, want ErrBusy", err)
	}
	got := make(chan error, 1)
	go func() {
		u, err := Lock(path, 5*time.Second)
		if err == nil {
			u()
		}
		got <- err
	}()
	unlock()
	if err := <-got; err != nil {
		t.Fatalf("Lock after release: %v", err)
	}
}
