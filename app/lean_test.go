package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLeanHandsOverToFull runs the two programs as packages install them
// (app/lean.go): `wardkey`, the lean build, does code, list and log itself
// and hands the rest (init, add, help of a command it lacks, a usage
// mistake in one) to wardkey-full beside it with standard input, exit
// status and the audit log as if it had run them; without wardkey-full it
// says so in one sentence and changes nothing, and its own commands still
// work; a link to it, and the ../libexec/wardkey layout, find wardkey-full.
func TestLeanHandsOverToFull(t *testing.T) {
	bin := buildWardkey(t)
	work := t.TempDir()
	home := filepath.Join(work, "home")
	pass := filepath.Join(work, "pass")
	if err := os.WriteFile(pass, []byte("a long enough passphrase\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(bin, stdin string, args ...string) (int, string, string) {
		t.Helper()
		c := exec.Command(bin, args...)
		c.Env = []string{"WARDKEY_HOME=" + home, "WARDKEY_PASSPHRASE_FILE=" + pass, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent"}
		c.Stdin = strings.NewReader(stdin)
		var out, errb bytes.Buffer
		c.Stdout, c.Stderr = &out, &errb
		err := c.Run()
		if err != nil {
			if _, ok := err.(*exec.ExitError); !ok {
				t.Fatalf("%v: %v", args, err)
			}
		}
		return c.ProcessState.ExitCode(), out.String(), errb.String()
	}
	must := func(bin, stdin string, args ...string) string {
		t.Helper()
		code, out, errs := run(bin, stdin, args...)
		if code != 0 {
			t.Fatalf("wardkey %v: exit %d\n%s", args, code, errs)
		}
		return out
	}
	full := filepath.Join(filepath.Dir(bin), "wardkey-full")

	must(bin, "", "init", "--no-keyring")                                                                            // handed over
	must(bin, "otpauth://totp/Lean:alex?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Lean\n", "add", "--uri", "-") // stdin too
	if got := strings.TrimSpace(must(bin, "", "code", "--at", "59", "Lean")); got != "287082" {                      // RFC 6238, T = 59 s
		t.Errorf("code at 59 s: %q, want 287082", got)
	}
	if out := must(bin, "", "list"); !strings.Contains(out, "Lean") {
		t.Errorf("list: %q", out)
	}
	if got, want := must(bin, "", "help", "export"), must(full, "", "help", "export"); got != want || !strings.Contains(got, "--passphrase-file") {
		t.Errorf("help export through wardkey:\n%s\nwardkey-full's:\n%s", got, want)
	}
	if code, _, errs := run(bin, "", "export", "--bogus"); code != 2 || !strings.Contains(errs, "bogus") {
		t.Errorf("export --bogus: exit %d, %q; want wardkey-full's usage error, exit 2", code, errs)
	}

	// One audit line per thing done: nothing written twice by the hand-over.
	counts := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(must(bin, "", "log", "--json")), "\n") {
		var ev struct{ Event string }
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		counts[ev.Event]++
	}
	// add (handed over), code and list opened the vault once each.
	if counts["unlock"] != 3 || counts["add"] != 1 || counts["code_shown"] != 1 {
		t.Errorf("audit events %v, want 3 unlock, one add, one code_shown", counts)
	}

	// Without wardkey-full: one sentence, exit 1, nothing changed.
	hidden := full + ".away"
	if err := os.Rename(full, hidden); err != nil {
		t.Fatal(err)
	}
	before := digestTree(t, home)
	code, _, errs := run(bin, "otpauth://totp/Other:b?secret=JBSWY3DPEHPK3PXP\n", "add", "--uri", "-")
	if code != 1 || !strings.Contains(errs, "wardkey-full, which is not installed next to "+bin) || !strings.Contains(errs, "hint: reinstall wardkey") {
		t.Errorf("add without wardkey-full: exit %d\n%s", code, errs)
	}
	if strings.Count(strings.TrimSpace(errs), "\n") != 1 {
		t.Errorf("want one error and one hint line, got:\n%s", errs)
	}
	if after := digestTree(t, home); after != before {
		t.Error("a command handed to a missing wardkey-full changed the profile's files")
	}
	if got := strings.TrimSpace(must(bin, "", "code", "--at", "59", "Lean")); got != "287082" {
		t.Errorf("code without wardkey-full: %q", got)
	}

	// A lean build installed as wardkey-full (a copy gone wrong) hands the
	// command back once, and is refused then, instead of running itself
	// for ever.
	// So does a link to wardkey installed as wardkey-full.
	for _, install := range []func(){
		func() { copyFile(t, bin, full) },
		func() {
			if err := os.Remove(full); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(bin, full); err != nil {
				t.Fatal(err)
			}
		},
	} {
		install()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		c := exec.CommandContext(ctx, bin, "add", "--help")
		c.Env = []string{"WARDKEY_HOME=" + home}
		var errb bytes.Buffer
		c.Stderr = &errb
		err := c.Run()
		if ctx.Err() != nil {
			t.Fatal("a lean wardkey-full: the hand-over did not end within a minute")
		}
		cancel()
		if c.ProcessState.ExitCode() != 1 || !strings.Contains(errb.String(), "the wardkey-full installed here is not it") {
			t.Errorf("add with a lean wardkey-full: %v\n%s", err, errb.String())
		}
	}
	if err := os.Remove(full); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(hidden, full); err != nil {
		t.Fatal(err)
	}

	// A link to wardkey (a /usr/local/bin entry) finds wardkey-full beside
	// the file it points to; so does the libexec layout.
	link := filepath.Join(work, "links", "wardkey")
	libexec := filepath.Join(work, "prefix", "libexec", "wardkey", "wardkey-full")
	prefixBin := filepath.Join(work, "prefix", "bin", "wardkey")
	for _, d := range []string{filepath.Dir(link), filepath.Dir(libexec), filepath.Dir(prefixBin)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(bin, link); err != nil {
		t.Fatal(err)
	}
	copyFile(t, bin, prefixBin)
	copyFile(t, full, libexec)
	for _, b := range []string{link, prefixBin} {
		if out := must(b, "", "help", "add"); !strings.Contains(out, "--uri") {
			t.Errorf("%s help add: %q", b, out)
		}
	}
}

// digestTree hashes every file's path and contents under dir.
func digestTree(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		h.Write([]byte(p + "\x00"))
		h.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(h.Sum(nil))
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}
