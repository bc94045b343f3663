//go:build unix

package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/wardkey/wardkey/vault"
)

// fakeXclip writes an xclip into a new folder that keeps what it is given
// in store (and reads it back), as app's TestTUICopyThroughClipboardTool
// does; it returns the folder, for PATH.
func fakeXclip(t *testing.T, store string) string {
	t.Helper()
	bin := t.TempDir()
	script := `#!/bin/sh
case "$*" in
*-in*) cat > "` + store + `.tmp" && mv "` + store + `.tmp" "` + store + `" ;;
*-out*) cat "` + store + `" 2>/dev/null ;;
*) exit 2 ;;
esac
`
	if err := os.WriteFile(filepath.Join(bin, "xclip"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// TestTmuxSignalsLockAndClear sends SIGTERM, SIGHUP and SIGINT to the real
// binary in tmux after it copied a code through a fake xclip: each time
// the program clears the clipboard it still owns, locks and exits 1 with
// one sentence.
func TestTmuxSignalsLockAndClear(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the tmux signal test in -short mode")
	}
	needTool(t, "tmux")
	tmp := t.TempDir()
	bin := buildWardkey(t, tmp)
	home := filepath.Join(tmp, "home")
	v, err := vault.Create(filepath.Join(home, vault.DefaultProfile), vault.CreateOptions{Passphrase: []byte("ward three")})
	if err != nil {
		t.Fatal(err)
	}
	sec, _ := vault.ParseSecret(e2eSecret)
	if err := v.Update(func(tx *vault.Tx) error {
		_, err := tx.Add(vault.Account{Issuer: "Test", Name: "e2e", Secret: sec})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	v.Close()
	codeRE := regexp.MustCompile(`\b(\d{3}) (\d{3})\b`)

	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			store := filepath.Join(t.TempDir(), "clip")
			xbin := fakeXclip(t, store)
			s := tmuxSession{t: t, sock: fmt.Sprintf("wardkey-sig-%d-%d", os.Getpid(), sig)}
			status, errs := filepath.Join(tmp, "status-"+sig.String()), filepath.Join(tmp, "stderr-"+sig.String())
			cmd := fmt.Sprintf("env PATH=%q DISPLAY=:99 WAYLAND_DISPLAY= WARDKEY_HOME=%q DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent WARDKEY_NTP_SERVER=127.0.0.1:9 NO_COLOR=1 %q 2>%q; echo $? > %q; sleep 60",
				xbin+":"+os.Getenv("PATH"), home, bin, errs, status)
			s.run("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "100", "-y", "30", cmd)
			t.Cleanup(func() { _ = exec.Command("tmux", "-L", s.sock, "kill-server").Run() })
			shell := strings.TrimSpace(s.run("display", "-p", "-t", "t", "#{pane_pid}"))
			s.waitFor("the passphrase field", func(sc string) bool { return strings.Contains(sc, "Passphrase:") })
			s.typeText("ward three")
			s.keys("Enter")
			s.waitFor("the code list", func(sc string) bool { return codeRE.MatchString(sc) })
			s.keys("Enter")
			var clip []byte
			s.waitFor("the copy", func(string) bool {
				clip, _ = os.ReadFile(store)
				return len(clip) == 6
			})
			pid := childPID(t, shell)
			var p int
			fmt.Sscan(pid, &p)
			if err := syscall.Kill(p, sig); err != nil {
				t.Fatal(err)
			}
			var st []byte
			s.waitFor("the program to end", func(string) bool {
				st, _ = os.ReadFile(status)
				return len(st) > 0
			})
			if got, _ := os.ReadFile(store); len(got) != 0 {
				t.Errorf("after %v the clipboard still holds %q", sig, got)
			}
			stderr, _ := os.ReadFile(errs)
			if strings.TrimSpace(string(st)) != "1" || !strings.Contains(string(stderr), "the vault was locked") {
				t.Errorf("after %v: exit %s, stderr %q", sig, st, stderr)
			}
			if sc := s.screen(); codeRE.MatchString(sc) {
				t.Errorf("a code is still on screen after %v:\n%s", sig, sc)
			}
			if got := lastAuditLine(t, filepath.Join(home, vault.DefaultProfile)); got != "lock signal" {
				t.Errorf("after %v the audit log ends with %q, want the lock line with reason signal", sig, got)
			}
		})
	}
}
