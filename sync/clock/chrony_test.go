package clock

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// needTool skips a test when a peer tool is missing, loudly, unless CI
// demands the tools (WARDKEY_REQUIRE_TOOLS=1).
func needTool(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			if os.Getenv("WARDKEY_REQUIRE_TOOLS") == "1" {
				t.Fatalf("%s is required (WARDKEY_REQUIRE_TOOLS=1) but missing: %v", n, err)
			}
			t.Skipf("SKIPPING: %s is not installed (apt-get install chrony faketime)", n)
		}
	}
}

// libfaketime finds the faketime library (Debian: package faketime).
func libfaketime(t *testing.T) string {
	t.Helper()
	for _, pat := range []string{"/usr/lib/*/faketime/libfaketime.so.1", "/usr/lib/faketime/libfaketime.so.1", "/usr/local/lib/faketime/libfaketime.so.1"} {
		if m, _ := filepath.Glob(pat); len(m) > 0 {
			return m[0]
		}
	}
	needTool(t, "libfaketime.so.1")
	return ""
}

// freeUDPPort picks a port below the ephemeral range that is free now.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	for range 50 {
		p := 20000 + rand.IntN(10000)
		c, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", p))
		if err == nil {
			c.Close()
			return p
		}
	}
	t.Fatal("no free UDP port")
	return 0
}

// startChrony runs a real NTP server (chronyd) on loopback whose clock is
// shifted by faketime, waits until it answers, and stops it at cleanup. It
// returns the server's address.
func startChrony(t *testing.T, shift string) string {
	t.Helper()
	needTool(t, "chronyd")
	lib := libfaketime(t)
	dir := t.TempDir()
	port := freeUDPPort(t)
	conf := filepath.Join(dir, "chrony.conf")
	err := os.WriteFile(conf, fmt.Appendf(nil, "port %d\nbindaddress 127.0.0.1\nlocal stratum 8\nallow 127.0.0.1\ncmdport 0\npidfile %s\n",
		port, filepath.Join(dir, "chronyd.pid")), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	// chronyd drops root privileges to its own user: let it read its files.
	_ = os.Chmod(dir, 0o755)
	// libfaketime preloaded by hand rather than through the faketime
	// wrapper: the wrapper forks, and killing it would leave chronyd behind.
	cmd := exec.Command("chronyd", "-d", "-x", "-f", conf)
	cmd.Env = append(os.Environ(), "LD_PRELOAD="+lib, "FAKETIME="+shift)
	out, _ := os.Create(filepath.Join(dir, "chronyd.log"))
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chronyd: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		_, err := Measure(ctx, addr)
		cancel()
		if err == nil {
			return addr
		}
		time.Sleep(50 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "chronyd.log"))
	t.Fatalf("chronyd on %s did not answer within 10 s; its log:\n%s", addr, log)
	return ""
}

// TestMeasureChrony measures against chronyd with its clock moved, as a
// clinic's NTP server would answer a workstation whose clock is wrong.
func TestMeasureChrony(t *testing.T) {
	for _, tc := range []struct {
		shift string
		want  time.Duration
	}{
		{"+90s", 90 * time.Second},
		{"-45s", -45 * time.Second},
		{"+0s", 0},
	} {
		t.Run(tc.shift, func(t *testing.T) {
			t.Parallel()
			addr := startChrony(t, tc.shift)
			r, err := Measure(context.Background(), addr)
			if err != nil {
				t.Fatalf("Measure: %v", err)
			}
			if d := (r.Offset - tc.want).Abs(); d > time.Second {
				t.Errorf("offset %v, want %v ± 1 s", r.Offset, tc.want)
			}
			if r.Server != addr {
				t.Errorf("server %q, want %q", r.Server, addr)
			}
			if r.Stratum < 8 || r.Stratum > 9 {
				t.Errorf("stratum %d, want 8 (local stratum 8)", r.Stratum)
			}
			if r.RTT <= 0 || r.RTT > time.Second {
				t.Errorf("round trip %v on loopback", r.RTT)
			}
		})
	}
}
