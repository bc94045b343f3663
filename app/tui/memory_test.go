package tui

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/vaulttest"
)

// TestTmuxLockLeavesNothingInMemory runs the real binary in tmux, unlocks a
// vault by typing its passphrase, shows and copies codes, then locks with L,
// and reads the process's whole memory from outside through /proc/PID/mem
// (as root: the process is not dumpable). Before the lock the secrets are
// there (the scan works); after it, no secret (raw, base32 in either case,
// hex), no vault key (raw, base64) and no passphrase is left: the lock
// ended the address space and started the binary again under the same PID.
func TestTmuxLockLeavesNothingInMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the tmux memory test in -short mode")
	}
	needTool(t, "tmux")
	if os.Geteuid() != 0 {
		if os.Getenv("WARDKEY_REQUIRE_TOOLS") == "1" {
			t.Fatal("WARDKEY_REQUIRE_TOOLS=1: this test reads another process's memory and must run as root (CI does)")
		}
		t.Skip("SKIPPED: reading a non-dumpable process's memory needs root (CI runs as root)")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "wardkey")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/wardkey/wardkey").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	// Secrets no other data could hold by chance, a passphrase likewise,
	// and the vault key, read from the in-memory keyring it was stored in.
	secrets := make([][]byte, 3)
	for i := range secrets {
		secrets[i] = make([]byte, 20)
		rand.Read(secrets[i])
	}
	pass := "memory test " + rand.Text()
	kr := vaulttest.MemoryKeyring{}
	home := filepath.Join(tmp, "home")
	v, err := vault.Create(filepath.Join(home, vault.DefaultProfile), vault.CreateOptions{Passphrase: []byte(pass), Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	var key []byte
	for _, item := range kr {
		if key, err = base64.StdEncoding.DecodeString(item); err != nil {
			t.Fatal(err)
		}
	}
	if len(key) != 32 {
		t.Fatalf("no vault key in the keyring (%d bytes)", len(key))
	}
	if err := v.Update(func(tx *vault.Tx) error {
		for i, s := range secrets {
			typ := vault.TOTP
			if i == 2 {
				typ = vault.HOTP
			}
			if _, err := tx.Add(vault.Account{Issuer: fmt.Sprintf("Mem%d", i), Name: "acct", Secret: vault.NewSecret(s), Type: typ}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	v.Close()

	type needle struct {
		what string
		b    []byte
	}
	var needles []needle
	for i, s := range secrets {
		b32 := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(s)
		needles = append(needles,
			needle{fmt.Sprintf("secret %d raw", i), s},
			needle{fmt.Sprintf("secret %d base32", i), []byte(b32)},
			needle{fmt.Sprintf("secret %d base32 lower case", i), []byte(strings.ToLower(b32))},
			needle{fmt.Sprintf("secret %d hex", i), []byte(hex.EncodeToString(s))},
			needle{fmt.Sprintf("secret %d HEX", i), []byte(strings.ToUpper(hex.EncodeToString(s)))},
		)
	}
	needles = append(needles,
		needle{"vault key raw", key},
		needle{"vault key base64", []byte(base64.StdEncoding.EncodeToString(key))},
		needle{"passphrase", []byte(pass)},
	)

	s := tmuxSession{t: t, sock: fmt.Sprintf("wardkey-mem-%d", os.Getpid())}
	// The keyring is out of reach (a dead bus): the passphrase is typed.
	cmd := fmt.Sprintf("env WARDKEY_HOME=%q DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent WARDKEY_NTP_SERVER=127.0.0.1:9 NO_COLOR=1 PATH=/usr/bin:/bin %q; sleep 60", home, bin)
	s.run("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "100", "-y", "30", cmd)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", s.sock, "kill-server").Run() })
	shell := strings.TrimSpace(s.run("display", "-p", "-t", "t", "#{pane_pid}"))

	s.waitFor("the passphrase field", func(sc string) bool { return strings.Contains(sc, "Passphrase:") })
	s.typeText(pass)
	s.keys("Enter")
	s.waitFor("the code list", func(sc string) bool { return strings.Contains(sc, "Mem0") && strings.Contains(sc, "Mem1") })
	pid := childPID(t, shell)
	s.keys("Enter") // copy the first row's code
	s.keys("b", "Escape")

	found := func() []string {
		var hit []string
		mem := readMemory(t, pid)
		for _, n := range needles {
			if bytes.Contains(mem, n.b) {
				hit = append(hit, n.what)
			}
		}
		return hit
	}
	// While unlocked the secrets are in memory: the scan sees them.
	if hit := found(); !strings.Contains(strings.Join(hit, ","), "secret 0 raw") {
		t.Fatalf("before the lock the scan finds %v: it does not see the process's memory", hit)
	}

	s.keys("L")
	s.waitFor("the locked screen", func(sc string) bool { return strings.Contains(sc, "Locked") && strings.Contains(sc, "Passphrase:") })
	if got := childPID(t, shell); got != pid {
		t.Fatalf("after the lock the program runs as PID %s, not %s: it should start again in the same process", got, pid)
	}
	if hit := found(); len(hit) > 0 {
		t.Fatalf("after the lock the process's memory still holds: %s", strings.Join(hit, ", "))
	}
}

// readMemory reads every readable mapping of process pid.
func readMemory(t *testing.T, pid string) []byte {
	t.Helper()
	maps, err := os.Open("/proc/" + pid + "/maps")
	if err != nil {
		t.Fatal(err)
	}
	defer maps.Close()
	mem, err := os.Open("/proc/" + pid + "/mem")
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	var all []byte
	sc := bufio.NewScanner(maps)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || f[1][0] != 'r' || (len(f) >= 6 && f[5] == "[vvar]") {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end <= start || end-start > 1<<30 {
			continue
		}
		buf := make([]byte, end-start)
		n, _ := mem.ReadAt(buf, int64(start))
		all = append(all, buf[:n]...)
	}
	return all
}
