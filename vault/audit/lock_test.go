//go:build unix

package audit

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// A lock file planted where the log takes its lock (a symlink to another
// file) is refused: the append fails and nothing is written through it.
func TestAppendRefusesPlantedLock(t *testing.T) {
	l, _ := newLog(t)
	mustAppend(t, l, testKey, Event{Event: Unlock})
	before, err := os.ReadFile(filepath.Join(l.Dir, "audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "target")
	if err := os.WriteFile(target, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	lock := filepath.Join(l.Dir, LockName)
	if err := os.Remove(lock); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if err := os.Symlink(target, lock); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(Event{Event: Lock}); err == nil {
		t.Fatal("Append through a planted lock succeeded")
	}
	after, _ := os.ReadFile(filepath.Join(l.Dir, "audit.log"))
	if !bytes.Equal(before, after) {
		t.Fatal("the log changed although its lock was refused")
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Fatalf("the symlink's target was written: %q", b)
	}
}
