//go:build linux

package app

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The real binary makes itself non-dumpable and gives up core files before
// it does anything else: seen from outside, its /proc files belong to root
// (a dumpable process's belong to its user) and its core limit is 0.
func TestProcessNotDumpable(t *testing.T) {
	bin := buildWardkey(t)
	home := t.TempDir()
	// `add --uri -` waits on standard input: a process that stays alive.
	cmd := exec.Command(bin, "add", "--uri", "-")
	cmd.Env = []string{"WARDKEY_HOME=" + home, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent"}
	uid := uint32(os.Getuid())
	if uid == 0 {
		// As root, run it as nobody: root owns every process's files
		// alike, so only another user shows the difference.
		uid = 65534
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: 65534}}
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	proc := "/proc/" + strconv.Itoa(cmd.Process.Pid)

	// Wait until the process is past its start (its status names it).
	var status []byte
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		status, _ = os.ReadFile(proc + "/status")
		if regexp.MustCompile(`(?m)^Name:\s+wardkey$`).Match(status) {
			break
		}
	}
	time.Sleep(200 * time.Millisecond) // Main has run its first lines by now
	m := regexp.MustCompile(`(?m)^Uid:\s+(\d+)`).FindSubmatch(status)
	if m == nil || string(m[1]) != strconv.Itoa(int(uid)) {
		t.Fatalf("the process runs as %q, want uid %d:\n%s", m, uid, status)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(proc+"/status", &st); err != nil {
		t.Fatal(err)
	}
	if st.Uid != 0 {
		t.Errorf("%s/status belongs to uid %d: the process is dumpable (a non-dumpable process's /proc files belong to root)", proc, st.Uid)
	}
	limits, err := os.ReadFile(proc + "/limits")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^Max core file size\s+0\s+0\s+bytes`).Match(limits) {
		t.Errorf("the core limit is not 0:\n%s", limits)
	}
}
