package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardkey/wardkey/vault"
)

// needTool skips (or, with WARDKEY_REQUIRE_TOOLS=1, fails) without a tool.
func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("WARDKEY_REQUIRE_TOOLS") == "1" {
			t.Fatalf("WARDKEY_REQUIRE_TOOLS=1 but %s is not installed", name)
		}
		t.Skipf("SKIPPING: %s is not installed (apt-get install %s)", name, name)
	}
}

// tmuxSession is a real terminal (tmux on its own socket) running the
// real binary.
type tmuxSession struct {
	t    *testing.T
	sock string
}

func (s tmuxSession) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.sock}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (s tmuxSession) screen() string { return s.run("capture-pane", "-p", "-t", "t") }

// waitFor polls the screen until ok says yes.
func (s tmuxSession) waitFor(what string, ok func(string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		sc := s.screen()
		if ok(sc) {
			return sc
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waiting for %s; the screen is:\n%s", what, sc)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s tmuxSession) keys(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		s.run("send-keys", "-t", "t", k)
		time.Sleep(150 * time.Millisecond) // so esc is not read as alt+<next key>
	}
}

func (s tmuxSession) typeText(text string) { s.run("send-keys", "-t", "t", "-l", text) }

// cpuTicks and rss read a process's CPU time (1/100 s) and resident size.
func cpuTicks(t *testing.T, pid string) int {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b)[strings.LastIndexByte(string(b), ')')+2:])
	u, _ := strconv.Atoi(f[11])
	s, _ := strconv.Atoi(f[12])
	return u + s
}

func rssKB(t *testing.T, pid string) int {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

const e2eSecret = "JBSWY3DPEHPK3PXP"

// strongPass is a backup passphrase that passes the strength check.
const strongPass = "orbit tulip gravel lantern"

// TestTmuxEndToEnd starts the real binary in tmux over a vault of 1,002
// accounts, unlocks it by typing the passphrase, reads a code off the
// screen and checks it with oathtool, finds, measures idle CPU and memory,
// locks and quits.
//
// WARDKEY_TUI_IDLE_SECONDS=60 measures idle CPU over 60 s and fails above
// 0.5 % of a core (the default, 5 s, only logs the figure).
func TestTmuxEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the tmux end-to-end test in -short mode")
	}
	needTool(t, "tmux")
	needTool(t, "oathtool")
	tmp := t.TempDir()
	bin := buildWardkey(t, tmp)

	// A passphrase vault with the product's KDF, so the memory figure
	// includes unlocking with it.
	home := filepath.Join(tmp, "home")
	v, err := vault.Create(filepath.Join(home, vault.DefaultProfile), vault.CreateOptions{Passphrase: []byte("ward three")})
	if err != nil {
		t.Fatal(err)
	}
	as := thousand(t)
	for i := range as {
		as[i].Issuer = "Zz " + as[i].Issuer
	}
	sec, _ := vault.ParseSecret(e2eSecret)
	other, _ := vault.ParseSecret("GEZDGNBVGY3TQOJQ")
	as = append(as, vault.Account{Issuer: "Test", Name: "e2e", Secret: sec}, vault.Account{Issuer: "Other", Name: "acct", Secret: other})
	if err := v.Update(func(tx *vault.Tx) error {
		// reauth_after 0: export and restore ask for the passphrase again,
		// checked by the real binary against the vault file.
		if err := tx.SetSetting(vault.SettingReauthAfter, 0); err != nil {
			return err
		}
		for _, a := range as {
			if _, err := tx.Add(a); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	v.Close()

	s := tmuxSession{t: t, sock: fmt.Sprintf("wardkey-e2e-%d", os.Getpid())}
	status := filepath.Join(tmp, "status")
	// WARDKEY_NTP_SERVER: the background clock check asks a closed port on
	// loopback, never a public server.
	cmd := fmt.Sprintf("env WARDKEY_HOME=%q DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent WARDKEY_NTP_SERVER=127.0.0.1:9 NO_COLOR=1 %q; echo $? > %q; sleep 60", home, bin, status)
	s.run("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "100", "-y", "30", cmd)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", s.sock, "kill-server").Run() })
	shell := strings.TrimSpace(s.run("display", "-p", "-t", "t", "#{pane_pid}"))

	s.waitFor("the passphrase field", func(sc string) bool { return strings.Contains(sc, "Passphrase:") })
	s.typeText("ward three")
	s.keys("Enter")
	sc := s.waitFor("the code list", func(sc string) bool { return strings.Contains(sc, "1002 accounts") })
	pid := childPID(t, shell)

	// Read Test:e2e's code off the screen and check it with oathtool.
	codeRE := regexp.MustCompile(`\b(\d{3}) (\d{3})\b`)
	var code string
	for _, l := range strings.Split(sc, "\n") {
		if strings.Contains(l, "Test") && strings.Contains(l, "e2e") {
			if m := codeRE.FindStringSubmatch(l); m != nil {
				code = m[1] + m[2]
			}
		}
	}
	if code == "" {
		t.Fatalf("no code on Test:e2e's row:\n%s", sc)
	}
	now := time.Now().Unix()
	out, err := exec.Command("oathtool", "--totp", "-b", e2eSecret, "-w", "2", "-N", fmt.Sprintf("@%d", now-30)).Output()
	if err != nil {
		t.Fatalf("oathtool: %v", err)
	}
	if want := strings.Fields(string(out)); !slices.Contains(want, code) {
		t.Fatalf("the screen shows %s; oathtool says %v around now", code, want)
	}

	// Find narrows the list as you type.
	s.keys("/")
	s.typeText("tes")
	// Wait for the whole query: each keystroke redraws, so "of 1002" shows
	// already after the first letter.
	sc = s.waitFor("the find to narrow the list", func(sc string) bool {
		return strings.Contains(sc, "/ tes") && strings.Contains(sc, "of 1002")
	})
	if !strings.Contains(sc, "Test") || strings.Contains(sc, "Other") {
		t.Fatalf("find 'tes' shows the wrong rows:\n%s", sc)
	}
	s.keys("Escape")
	s.waitFor("the find to clear", func(sc string) bool { return strings.Contains(sc, "Other") })

	// Idle CPU and steady-state memory, once unlocked.
	secs := 5
	if v := os.Getenv("WARDKEY_TUI_IDLE_SECONDS"); v != "" {
		secs, _ = strconv.Atoi(v)
	}
	before := cpuTicks(t, pid)
	time.Sleep(time.Duration(secs) * time.Second)
	used := float64(cpuTicks(t, pid)-before) / 100
	pct := 100 * used / float64(secs)
	rss := rssKB(t, pid)
	t.Logf("idle: %.2f CPU s over %d s = %.2f %% of a core; RSS %.1f MB with 1,002 accounts", used, secs, pct, float64(rss)/1024)
	if os.Getenv("WARDKEY_TUI_IDLE_SECONDS") != "" && pct > 0.5 {
		t.Errorf("idle CPU %.2f %% of a core, want at most 0.5 %%", pct)
	}
	if rss > 40*1024 {
		t.Errorf("RSS %d kB once unlocked, want at most 40 MB", rss)
	}

	// Export (ctrl+x) through the CLI's writer, with the product's scrypt: a
	// 0600 file, and the "no backup" banner goes.
	if sc = s.screen(); !strings.Contains(sc, "No backup yet") {
		t.Fatalf("no backup banner before the first backup:\n%s", sc)
	}
	backup := filepath.Join(tmp, "b.age")
	s.keys("C-x")
	s.waitFor("the passphrase asked again", func(sc string) bool { return strings.Contains(sc, "To export a backup, type the vault passphrase") })
	s.typeText("ward three")
	s.keys("Enter")
	s.waitFor("the export screen", func(sc string) bool { return strings.Contains(sc, "Export a backup") })
	s.keys("C-u")
	s.typeText(backup)
	s.keys("Enter")
	s.waitFor("the passphrase field", func(sc string) bool { return strings.Contains(sc, "Passphrase:") })
	s.typeText(strongPass)
	s.keys("Enter")
	s.waitFor("the repeat field", func(sc string) bool { return strings.Contains(sc, "Repeat it:") })
	s.typeText(strongPass)
	s.keys("Enter")
	sc = s.waitFor("the export to end", func(sc string) bool { return strings.Contains(sc, "Backup of 1002 accounts written") })
	if strings.Contains(sc, "No backup yet") {
		t.Errorf("the banner stays after the export:\n%s", sc)
	}
	if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the backup: %v", err)
	}

	// Restore (ctrl+r): a wrong passphrase in 'wardkey restore's words, then
	// the plan of a backup the vault already holds.
	s.keys("C-r")
	s.waitFor("the passphrase asked again", func(sc string) bool { return strings.Contains(sc, "To restore a backup, type the vault passphrase") })
	s.typeText("ward three")
	s.keys("Enter")
	s.waitFor("the restore screen", func(sc string) bool { return strings.Contains(sc, "Restore a backup") })
	s.typeText(backup)
	s.keys("Enter")
	s.typeText("orbit tulip gravel")
	s.keys("Enter")
	s.waitFor("the wrong passphrase", func(sc string) bool { return strings.Contains(sc, "The passphrase does not open") })
	s.typeText(strongPass)
	s.keys("Enter")
	s.waitFor("the plan", func(sc string) bool { return strings.Contains(sc, "Unchanged: 1002") })
	s.keys("Enter")
	s.waitFor("the code list", func(sc string) bool {
		return strings.Contains(sc, "1002 accounts") && !strings.Contains(sc, "Restore a backup")
	})

	// scrypt takes 256 MiB while it runs; it must go back to the OS.
	t.Logf("RSS %.1f MB after an export and a restore", float64(rssKB(t, pid))/1024)
	if rss := rssKB(t, pid); rss > 60*1024 {
		t.Errorf("RSS %d kB after an export and a restore: scrypt's memory was not given back", rss)
	}

	// Lock: the codes leave the screen.
	s.keys("L")
	sc = s.waitFor("the lock screen", func(sc string) bool { return strings.Contains(sc, "Locked") })
	if codeRE.MatchString(sc) {
		t.Fatalf("a code is still on screen after L:\n%s", sc)
	}

	// Quit.
	s.keys("C-c")
	var st []byte
	s.waitFor("the program to end", func(string) bool {
		st, _ = os.ReadFile(status)
		return len(st) > 0
	})
	if strings.TrimSpace(string(st)) != "0" {
		t.Fatalf("exit status %s", st)
	}
}

// buildWardkey builds the real binary into dir.
func buildWardkey(t *testing.T, dir string) string {
	t.Helper()
	// As packages install it: the lean `wardkey`, which hands the code
	// screen to wardkey-full beside it (app/lean.go).
	bin := filepath.Join(dir, "wardkey")
	for _, b := range [][]string{{"-tags", "wardkey_lean", "-o", bin}, {"-o", filepath.Join(dir, "wardkey-full")}} {
		if out, err := exec.Command("go", append(append([]string{"build"}, b...), "github.com/wardkey/wardkey")...).CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	return bin
}

// childPID finds the process whose parent is ppid (wardkey under the
// pane's shell).
func childPID(t *testing.T, ppid string) string {
	ds, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, d := range ds {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		i := strings.LastIndexByte(string(b), ')')
		if f := strings.Fields(string(b)[i+2:]); len(f) > 1 && f[1] == ppid {
			return strings.Split(d, "/")[2]
		}
	}
	t.Fatalf("no child of process %s", ppid)
	return ""
}
