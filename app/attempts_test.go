package app

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardkey/wardkey/vault"
)

// Parallel guesses queue under the profile's lock: after 3 failures, 12
// real wardkey processes trying wrong passphrases at once get at most 2
// tries within 3 s (the 4th attempt waits 1 s, the 5th 2 s more), where
// before every one of them waited the same second and tried at once.
func TestParallelGuessesQueue(t *testing.T) {
	bin := buildWardkey(t)
	work := t.TempDir()
	home := filepath.Join(work, "home")
	pass, wrong := filepath.Join(work, "pass"), filepath.Join(work, "wrong")
	for f, s := range map[string]string{pass: "a long enough passphrase\n", wrong: "not it\n"} {
		if err := os.WriteFile(f, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := func(passFile string, args ...string) *exec.Cmd {
		c := exec.Command(bin, args...)
		c.Env = []string{"WARDKEY_HOME=" + home, "WARDKEY_PASSPHRASE_FILE=" + passFile, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent"}
		return c
	}
	if out, err := cmd(pass, "init").CombinedOutput(); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	for range 3 {
		if err := cmd(wrong, "list").Run(); err == nil {
			t.Fatal("a wrong passphrase opened the vault")
		}
	}
	failures := func() int {
		l, err := vault.LoadLocal(filepath.Join(home, "default"))
		if err != nil {
			t.Fatal(err)
		}
		return l.FailedUnlocks
	}
	if n := failures(); n != 3 {
		t.Fatalf("%d failures counted, want 3", n)
	}

	start := time.Now()
	var procs []*exec.Cmd
	done := make(chan time.Duration, 12)
	for range 12 {
		c := cmd(wrong, "list")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, c)
		go func() { _ = c.Wait(); done <- time.Since(start) }()
	}
	defer func() {
		for _, c := range procs {
			_ = c.Process.Kill()
		}
	}()
	time.Sleep(3*time.Second - time.Since(start))
	tried := failures() - 3
	finished := 0
	for len(done) > 0 {
		<-done
		finished++
	}
	t.Logf("within 3 s: %d attempts tried, %d processes finished", tried, finished)
	if tried > 2 || finished > 2 {
		t.Fatalf("within 3 s %d attempts were tried and %d processes finished; want at most 2", tried, finished)
	}
	// The queue goes on (on a loaded machine the first try may come after
	// 3 s): attempts keep being tried and counted, none lost to a race.
	for deadline := time.Now().Add(60 * time.Second); failures() < 3+tried+1; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the queue stalled: %d failures", failures())
		}
	}
	b, _ := os.ReadFile(filepath.Join(home, "default", vault.LocalFile))
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("local.json is damaged after parallel attempts: %v", err)
	}
}
