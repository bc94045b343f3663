//go:build linux

package app

import (
	"bytes"
	"encoding/json"
	"image"
	"image/draw"
	"image/png"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/wardkey/wardkey/app/capture/xtest"
	"github.com/wardkey/wardkey/app/internal/dbustest"
	"github.com/wardkey/wardkey/importer"
	"github.com/wardkey/wardkey/importer/migration"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

const (
	capURIA = "otpauth://totp/Ward%203:nurse?secret=JBSWY3DPEHPK3PXP&issuer=Ward%203"
	capURIB = "otpauth://totp/EHR:dr.jones?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=EHR&digits=8"
	// capHostile names itself with ESC sequences and a right-to-left override.
	capHostile = "otpauth://totp/Ev%1B%5B2Jil:x%E2%80%AEy?secret=JBSWY3DPEHPK3PXQ&issuer=Ev%1B%5B2Jil"
)

// capSecrets must never be printed.
var capSecrets = []string{"JBSWY3DPEHPK3PXP", "JBSWY3DPEHPK3PXQ", "GEZDGNBVGY3TQOJQ", "secret=", "otpauth://", "otpauth-migration://"}

// wkRun is one wardkey process's outcome.
type wkRun struct {
	out, err string
	code     int
}

// wkProfile is a vault in fresh directories: wardkey runs there with its
// own HOME, TMPDIR and working directory, which must hold no image after.
type wkProfile struct {
	home, tmp, cwd, pass string
	path                 string // $PATH
}

func newProfile(t *testing.T) *wkProfile {
	t.Helper()
	d := t.TempDir()
	p := &wkProfile{home: filepath.Join(d, "home"), tmp: filepath.Join(d, "tmp"), cwd: filepath.Join(d, "cwd"), pass: filepath.Join(d, "pass"), path: os.Getenv("PATH")}
	for _, dir := range []string{p.home, p.tmp, p.cwd} {
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(p.pass, []byte("correct horse battery staple\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := p.run(t, nil, "", "init", "--no-keyring"); r.code != 0 {
		t.Fatalf("init: %d %s", r.code, r.err)
	}
	return p
}

// run runs the real CLI (the test binary as `wardkey`, see TestMain) with
// env added; a non-empty tty is typed on a terminal (script(1)'s pty).
func (p *wkProfile) run(t *testing.T, env []string, tty string, args ...string) wkRun {
	t.Helper()
	var cmd *exec.Cmd
	if tty != "" {
		xtest.NeedTools(t, "script")
		cmd = exec.Command("script", "-qec", "wardkey "+strings.Join(args, " "), "/dev/null")
		cmd.Stdin = strings.NewReader(tty)
	} else {
		cmd = exec.Command("wardkey", args...)
	}
	cmd.Dir = p.cwd
	cmd.Env = append([]string{
		"PATH=" + p.path, "HOME=" + p.home, "TMPDIR=" + p.tmp, "XDG_RUNTIME_DIR=" + p.tmp,
		"WARDKEY_HOME=" + filepath.Join(p.home, "wardkey"), "WARDKEY_PASSPHRASE_FILE=" + p.pass,
		"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent", "TERM=dumb",
	}, env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	r := wkRun{out: o.String(), err: e.String()}
	if tty != "" { // the terminal's line discipline
		r.out = strings.ReplaceAll(r.out, "\r\n", "\n")
	}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	for _, s := range capSecrets {
		if strings.Contains(r.out+r.err, s) {
			t.Errorf("wardkey printed %q:\n%s%s", s, r.out, r.err)
		}
	}
	return r
}

// labels lists the vault's accounts as issuer:name, via `wardkey list --json`.
func (p *wkProfile) labels(t *testing.T) []string {
	t.Helper()
	r := p.run(t, nil, "", "list", "--json")
	if r.code != 0 {
		t.Fatalf("list: %s", r.err)
	}
	var as []struct{ Issuer, Name string }
	if err := json.Unmarshal([]byte(r.out), &as); err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, a := range as {
		out = append(out, a.Issuer+":"+a.Name)
	}
	return out
}

// noImages fails if any file under the profile's HOME, TMPDIR or working
// directory is an image (or anything but the vault's own files).
func (p *wkProfile) noImages(t *testing.T) {
	t.Helper()
	for _, dir := range []string{p.home, p.tmp, p.cwd} {
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, _ := os.ReadFile(path)
			if _, _, err := image.DecodeConfig(bytes.NewReader(b)); err == nil || !strings.Contains(path, string(filepath.Separator)+"wardkey"+string(filepath.Separator)) {
				t.Errorf("wardkey left %s (%d bytes)", path, len(b))
			}
			return nil
		})
	}
}

// capCase is one enrolment run and what must come of it.
type capCase struct {
	name     string
	args     []string
	tty      string // typed on a terminal; "" runs without one
	code     int
	out, err []string // regexps that must match
	accounts []string
}

func (c capCase) check(t *testing.T, p *wkProfile, env []string) {
	t.Helper()
	start := time.Now()
	r := p.run(t, env, c.tty, c.args...)
	took := time.Since(start)
	all := r.out + r.err // script(1) merges both into its output
	if r.code != c.code {
		t.Errorf("exit %d, want %d\n%s", r.code, c.code, all)
	}
	for _, re := range c.out {
		src := r.out
		if c.tty != "" {
			src = all
		}
		if !regexp.MustCompile(re).MatchString(src) {
			t.Errorf("stdout does not match %q:\n%s", re, src)
		}
	}
	for _, re := range c.err {
		src := r.err
		if c.tty != "" {
			src = all
		}
		if !regexp.MustCompile(re).MatchString(src) {
			t.Errorf("stderr does not match %q:\n%s", re, src)
		}
	}
	if c.code != 0 && c.tty == "" && strings.Count(strings.TrimSpace(r.err), "wardkey: error:") != 1 {
		t.Errorf("want one error sentence, got:\n%s", r.err)
	}
	if got := p.labels(t); !slices.Equal(got, c.accounts) {
		t.Errorf("accounts %q, want %q", got, c.accounts)
	}
	p.noImages(t)
	t.Logf("%v", took.Round(time.Millisecond))
}

const noCode = `^wardkey: error: no QR code with an otpauth URI on the screen: show the service's set-up page and try again\n$`

// TestAddScreen: `wardkey add --screen` on a real X server (Xvfb) with a
// window showing a set-up page: one code, two codes (a choice on a
// terminal, or --all), a Google Authenticator export, no code, a code that
// is not an account, a hostile name, a screen of hundreds of codes.
func TestAddScreen(t *testing.T) {
	xtest.NeedTools(t, "Xvfb", "xdpyinfo", "xwininfo", "display", "qrencode", "convert", "script")
	dir := t.TempDir()
	disp := xtest.Xvfb(t, 1600, 1000, 24)
	env := []string{"DISPLAY=" + disp}
	uris, err := migration.Encode(mustImport(t, "otpauth://totp/Lab:a?secret=JBSWY3DPEHPK3PXP&issuer=Lab\notpauth://totp/Pharmacy:b?secret=GEZDGNBVGY3TQOJQ&issuer=Pharmacy\notpauth://hotp/Door:c?secret=JBSWY3DPEHPK3PXQ&counter=4\n"), 10)
	if err != nil || len(uris) != 1 {
		t.Fatal(uris, err)
	}
	pages := map[string]string{
		"one":      xtest.Page(t, dir, "one.png", 900, 600, 4, capURIA),
		"two":      xtest.Page(t, dir, "two.png", 1300, 600, 4, capURIA, capURIB),
		"google":   xtest.Page(t, dir, "google.png", 900, 700, 4, uris[0]),
		"none":     xtest.Page(t, dir, "none.png", 900, 600, 4),
		"url":      xtest.Page(t, dir, "url.png", 900, 600, 4, "https://example.org/setup"),
		"hostile":  xtest.Page(t, dir, "hostile.png", 900, 600, 4, capHostile),
		"hundreds": tiledPage(t, dir),
	}
	found1 := `found 1 account on the screen:\n  1\. Ward 3:nurse \(totp\), code \d{3} \d{3}\n`
	for _, tc := range []struct {
		page string
		capCase
	}{
		{"one", capCase{name: "one code, --yes", args: []string{"add", "--screen", "--yes"},
			out:      []string{found1, `added Ward 3:nurse \(id [0-9a-f]+, totp\)`, `type this code into Ward 3 to finish enrolling: \d{3} \d{3}`},
			accounts: []string{"Ward 3:nurse"}}},
		{"one", capCase{name: "one code, no terminal, no --yes", args: []string{"add", "--screen"}, code: 1,
			out: []string{found1}, err: []string{`^wardkey: error: there is no terminal to confirm on: nothing was added\nwardkey: hint: check the account above and add it with --yes\n$`},
			accounts: []string{}}},
		{"one", capCase{name: "one code, yes on the terminal", args: []string{"add", "--screen"}, tty: "y\n",
			out: []string{found1, `Add it\? \[y/N\]`, `added Ward 3:nurse`}, accounts: []string{"Ward 3:nurse"}}},
		{"one", capCase{name: "one code, declined", args: []string{"add", "--screen"}, tty: "n\n", code: 1,
			out: []string{`wardkey: error: nothing was added: the accounts found were not confirmed`}, accounts: []string{}}},
		{"two", capCase{name: "two codes, no terminal", args: []string{"add", "--screen", "--yes"}, code: 1,
			out: []string{`found 2 accounts on the screen:\n  1\. .*\n  2\. .*\n`, `Ward 3:nurse \(totp\)`, `EHR:dr\.jones \(totp\), code \d{4} \d{4}`},
			err: []string{`^wardkey: error: 2 accounts were found and there is no terminal to choose on: nothing was added\nwardkey: hint: add them all with --all --yes`}, accounts: []string{}}},
		{"two", capCase{name: "two codes, a choice on the terminal", args: []string{"add", "--screen"}, tty: "2\n",
			out: []string{`Add which\?`, `added EHR:dr\.jones`}, accounts: []string{"EHR:dr.jones"}}},
		{"two", capCase{name: "two codes, --all --yes", args: []string{"add", "--screen", "--all", "--yes"},
			out: []string{`added Ward 3:nurse`, `added EHR:dr\.jones`}, accounts: []string{"EHR:dr.jones", "Ward 3:nurse"}}},
		{"google", capCase{name: "a Google Authenticator export", args: []string{"add", "--screen", "--all", "--yes"},
			out:      []string{`found 3 accounts on the screen:\n  1\. Lab:a \(totp\), code \d{3} \d{3}\n  2\. Pharmacy:b \(totp\), code \d{3} \d{3}\n  3\. Door:c \(hotp\)\n`, `run 'wardkey code [0-9a-f]+'`},
			accounts: []string{"Door:c", "Lab:a", "Pharmacy:b"}}},
		{"none", capCase{name: "no code", args: []string{"add", "--screen", "--yes"}, code: 1, err: []string{noCode}, accounts: []string{}}},
		{"url", capCase{name: "a code that is not an account", args: []string{"add", "--screen", "--yes"}, code: 1, err: []string{noCode}, accounts: []string{}}},
		{"hostile", capCase{name: "a hostile name", args: []string{"add", "--screen", "--yes"},
			out: []string{"found 1 account on the screen:\n  1\\. Ev\uFFFD\\[2Jil:x\uFFFDy \\(totp\\)"}, accounts: []string{"Ev\x1b[2Jil:x\u202ey"}}},
		{"hundreds", capCase{name: "hundreds of codes", args: []string{"add", "--screen", "--all", "--yes"}, code: 1,
			err: []string{`^wardkey: error: the screen shows more than 32 QR codes, more than wardkey reads at once: nothing was added\n$`}, accounts: []string{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hide := xtest.Show(t, disp, pages[tc.page], 200, 120)
			defer hide()
			p := newProfile(t)
			tc.check(t, p, env)
		})
	}
}

// TestAddScreen4K: a 3840x2160 screen.
func TestAddScreen4K(t *testing.T) {
	dir := t.TempDir()
	disp := xtest.Xvfb(t, 3840, 2160, 24)
	xtest.Show(t, disp, xtest.Page(t, dir, "page.png", 1200, 800, 3, capURIB), 2400, 1200)
	capCase{args: []string{"add", "--screen", "--yes"}, out: []string{`added EHR:dr\.jones`}, accounts: []string{"EHR:dr.jones"}}.
		check(t, newProfile(t), []string{"DISPLAY=" + disp})
}

// TestAddScreenNoDisplay: no $DISPLAY, no Wayland, no session bus.
func TestAddScreenNoDisplay(t *testing.T) {
	p := newProfile(t)
	capCase{args: []string{"add", "--screen", "--yes"}, code: 1,
		err: []string{`^wardkey: error: there is no display to capture: \$DISPLAY is not set and no screenshot portal answers: nothing was added\n$`}, accounts: []string{}}.
		check(t, p, nil)
	// A bus without a portal is the same.
	bus := dbustest.SessionBus(t)
	capCase{args: []string{"add", "--screen", "--yes"}, code: 1, err: []string{`no screenshot portal answers`}, accounts: []string{}}.
		check(t, p, []string{"DBUS_SESSION_BUS_ADDRESS=" + bus})
}

// tiledPage is a 1200x1200 page of 400 small codes.
func tiledPage(t *testing.T, dir string) string {
	qr := filepath.Join(dir, "small.png")
	if out, err := exec.Command("qrencode", "-s", "2", "-m", "2", "-o", qr, capURIA).CombinedOutput(); err != nil {
		t.Fatalf("qrencode: %v\n%s", err, out)
	}
	f, err := os.Open(qr)
	if err != nil {
		t.Fatal(err)
	}
	c, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	page := image.NewGray(image.Rect(0, 0, 20*c.Bounds().Dx(), 20*c.Bounds().Dy()))
	for i := range 400 {
		at := image.Pt(i%20*c.Bounds().Dx(), i/20*c.Bounds().Dy())
		draw.Draw(page, c.Bounds().Add(at), c, image.Point{}, draw.Src)
	}
	p := filepath.Join(dir, "hundreds.png")
	var b bytes.Buffer
	png.Encode(&b, page)
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustImport(t *testing.T, text string) []vault.Account {
	t.Helper()
	res, err := importer.Import([]byte(text), importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Accounts
}

// fakePortal is org.freedesktop.portal.Screenshot as the desktop serves
// it: Screenshot returns a request handle, then the Request's Response
// signal carries the file:// URI of the PNG it wrote.
type fakePortal struct {
	conn     *dbus.Conn
	dir      string
	png      []byte
	response uint32

	mu          sync.Mutex
	written     []string // files the portal wrote
	interactive bool
}

// Screenshot is the portal method.
func (p *fakePortal) Screenshot(sender dbus.Sender, parent string, opts map[string]dbus.Variant) (dbus.ObjectPath, *dbus.Error) {
	token, _ := opts["handle_token"].Value().(string)
	inter, _ := opts["interactive"].Value().(bool)
	handle := dbus.ObjectPath("/org/freedesktop/portal/desktop/request/" + strings.ReplaceAll(strings.TrimPrefix(string(sender), ":"), ".", "_") + "/" + token)
	p.mu.Lock()
	p.interactive = inter
	response := p.response
	p.mu.Unlock()
	go func() {
		results := map[string]dbus.Variant{}
		if response == 0 {
			path := filepath.Join(p.dir, "Screenshot from the desktop.png")
			os.WriteFile(path, p.png, 0o644)
			os.Link(path, path+".witness") // a second name: shows what wardkey left in the file
			p.mu.Lock()
			p.written = append(p.written, path)
			p.mu.Unlock()
			results["uri"] = dbus.MakeVariant("file://" + path)
		}
		time.Sleep(50 * time.Millisecond) // the person clicks "Share"
		p.conn.Emit(handle, "org.freedesktop.portal.Request.Response", response, results)
	}()
	return handle, nil
}

// TestAddScreenPortal: the Wayland path against a fake portal on a real,
// private D-Bus daemon: the screenshot is asked for interactively, the
// portal's file is read, overwritten with zeros and deleted, and the
// person is told; a cancelled dialog adds nothing.
func TestAddScreenPortal(t *testing.T) {
	xtest.NeedTools(t, "dbus-daemon", "qrencode", "convert")
	bus := dbustest.SessionBus(t)
	conn, err := dbus.Connect(bus)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	dir := t.TempDir()
	page, err := os.ReadFile(xtest.Page(t, dir, "page.png", 1200, 800, 4, capURIA))
	if err != nil {
		t.Fatal(err)
	}
	shots := t.TempDir()
	portal := &fakePortal{conn: conn, dir: shots, png: page}
	if err := conn.Export(portal, "/org/freedesktop/portal/desktop", "org.freedesktop.portal.Screenshot"); err != nil {
		t.Fatal(err)
	}
	if r, err := conn.RequestName("org.freedesktop.portal.Desktop", dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own the portal name: %v %v", r, err)
	}
	env := []string{"WAYLAND_DISPLAY=wayland-test", "DBUS_SESSION_BUS_ADDRESS=" + bus}
	for _, tc := range []struct {
		response uint32
		capCase
	}{
		{0, capCase{name: "shared", args: []string{"add", "--screen", "--yes"},
			out:      []string{`found 1 account on the screen`, `added Ward 3:nurse`},
			err:      []string{`^wardkey: the desktop saved the screenshot as .*Screenshot from the desktop\.png: wardkey read it, overwrote it and deleted it\n$`},
			accounts: []string{"Ward 3:nurse"}}},
		{1, capCase{name: "cancelled", args: []string{"add", "--screen", "--yes"}, code: 1,
			err: []string{`^wardkey: error: the screenshot was cancelled in the desktop's dialog: nothing was added\n$`}, accounts: []string{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			portal.mu.Lock()
			portal.response = tc.response
			portal.mu.Unlock()
			tc.check(t, newProfile(t), env)
			portal.mu.Lock()
			defer portal.mu.Unlock()
			if !portal.interactive {
				t.Error("the screenshot was not asked for interactively")
			}
			for _, f := range portal.written {
				if _, err := os.Stat(f); !os.IsNotExist(err) {
					t.Errorf("the portal's file %s is still there (%v)", f, err)
				}
				w, err := os.ReadFile(f + ".witness")
				if err != nil {
					t.Fatal(err)
				}
				if len(w) != len(page) || bytes.Count(w, []byte{0}) != len(w) {
					t.Errorf("the portal's file was not overwritten with zeros before its deletion")
				}
				os.Remove(f + ".witness")
			}
			portal.written = nil
		})
	}
}

// fakeClipboard puts fake xclip, wl-paste and wl-copy first on PATH. The
// clipboard lives in dir: type (the offered type) and data. A read of
// data after the first returns changed data when dir/change exists.
func fakeClipboard(t *testing.T, dir string) string {
	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o700)
	scripts := map[string]string{
		"xclip": `#!/bin/sh
C=` + dir + `
t=; o=; i=
while [ $# -gt 0 ]; do
  case "$1" in -selection) shift;; -t) t=$2; shift;; -o) o=1;; -i) i=$2; shift;; esac
  shift
done
if [ -z "$o" ]; then cat "${i:-/dev/stdin}" > $C/data; echo UTF8_STRING > $C/type; echo clear >> $C/log; exit 0; fi
if [ "$t" = TARGETS ]; then [ -s $C/data ] || exit 1; echo TARGETS; cat $C/type; exit 0; fi
[ "$t" = "$(cat $C/type)" ] || exit 1
echo read >> $C/log
if [ -e $C/change ] && [ $(grep -c read $C/log) -gt 1 ]; then echo changed; exit 0; fi
cat $C/data
`,
		"wl-paste": `#!/bin/sh
C=` + dir + `
if [ "$1" = --list-types ]; then [ -s $C/data ] || exit 1; cat $C/type; exit 0; fi
echo read >> $C/log
if [ -e $C/change ] && [ $(grep -c read $C/log) -gt 1 ]; then echo changed; exit 0; fi
cat $C/data
`,
		"wl-copy": `#!/bin/sh
C=` + dir + `
[ "$1" = --clear ] && : > $C/data && echo clear >> $C/log
`,
	}
	for name, s := range scripts {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(s), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return bin
}

// TestAddClipboard: `wardkey add --clipboard` with an image or text on the
// clipboard (fake xclip and wl-paste over files), cleared after reading if
// it still holds what was read.
func TestAddClipboard(t *testing.T) {
	xtest.NeedTools(t, "qrencode", "convert")
	dir := t.TempDir()
	page, err := os.ReadFile(xtest.Page(t, dir, "page.png", 900, 600, 4, capURIA))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		session     string // DISPLAY or WAYLAND_DISPLAY
		typ, data   string
		change      bool
		wantCleared bool
		capCase
	}{
		{"DISPLAY=:99", "image/png", string(page), false, true, capCase{name: "xclip image", args: []string{"add", "--clipboard", "--yes"},
			out: []string{`found 1 account on the clipboard`, `added Ward 3:nurse`}, err: []string{`^wardkey: the clipboard was cleared\n$`}, accounts: []string{"Ward 3:nurse"}}},
		{"WAYLAND_DISPLAY=w", "image/png", string(page), false, true, capCase{name: "wl-paste image", args: []string{"add", "--clipboard", "--yes"},
			out: []string{`added Ward 3:nurse`}, err: []string{`cleared`}, accounts: []string{"Ward 3:nurse"}}},
		{"WAYLAND_DISPLAY=w", "text/plain;charset=utf-8", capURIA + "\n" + capURIB + "\n", false, true, capCase{name: "wl-paste text", args: []string{"add", "--clipboard", "--all", "--yes"},
			out: []string{`found 2 accounts on the clipboard`}, err: []string{`cleared`}, accounts: []string{"EHR:dr.jones", "Ward 3:nurse"}}},
		{"DISPLAY=:99", "UTF8_STRING", "  " + capURIB + "  ", true, false, capCase{name: "xclip text, changed since", args: []string{"add", "--clipboard", "--yes"},
			out: []string{`added EHR:dr\.jones`}, err: []string{`^wardkey: the clipboard changed since it was read and was left alone\n$`}, accounts: []string{"EHR:dr.jones"}}},
		{"DISPLAY=:99", "UTF8_STRING", "hello, no account here", false, false, capCase{name: "text without a URI", args: []string{"add", "--clipboard", "--yes"}, code: 1,
			err: []string{`^wardkey: error: no QR code or otpauth URI on the clipboard: copy the service's QR image or set-up URI and try again\n$`}, accounts: []string{}}},
		{"DISPLAY=:99", "UTF8_STRING", "", false, false, capCase{name: "empty", args: []string{"add", "--clipboard", "--yes"}, code: 1,
			err: []string{`no QR code or otpauth URI on the clipboard`}, accounts: []string{}}},
		{"NOTHING=1", "UTF8_STRING", capURIA, false, false, capCase{name: "no clipboard", args: []string{"add", "--clipboard", "--yes"}, code: 1,
			err: []string{`^wardkey: error: there is no clipboard to read: install wl-clipboard \(Wayland\) or xclip \(X11\): nothing was added\n$`}, accounts: []string{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cd := t.TempDir()
			os.WriteFile(filepath.Join(cd, "type"), []byte(tc.typ), 0o600)
			os.WriteFile(filepath.Join(cd, "data"), []byte(tc.data), 0o600)
			if tc.change {
				os.WriteFile(filepath.Join(cd, "change"), nil, 0o600)
			}
			p := newProfile(t)
			p.path = fakeClipboard(t, cd) + ":" + p.path
			tc.check(t, p, []string{tc.session})
			log, _ := os.ReadFile(filepath.Join(cd, "log"))
			data, _ := os.ReadFile(filepath.Join(cd, "data"))
			if cleared := bytes.Contains(log, []byte("clear")); cleared != tc.wantCleared || (cleared && len(data) != 0) {
				t.Errorf("cleared %v (%d bytes left), want %v", cleared, len(data), tc.wantCleared)
			}
			// One add line per account added, as 'wardkey add' writes.
			rep, _ := audit.Read(filepath.Join(p.home, "wardkey", vault.DefaultProfile))
			adds := 0
			for _, en := range rep.Entries {
				if en.Event == audit.Add && en.Account != "" {
					adds++
				}
			}
			if adds != len(tc.accounts) {
				t.Errorf("the audit log holds %d add lines, want %d", adds, len(tc.accounts))
			}
		})
	}
}
