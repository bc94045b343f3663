// Package dbustest starts a D-Bus session daemon of a test's own, so tests
// of D-Bus clients (the OS-lock watcher, the screenshot portal) talk to a
// fake service exported on a private bus, never the machine's buses.
package dbustest

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// SessionBus starts a dbus-daemon with a session bus of the test's own
// (anyone on it may own any name and see every message) and returns its
// address; the daemon is killed when the test ends. Without dbus-daemon
// the test skips, or fails when WARDKEY_REQUIRE_TOOLS=1 (CI), where a
// skipped test must not pass.
func SessionBus(t testing.TB) string {
	t.Helper()
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		if os.Getenv("WARDKEY_REQUIRE_TOOLS") == "1" {
			t.Fatal("dbus-daemon is required (WARDKEY_REQUIRE_TOOLS=1) but not installed")
		}
		t.Skip("SKIPPED: dbus-daemon is not installed (apt-get install dbus-daemon; CI requires it)")
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "bus.conf")
	err = os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=`+filepath.Join(dir, "bus")+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(daemon, "--config-file="+conf, "--nofork", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		addr <- strings.TrimSpace(line)
	}()
	select {
	case a := <-addr:
		if a == "" {
			t.Fatal("dbus-daemon printed no address")
		}
		return a
	case <-time.After(10 * time.Second):
		t.Fatal("dbus-daemon did not start")
	}
	return ""
}
