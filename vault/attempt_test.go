//go:build unix

package vault

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A planted lock (a directory, a symlink, another user's file) and an
// unreadable local.json never make a failed attempt free: the attempt
// waits MaxUnlockDelay; RepairLock removes what was planted.
func TestAttemptFailsClosed(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name  string
		plant func(t *testing.T, dir string)
	}{
		{"directory", func(t *testing.T, dir string) { mustDo(t, os.Mkdir(filepath.Join(dir, localLock), 0o700)) }},
		{"symlink", func(t *testing.T, dir string) {
			mustDo(t, os.Symlink(filepath.Join(dir, "elsewhere"), filepath.Join(dir, localLock)))
		}},
		{"another user's file", func(t *testing.T, dir string) {
			if os.Geteuid() != 0 {
				t.Skip("chown needs root")
			}
			p := filepath.Join(dir, localLock)
			mustDo(t, os.WriteFile(p, nil, 0o600))
			mustDo(t, os.Chown(p, 65534, 65534))
		}},
		{"corrupt local.json", func(t *testing.T, dir string) {
			mustDo(t, os.WriteFile(filepath.Join(dir, LocalFile), []byte("{"), 0o600))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.plant(t, dir)
			a, err := BeginAttempt(dir, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Release()
			if a.Broken() == nil || a.Wait(now) != MaxUnlockDelay {
				t.Fatalf("broken %v, wait %v; want the longest wait", a.Broken(), a.Wait(now))
			}
			if err := a.Record(true, now); err == nil {
				t.Fatal("a broken count recorded a failure")
			}
			if _, err := os.Lstat(filepath.Join(dir, "elsewhere")); !errors.Is(err, os.ErrNotExist) {
				t.Fatal("the lock was created through a symlink")
			}
			if tt.name == "corrupt local.json" {
				return
			}
			if err := CheckLock(dir); !errors.Is(err, ErrPlantedLock) {
				t.Fatalf("CheckLock = %v", err)
			}
			mustDo(t, RepairLock(dir))
			if err := CheckLock(dir); err != nil {
				t.Fatalf("after repair: %v", err)
			}
		})
	}
}

// Attempts queue: a second one waits for the first to be released, or is
// refused with ErrLockBusy after its queue time.
func TestAttemptQueues(t *testing.T) {
	dir := t.TempDir()
	a, err := BeginAttempt(dir, time.Second)
	if err != nil || a.Broken() != nil {
		t.Fatal(err, a.Broken())
	}
	mustDo(t, a.Record(true, time.Now()))
	if _, err := BeginAttempt(dir, 100*time.Millisecond); !errors.Is(err, ErrLockBusy) {
		t.Fatalf("second attempt while the first holds the lock: %v", err)
	}
	go func() { time.Sleep(100 * time.Millisecond); a.Release() }()
	b, err := BeginAttempt(dir, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	if b.Failures() != 1 {
		t.Fatalf("the second attempt sees %d failures, want 1", b.Failures())
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
