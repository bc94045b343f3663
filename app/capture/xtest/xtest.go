// Package xtest runs the real peers capture is tested against: an Xvfb
// server, a window showing a set-up page (ImageMagick's display), pages
// made with qrencode and convert. Tests only.
package xtest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// NeedTools skips without the named programs, or fails when
// WARDKEY_REQUIRE_TOOLS=1 (CI), where a skipped test must not pass.
func NeedTools(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			if os.Getenv("WARDKEY_REQUIRE_TOOLS") == "1" {
				t.Fatalf("%s is required (WARDKEY_REQUIRE_TOOLS=1) but not installed", n)
			}
			t.Skipf("SKIPPING: %s is not installed (apt-get install xvfb x11-utils imagemagick qrencode zbar-tools dbus-daemon)", n)
		}
	}
}

// Xvfb starts a virtual X server of one screen of w×h pixels at depth bits
// (24, 16 or 8) and returns its display name once it answers. It is
// stopped when the test ends.
func Xvfb(t testing.TB, w, h, depth int) string {
	t.Helper()
	return XvfbScreens(t, fmt.Sprintf("%dx%dx%d", w, h, depth))
}

// XvfbScreens starts a virtual X server with a screen of each WxHxD spec
// (screen 0, 1, ...) and returns its display name once it answers. It
// takes a random display number above 500 that no server holds (other
// programs on the machine use the low ones; -displayfd would start at :0),
// and makes sure the server that answers is its own.
func XvfbScreens(t testing.TB, specs ...string) string {
	t.Helper()
	NeedTools(t, "Xvfb", "xdpyinfo")
	for range 20 {
		n := 500 + rand.IntN(500)
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); err == nil {
			continue
		}
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
			continue
		}
		disp := ":" + strconv.Itoa(n)
		args := []string{disp, "-nolisten", "tcp"}
		for i, s := range specs {
			args = append(args, "-screen", strconv.Itoa(i), s)
		}
		cmd := exec.Command("Xvfb", args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		t.Cleanup(func() {
			cmd.Process.Kill()
			<-exited
		})
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			if exec.Command("xdpyinfo", "-display", disp).Run() == nil {
				select {
				case <-exited: // another server holds the number: ours gave up
				case <-time.After(200 * time.Millisecond):
					return disp
				}
				break
			}
			select {
			case <-exited:
			case <-time.After(50 * time.Millisecond):
				continue
			}
			break
		}
	}
	t.Fatal("no Xvfb server could be started")
	return ""
}

// Show opens a window at (x, y) showing the picture at path, and waits until
// it is on the screen: mapped, and the screen's pixels changed and then
// steady (read with ImageMagick's import, to memory). ImageMagick now and
// then fails to connect to a server that has just started: it is started
// again. It returns a function that closes the window.
func Show(t testing.TB, display, path string, x, y int) (hide func()) {
	t.Helper()
	NeedTools(t, "display", "xwininfo", "import")
	before := screenHash(t, display)
	name := filepath.Base(path)
	for attempt := 0; attempt < 4; attempt++ {
		cmd := exec.Command("display", "-geometry", fmt.Sprintf("+%d+%d", x, y), path)
		cmd.Env = append(os.Environ(), "DISPLAY="+display)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		closed := false
		hide = func() {
			if !closed {
				closed = true
				cmd.Process.Kill()
				<-exited
				// Wait for the server to repaint the root without the window.
				for range 50 {
					if screenHash(t, display) == before {
						break
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		}
		t.Cleanup(hide)
		deadline := time.Now().Add(60 * time.Second) // ImageMagick starts slowly on a loaded machine
		last := before
	wait:
		for time.Now().Before(deadline) {
			select {
			case <-exited:
				t.Logf("display exited (%s): starting it again", bytes.TrimSpace(stderr.Bytes()))
				break wait
			default:
			}
			out, _ := exec.Command("xwininfo", "-display", display, "-root", "-children").Output()
			if bytes.Contains(out, []byte(name)) {
				h := screenHash(t, display)
				if h != before && h == last {
					return hide
				}
				last = h
			}
			time.Sleep(100 * time.Millisecond)
		}
		hide()
	}
	t.Fatalf("the window showing %s did not appear", name)
	return nil
}

// screenHash is a digest of the root window's pixels. import fails now
// and then while a window comes or goes: it is asked again.
func screenHash(t testing.TB, display string) [32]byte {
	var err error
	for range 20 {
		cmd := exec.Command("import", "-silent", "-window", "root", "-depth", "8", "gray:-")
		cmd.Env = append(os.Environ(), "DISPLAY="+display)
		var out []byte
		if out, err = cmd.Output(); err == nil {
			return sha256.Sum256(out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("import -window root: %v", err)
	return [32]byte{}
}

// Page makes a set-up page (w×h, a title in DejaVu Sans) with a QR code
// of each text at the given module scale, side by side, and returns its
// path in dir.
func Page(t testing.TB, dir, name string, w, h, scale int, texts ...string) string {
	t.Helper()
	NeedTools(t, "qrencode", "convert")
	args := []string{"-size", fmt.Sprintf("%dx%d", w, h), "xc:white", "-fill", "#222", "-font", "DejaVu-Sans", "-pointsize", "26",
		"-annotate", "+40+60", "Set up two-factor authentication: scan the code with your authenticator"}
	x := 60
	for i, text := range texts {
		qr := filepath.Join(dir, fmt.Sprintf("%s-qr%d.png", strings.TrimSuffix(name, ".png"), i))
		if out, err := exec.Command("qrencode", "-s", strconv.Itoa(scale), "-m", "4", "-o", qr, text).CombinedOutput(); err != nil {
			t.Fatalf("qrencode: %v\n%s", err, out)
		}
		args = append(args, qr, "-geometry", fmt.Sprintf("+%d+120", x), "-composite")
		f, err := os.Open(qr)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		x += cfg.Width + 40
	}
	p := filepath.Join(dir, name)
	args = append(args, p)
	if out, err := exec.Command("convert", args...).CombinedOutput(); err != nil {
		t.Fatalf("convert: %v\n%s", err, out)
	}
	return p
}
