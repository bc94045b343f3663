package app

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// An unencrypted transfer (export --format otpauth) killed at any moment
// leaves no plaintext temporary file: it is written straight to the name
// the person gave, O_EXCL and 0600; a temporary file of that name left by
// an older wardkey is removed by the next export.
func TestExportOtpauthKilledLeavesNoTemp(t *testing.T) {
	bin := buildWardkey(t)
	work := t.TempDir()
	home := filepath.Join(work, "home")
	out := filepath.Join(work, "out")
	must(t, os.Mkdir(out, 0o700))
	pass := filepath.Join(work, "pass")
	must(t, os.WriteFile(pass, []byte("a long enough passphrase\n"), 0o600))
	var uris strings.Builder
	for i := range 500 {
		// Digits spelt as base32 letters: each secret differs.
		suffix := strings.Map(func(r rune) rune { return 'A' + r - '0' }, fmt.Sprintf("%08d", i))
		fmt.Fprintf(&uris, "otpauth://totp/Service%d:user%d?secret=JBSWY3DPEHPK3PXP%s\n", i, i, suffix)
	}
	list := filepath.Join(work, "uris.txt")
	must(t, os.WriteFile(list, []byte(uris.String()), 0o600))
	cmd := func(args ...string) *exec.Cmd {
		c := exec.Command(bin, args...)
		c.Env = []string{"WARDKEY_HOME=" + home, "WARDKEY_PASSPHRASE_FILE=" + pass, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent"}
		return c
	}
	for _, args := range [][]string{{"init"}, {"import", list}} {
		if b, err := cmd(args...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, b)
		}
	}
	// A plaintext temporary file left by an older wardkey's killed export.
	stale := filepath.Join(out, ".tmp-list.txt-123456")
	must(t, os.WriteFile(stale, []byte("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP\n"), 0o600))

	start := time.Now()
	if b, err := cmd("export", "--format", "otpauth", "--yes", "--out", filepath.Join(out, "list.txt")).CombinedOutput(); err != nil {
		t.Fatalf("export: %v\n%s", err, b)
	}
	full := time.Since(start)
	if _, err := os.Stat(stale); err == nil {
		t.Fatal("the stale plaintext temporary file is still there")
	}
	for i := range 4 {
		c := cmd("export", "--format", "otpauth", "--yes", "--force", "--out", filepath.Join(out, "list.txt"))
		must(t, c.Start())
		// Kill it anywhere from its start to its end.
		time.Sleep(time.Duration(rand.Int64N(int64(full) + 1)))
		_ = c.Process.Signal(syscall.SIGKILL)
		_ = c.Wait()
		ents, err := os.ReadDir(out)
		must(t, err)
		for _, e := range ents {
			if e.Name() != "list.txt" {
				t.Fatalf("kill %d: %s was left beside the transfer", i, e.Name())
			}
			if info, _ := e.Info(); info.Mode().Perm() != 0o600 {
				t.Fatalf("kill %d: %s is %v", i, e.Name(), info.Mode().Perm())
			}
		}
	}
}
