package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/wardkey/wardkey/app/policy"
)

// TestTUISync drives the function the code screen's "s" key calls.
func TestTUISync(t *testing.T) {
	work := t.TempDir()
	home := filepath.Join(work, "home")
	share := filepath.Join(work, "share")
	pass := filepath.Join(work, "pass")
	if err := os.Mkdir(share, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pass, []byte("pw of the ward\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := Hooks{KDF: &testKDF, NoSleep: true}
	cli := func(args ...string) string {
		var out, errb bytes.Buffer
		args = append([]string{"--home", home, "--profile", "ward", "--vault-passphrase-file", pass}, args...)
		if code := run(args, stdio{in: strings.NewReader(""), out: &out, err: &errb}, h); code != 0 {
			t.Fatalf("wardkey %v: exit %d: %s", args, code, errb.String())
		}
		return errb.String()
	}
	newEnvT := func() *env {
		e, _, err := newEnv([]string{"--home", home, "--profile", "ward", "--vault-passphrase-file", pass}, stdio{in: strings.NewReader(""), out: &bytes.Buffer{}, err: &bytes.Buffer{}}, h)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	cli("init")
	if f := newEnvT().tuiSync(); f != nil {
		t.Fatal("a profile with no remote offers sync")
	}
	cli("add", "--issuer", "EHR", "--account", "alice", "--secret", "JBSWY3DPEHPK3PXP")
	cli("sync", "--remote", share)

	e := newEnvT()
	f := e.tuiSync()
	if f == nil {
		t.Fatal("no sync function once a remote is remembered")
	}
	v, err := e.openVault()
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	msg, err := f(t.Context(), v)
	if err != nil {
		t.Fatalf("sync from the TUI: %v", err)
	}
	if !regexp.MustCompile(`^synced \d\d:\d\d: 0 changes pulled, 0 pushed \(1 replica\)$`).MatchString(msg) {
		t.Errorf("message %q", msg)
	}
	// A policy that allows another remote only: refused, naming the key.
	pol := filepath.Join(work, "policy.toml")
	if err := os.WriteFile(pol, []byte(`sync_remotes = ["/srv/elsewhere"]`), 0o600); err != nil {
		t.Fatal(err)
	}
	e.pol = nil
	e.hooks.Policy = &policy.Finder{Root: work, Getenv: func(string) string { return pol }}
	if _, err := f(context.Background(), v); err == nil || !strings.Contains(err.Error(), "sync_remotes = [\"/srv/elsewhere\"]) does not allow this sync remote") {
		t.Errorf("sync to a remote the policy does not allow: %v", err)
	}
	e.pol, e.hooks.Policy = nil, nil
	// The remote is gone (share unmounted): one line, no crash.
	if err := os.Rename(share, share+".gone"); err != nil {
		t.Fatal(err)
	}
	if _, err := f(t.Context(), v); err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("sync with the share gone: %v", err)
	}
}
