//go:build linux

package app

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/wardkey/wardkey/app/capture/xtest"
	"github.com/wardkey/wardkey/importer/migration"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/vaulttest"
)

// The TUI's add screen through the real glue (tui_add.go): captures of a
// real X server (Xvfb) and of a fake xclip, a real encrypted export, a
// real image file deleted from the screen.

// vaultLabels opens e's vault from its file and lists issuer:name, sorted.
func vaultLabels(t *testing.T, e *env) []string {
	t.Helper()
	v, err := vault.Open(e.dir(), vault.Unlock{Keyring: e.hooks.Keyring})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	out := []string{}
	for _, a := range v.Accounts() {
		out = append(out, a.Issuer+":"+a.Name)
	}
	sort.Strings(out)
	return out
}

// codeOf is the code of the account in uri at the TUI tests' clock, as
// the screen groups it.
func codeOf(t *testing.T, uri string) string {
	t.Helper()
	c, err := vault.TOTPCode(mustImport(t, uri)[0], tuiT0)
	if err != nil {
		t.Fatal(err)
	}
	return vault.GroupCode(c)
}

// TestTUIAddFromScreen: the add screen's "Scan the screen" on Xvfb with a
// window showing a set-up page of two codes, one already in the vault: a
// choice with each first code, the known one marked and not ticked; ctrl+s
// adds the new one; both ticked again, the merge reports two duplicates. Then one code of a two-code Google Authenticator
// export: the warning about the other, in the CLI's words.
func TestTUIAddFromScreen(t *testing.T) {
	xtest.NeedTools(t, "Xvfb", "xdpyinfo", "xwininfo", "display", "qrencode", "convert")
	dir := t.TempDir()
	disp := xtest.Xvfb(t, 1600, 1000, 24)
	e, now := tuiEnv(t, "default", vaulttest.MemoryKeyring{})
	t.Setenv("DISPLAY", disp) // tuiEnv cleared it
	seedVault(t, e, mustImport(t, capURIA), "", e.hooks.Keyring).Close()
	d := newTUIDriver(t, e, now, 80, 24)

	hide := xtest.Show(t, disp, xtest.Page(t, dir, "two.png", 1300, 600, 4, capURIA, capURIB), 200, 120)
	d.key("a", "tab", "enter")
	if !d.has("Found 2 accounts on the screen") || !d.has("[x] "+codeOf(t, capURIB)+" 20s EHR · dr.jones") ||
		!d.has("[ ] "+codeOf(t, capURIA)+" 20s Ward 3 · nurse (already in the vault)") {
		t.Fatalf("no choice of the two codes with their first codes:\n%s", d.screen())
	}
	if got := vaultLabels(t, e); !slices.Equal(got, []string{"Ward 3:nurse"}) {
		t.Fatalf("something was saved before ctrl+s: %v", got)
	}
	d.key("ctrl+s")
	if !d.has("Added EHR:dr.jones.") {
		t.Fatalf("the new account was not added:\n%s", d.screen())
	}
	if got := vaultLabels(t, e); !slices.Equal(got, []string{"EHR:dr.jones", "Ward 3:nurse"}) {
		t.Fatalf("vault holds %v", got)
	}
	// Both ticked anyway: the merge reports both as duplicates, not added.
	d.key("a", "tab", "enter", "space", "down", "space", "ctrl+s")
	hide()
	if !d.has("Nothing added; 2 were already in the vault.") {
		t.Fatalf("the duplicates were not reported as such:\n%s", d.screen())
	}
	if got := vaultLabels(t, e); !slices.Equal(got, []string{"EHR:dr.jones", "Ward 3:nurse"}) {
		t.Fatalf("vault holds %v", got)
	}

	uris, err := migration.Encode(mustImport(t, "otpauth://totp/Lab:a?secret=JBSWY3DPEHPK3PXR&issuer=Lab\notpauth://totp/Pharmacy:b?secret=GEZDGNBVGY3TQOJR&issuer=Pharmacy\n"), 1)
	if err != nil || len(uris) != 2 {
		t.Fatal(uris, err)
	}
	hide = xtest.Show(t, disp, xtest.Page(t, dir, "google1.png", 900, 700, 4, uris[0]), 200, 120)
	d.key("a", "tab", "enter")
	hide()
	if !d.has("Found 1 account on the screen") || !d.has("Lab · a") ||
		!d.has(`! QR code 2 of 2 of a Google Authenticator export is missing: show the next code and choose "Scan the screen" again.`) {
		t.Fatalf("no warning about the export's other code:\n%s", d.screen())
	}
	d.key("esc", "esc")
	if got := vaultLabels(t, e); len(got) != 2 {
		t.Fatalf("esc saved: %v", got)
	}

	// No code on the screen: the CLI's sentence, nothing added.
	d.key("a", "tab", "enter")
	if !d.has("No QR code with an otpauth URI on the screen: show the service's set-up page and try again.") {
		t.Fatalf("no sentence for an empty screen:\n%s", d.screen())
	}
}

// TestTUIAddFromClipboard: "Read the clipboard" with otpauth links on a
// fake xclip: found, saved on ctrl+s, and the clipboard cleared since it
// still held what was read.
func TestTUIAddFromClipboard(t *testing.T) {
	cd := t.TempDir()
	os.WriteFile(filepath.Join(cd, "type"), []byte("UTF8_STRING"), 0o600)
	os.WriteFile(filepath.Join(cd, "data"), []byte(capURIB+"\n"), 0o600)
	e, now := tuiEnv(t, "default", vaulttest.MemoryKeyring{})
	t.Setenv("PATH", fakeClipboard(t, cd)+":"+os.Getenv("PATH"))
	t.Setenv("DISPLAY", ":99")
	seedVault(t, e, nil, "", e.hooks.Keyring).Close()
	d := newTUIDriver(t, e, now, 80, 24)
	d.key("a", "tab", "tab", "enter")
	if !d.has("Found 1 account on the clipboard") || !d.has(codeOf(t, capURIB)) || !d.has("! The clipboard was cleared.") {
		t.Fatalf("the clipboard's account is not shown:\n%s", d.screen())
	}
	if data, _ := os.ReadFile(filepath.Join(cd, "data")); len(data) != 0 {
		t.Fatalf("the clipboard still holds %d bytes", len(data))
	}
	d.key("ctrl+s")
	if got := vaultLabels(t, e); !slices.Equal(got, []string{"EHR:dr.jones"}) {
		t.Fatalf("vault holds %v", got)
	}
}

// TestTUIAddEncryptedExport: a real encrypted Aegis export asks for its
// passphrase on the add screen, says so when it is wrong, and opens with
// the right one ("test", importer/testdata/PROVENANCE.md).
func TestTUIAddEncryptedExport(t *testing.T) {
	e, now := tuiEnv(t, "default", vaulttest.MemoryKeyring{})
	seedVault(t, e, nil, "", e.hooks.Keyring).Close()
	src, err := filepath.Abs("../importer/testdata/aegis/aegis_encrypted.json")
	if err != nil {
		t.Fatal(err)
	}
	d := newTUIDriver(t, e, now, 80, 24)
	d.key("a", "tab", "tab", "tab", "enter")
	d.typeText(src)
	d.key("enter")
	if !d.has("aegis_encrypted.json is encrypted: type the passphrase") {
		t.Fatalf("no passphrase prompt:\n%s", d.screen())
	}
	d.typeText("guess")
	d.key("enter")
	if !d.has("The passphrase does not open this file. Check the export's passphrase (not the vault's).") {
		t.Fatalf("a wrong passphrase is not said:\n%s", d.screen())
	}
	d.typeText("test")
	d.key("enter")
	if !d.has("Found 7 accounts in aegis_encrypted.json") {
		t.Fatalf("the export did not open:\n%s", d.screen())
	}
	d.key("ctrl+s")
	if got := vaultLabels(t, e); len(got) != 7 {
		t.Fatalf("vault holds %v", got)
	}
}

// TestTUIAddDeletesTheImage: after an image file's account is saved, the
// screen offers to delete it; the delete button deletes a regular file,
// and refuses a symlink (the image it points to stays).
func TestTUIAddDeletesTheImage(t *testing.T) {
	xtest.NeedTools(t, "qrencode")
	e, now := tuiEnv(t, "default", vaulttest.MemoryKeyring{})
	seedVault(t, e, nil, "", e.hooks.Keyring).Close()
	dir := t.TempDir()
	img := filepath.Join(dir, "set up.png")
	if out, err := exec.Command("qrencode", "-o", img, capURIA).CombinedOutput(); err != nil {
		t.Fatal(err, string(out))
	}
	link := filepath.Join(dir, "link.png")
	if err := os.Symlink(img, link); err != nil {
		t.Fatal(err)
	}
	d := newTUIDriver(t, e, now, 200, 24) // the status line holds the whole path
	add := func(path string) {
		t.Helper()
		d.key("a", "tab", "tab", "tab", "enter")
		d.typeText("'" + path + "'")
		d.key("enter", "ctrl+s")
		if !d.has(path + " still holds the secret of every account it shows.") {
			t.Fatalf("no offer to delete %s:\n%s", path, d.screen())
		}
		d.key("tab", "enter")
	}
	add(link)
	if !d.has("Not deleted: " + link + " is not a regular file") {
		t.Fatalf("the symlink was not refused:\n%s", d.screen())
	}
	if _, err := os.Stat(img); err != nil {
		t.Fatalf("the image behind the link is gone: %v", err)
	}
	add(img)
	if !d.has("Deleted " + img + ".") {
		t.Fatalf("the deletion is not said:\n%s", d.screen())
	}
	if _, err := os.Lstat(img); !os.IsNotExist(err) {
		t.Fatalf("the image is still there: %v", err)
	}
	if got := vaultLabels(t, e); !slices.Equal(got, []string{"Ward 3:nurse"}) {
		t.Fatalf("vault holds %v", got)
	}
}

// TestTUIAddFileFailures: a file that is no export and a QR code that is
// not an account are one sentence each, in the words 'wardkey import'
// uses, and the path typed stays in its field.
func TestTUIAddFileFailures(t *testing.T) {
	xtest.NeedTools(t, "qrencode")
	e, now := tuiEnv(t, "default", vaulttest.MemoryKeyring{})
	seedVault(t, e, nil, "", e.hooks.Keyring).Close()
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(notes, []byte("shift handover: nothing to report\n"), 0o600)
	wifi := filepath.Join(dir, "wifi.png")
	if out, err := exec.Command("qrencode", "-o", wifi, "WIFI:T:WPA;S:Ward 3;P:not-a-secret;;").CombinedOutput(); err != nil {
		t.Fatal(err, string(out))
	}
	for _, c := range []struct{ path, want string }{
		{notes, "Wardkey does not recognise this file's content: nothing was imported. If it is another app's export, the command line's import can be told its format (--format NAME)."},
		{wifi, "Its QR code is not a two-factor account (it holds a web link, a Wi-Fi network or other text, not an otpauth:// link): nothing was imported. Use the QR code the service shows on its two-factor (MFA) set-up page."},
	} {
		d := newTUIDriver(t, e, now, 100, 24)
		d.key("a", "tab", "tab", "tab", "enter")
		d.typeText(c.path)
		d.key("enter")
		if !d.has(c.want) || !d.has("URI or file: "+c.path) {
			t.Fatalf("%s:\n%s", filepath.Base(c.path), d.screen())
		}
		if d.has("not-a-secret") || d.has("WIFI") {
			t.Fatalf("the QR code's text is shown:\n%s", d.screen())
		}
	}
	if got := vaultLabels(t, e); len(got) != 0 {
		t.Fatalf("vault holds %v", got)
	}
}
