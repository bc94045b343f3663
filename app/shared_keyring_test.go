package app

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/vaulttest"
)

// On a shared machine a command never uses a vault that opens with this
// login's keyring alone: without a terminal it is refused, saying how to
// set a passphrase, and nothing changes; 'passwd' then gives it a
// passphrase, drops the keyring slot and deletes the keyring item.
func TestSharedMachineKeyringOnlyVaultCLI(t *testing.T) {
	kr := vaulttest.MemoryKeyring{}
	e, _ := tuiEnv(t, "ward", kr)
	v := seedVault(t, e, demoAccounts(t), "", kr)
	user := "vault:" + v.ID()
	v.Close()
	withPolicy(t, e, "shared = true\n")
	t.Setenv("WARDKEY_HOME", e.home)
	before, err := os.ReadFile(filepath.Join(e.dir(), vault.VaultFile))
	if err != nil {
		t.Fatal(err)
	}
	cli := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(append([]string{"--profile", "ward"}, args...), stdio{in: strings.NewReader(""), out: &out, err: &errb}, e.hooks)
		return code, out.String(), errb.String()
	}

	code, out, stderr := cli("code", "Riverside")
	if code != 1 || out != "" || !strings.Contains(stderr, "shared") || !strings.Contains(stderr, "'wardkey --profile ward passwd'") {
		t.Fatalf("code on a keyring-only vault of a shared machine: exit %d, stdout %q, stderr:\n%s", code, out, stderr)
	}
	if after, _ := os.ReadFile(filepath.Join(e.dir(), vault.VaultFile)); !bytes.Equal(before, after) {
		t.Fatal("the refused command changed the vault")
	}

	newPass := filepath.Join(t.TempDir(), "new")
	if err := os.WriteFile(newPass, []byte(strongPass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := cli("passwd", "--new-passphrase-file", newPass); code != 0 {
		t.Fatalf("passwd: exit %d\n%s", code, stderr)
	}
	info, err := vault.ReadInfo(e.dir())
	if err != nil || slices.Contains(info.Slots, vault.SlotKeyring) || !slices.Contains(info.Slots, vault.SlotPassphrase) {
		t.Fatalf("slots after passwd on a shared machine: %v, %v; want a passphrase and no keyring slot", info.Slots, err)
	}
	if _, err := kr.Get(vault.KeyringService, user); err == nil {
		t.Fatal("the keyring item is still there")
	}
	t.Setenv("WARDKEY_PASSPHRASE_FILE", newPass)
	if code, out, stderr := cli("code", "Riverside EHR"); code != 0 || len(strings.TrimSpace(out)) != 6 {
		t.Fatalf("code with the new passphrase: exit %d, %q\n%s", code, out, stderr)
	}
}

// A vault with a keyring slot and a passphrase on a shared machine opens
// with the passphrase only, and its next key rotation drops the keyring
// slot.
func TestSharedMachineRotationDropsKeyring(t *testing.T) {
	kr := vaulttest.MemoryKeyring{}
	e, _ := tuiEnv(t, "ward", kr)
	seedVault(t, e, demoAccounts(t), strongPass, kr).Close()
	withPolicy(t, e, "shared = true\n")
	t.Setenv("WARDKEY_HOME", e.home)
	pass := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(pass, []byte(strongPass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"--profile", "ward", "--vault-passphrase-file", pass, "rekey"}, stdio{in: strings.NewReader(""), out: &out, err: &errb}, e.hooks); code != 0 {
		t.Fatalf("rekey: exit %d\n%s", code, errb.String())
	}
	info, err := vault.ReadInfo(e.dir())
	if err != nil || slices.Contains(info.Slots, vault.SlotKeyring) {
		t.Fatalf("slots after a rotation on a shared machine: %v, %v", info.Slots, err)
	}
}

// On a terminal, a command on a shared machine asks for a passphrase for a
// keyring-only vault, sets it, drops the keyring slot, then does what was
// asked: the real binary in tmux, against the real Secret Service.
func TestTmuxSharedMachineSetsPassphrase(t *testing.T) {
	needTool(t, "tmux")
	bus := realBus(t)
	if bus == "" {
		if os.Getenv("WARDKEY_REQUIRE_KEYRING") == "1" {
			t.Fatal("WARDKEY_REQUIRE_KEYRING=1 but no Secret Service answers: run under ./.ci/keyring-session")
		}
		t.Skip("SKIPPING: no Secret Service (run under ./.ci/keyring-session, which starts gnome-keyring)")
	}
	bin := buildWardkey(t)
	work := t.TempDir()
	home := filepath.Join(work, "home")
	uri := filepath.Join(work, "uri.txt")
	pol := filepath.Join(work, "policy.toml")
	for f, s := range map[string]string{uri: "otpauth://totp/Ward%20EHR:dr.jones?secret=JBSWY3DPEHPK3PXP&issuer=Ward%20EHR\n", pol: "shared = true\n"} {
		if err := os.WriteFile(f, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	base := []string{"WARDKEY_HOME=" + home, "DBUS_SESSION_BUS_ADDRESS=" + bus, "PATH=" + os.Getenv("PATH"), "WARDKEY_NTP_SERVER=127.0.0.1:9"}
	for _, args := range [][]string{{"--profile", "ward", "init", "--keyring", "--recovery-out", filepath.Join(work, "recovery.txt")}, {"--profile", "ward", "import", uri}} {
		cmd := exec.Command(bin, args...)
		cmd.Env = base
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("wardkey %v: %v\n%s", args, err, out)
		}
	}
	info, err := vault.ReadInfo(filepath.Join(home, "ward"))
	if err != nil || !info.Has(vault.SlotKeyring) || info.Has(vault.SlotPassphrase) {
		t.Fatalf("the vault to convert: slots %v, %v", info.Slots, err)
	}
	t.Cleanup(func() {
		cmd := exec.Command("secret-tool", "clear", "service", vault.KeyringService, "username", "vault:"+info.ID)
		cmd.Env = base
		_ = cmd.Run()
	})

	w := filepath.Join(work, "w")
	script := "#!/bin/sh\nexec env " + strings.Join(append(base, "WARDKEY_POLICY="+pol), " ") + " " + bin + " --profile ward \"$@\"\n"
	if err := os.WriteFile(w, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	sock := fmt.Sprintf("wk-shared-%d", os.Getpid())
	tmux := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("tmux", append([]string{"-L", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	tmux("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "160", "-y", "50", "-c", work, "env PS1='$ ' sh")
	defer exec.Command("tmux", "-L", sock, "kill-server").Run()
	waitFor := func(what string) string {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			s := tmux("capture-pane", "-p", "-J", "-t", "t")
			if strings.Contains(s, what) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("waiting for %q:\n%s", what, s)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// doctor looks and changes nothing: on a terminal it reports the
	// keyring-only vault and asks for no passphrase (it had set one in the
	// middle of its checks, and the lean build had said "this command is
	// in wardkey-full" there instead).
	vaultBefore, err := os.ReadFile(filepath.Join(home, "ward", vault.VaultFile))
	if err != nil {
		t.Fatal(err)
	}
	tmux("send-keys", "-t", "t", "./w doctor; echo doctor=$?", "Enter")
	screen := waitFor("\ndoctor=")
	if !strings.Contains(screen, "doctor=1") || !strings.Contains(screen, "opens only through the keyring") ||
		strings.Contains(screen, "passphrase (ward):") || strings.Contains(screen, "wardkey-full") {
		t.Fatalf("doctor on a shared machine's keyring-only vault:\n%s", screen)
	}
	if after, _ := os.ReadFile(filepath.Join(home, "ward", vault.VaultFile)); !bytes.Equal(after, vaultBefore) {
		t.Fatal("doctor changed the vault")
	}
	tmux("send-keys", "-t", "t", "clear", "Enter")

	tmux("send-keys", "-t", "t", "./w code 'Ward EHR'; echo exit=$?", "Enter")
	waitFor("New vault passphrase (ward):")
	tmux("send-keys", "-t", "t", "-l", strongPass)
	tmux("send-keys", "-t", "t", "Enter")
	waitFor("Repeat it:")
	tmux("send-keys", "-t", "t", "-l", strongPass)
	tmux("send-keys", "-t", "t", "Enter")
	screen = waitFor("\nexit=") // the line echo prints, not the command line
	if !strings.Contains(screen, "exit=0") || !strings.Contains(screen, "now opens with its passphrase only") {
		t.Fatalf("the conversion on a terminal:\n%s", screen)
	}
	info, err = vault.ReadInfo(filepath.Join(home, "ward"))
	if err != nil || info.Has(vault.SlotKeyring) || !info.Has(vault.SlotPassphrase) {
		t.Fatalf("slots after the conversion: %v, %v; want a passphrase and no keyring slot", info.Slots, err)
	}
	cmd := exec.Command("secret-tool", "lookup", "service", vault.KeyringService, "username", "vault:"+info.ID)
	cmd.Env = base
	if out, _ := cmd.Output(); len(out) != 0 {
		t.Fatal("the keyring item is still there")
	}
}

// Two profile.json files written by hand with one display name: neither
// is shown by it on "Who are you?" (the profile names are), so nobody types
// their passphrase into the other's profile.
func TestDuplicateDisplayNamesNotShown(t *testing.T) {
	e, _ := tuiEnv(t, "default", nil)
	seedPerson(t, e, "ward-a", "Dr Jones", nil)
	seedPerson(t, e, "ward-b", "", nil)
	seedPerson(t, e, "ward-c", "Dr Lee", nil)
	if err := os.WriteFile(filepath.Join(e.home, "ward-b", vault.ProfileFile), []byte(`{"display_name":"dr jones"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	ps, err := listProfiles(e.home)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range ps {
		got[p.Name] = p.DisplayName
	}
	if got["ward-a"] != "" || got["ward-b"] != "" || got["ward-c"] != "Dr Lee" {
		t.Fatalf("display names shown: %v; want none for the two that share one", got)
	}
}

// Every command that opens a keyring-only vault on a shared machine gives
// it a passphrase first (or is refused without a terminal), not only those
// that open through openWith: recovery, rekey and sync open keeping the
// passphrase typed, and a colleague at the login must not make a recovery
// code of their own for it.
func TestSharedMachineKeyringOnlyEveryOpen(t *testing.T) {
	for _, args := range [][]string{{"recovery", "--recovery-out", "REC"}, {"rekey"}, {"sync", "--remote", "DIR"}} {
		t.Run(args[0], func(t *testing.T) {
			kr := vaulttest.MemoryKeyring{}
			e, _ := tuiEnv(t, "ward", kr)
			seedVault(t, e, demoAccounts(t), "", kr).Close()
			withPolicy(t, e, "shared = true\n")
			t.Setenv("WARDKEY_HOME", e.home)
			vf := filepath.Join(e.dir(), vault.VaultFile)
			before, err := os.ReadFile(vf)
			if err != nil {
				t.Fatal(err)
			}
			rec := filepath.Join(t.TempDir(), "rec")
			for i := range args {
				switch args[i] {
				case "REC":
					args[i] = rec
				case "DIR":
					args[i] = t.TempDir()
				}
			}
			var out, errb bytes.Buffer
			code := run(append([]string{"--profile", "ward"}, args...), stdio{in: strings.NewReader(""), out: &out, err: &errb}, e.hooks)
			if code != 1 || !strings.Contains(errb.String(), "'wardkey --profile ward passwd'") {
				t.Fatalf("%v: exit %d\n%s", args, code, errb.String())
			}
			if after, _ := os.ReadFile(vf); !bytes.Equal(before, after) {
				t.Fatalf("%v changed the vault", args)
			}
			if _, err := os.Stat(rec); err == nil {
				t.Fatalf("%v wrote a recovery code", args)
			}
		})
	}
}
