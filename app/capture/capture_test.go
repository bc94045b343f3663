//go:build linux

package capture

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardkey/wardkey/app/capture/xtest"
	"github.com/wardkey/wardkey/importer"
)

const uriA = "otpauth://totp/Ward%203:nurse?secret=JBSWY3DPEHPK3PXP&issuer=Ward%203"

// x11Env points the capture at display and nothing else.
func x11Env(t testing.TB, display string) {
	t.Setenv("DISPLAY", display)
	t.Setenv("WAYLAND_DISPLAY", "")
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
}

// TestX11Screens: a real Xvfb at each screen format (24-bit TrueColor,
// 16-bit 565, 8-bit PseudoColor) with a window showing a set-up page: the
// code is found, and the pixels are wiped afterwards.
func TestX11Screens(t *testing.T) {
	dir := t.TempDir()
	page := xtest.Page(t, dir, "page.png", 900, 600, 4, uriA)
	for _, tc := range []struct {
		w, h, depth int
	}{
		{1280, 800, 24},
		{1280, 800, 16},
		{1024, 768, 8},
	} {
		t.Run(fmt.Sprintf("%dx%dx%d", tc.w, tc.h, tc.depth), func(t *testing.T) {
			disp := xtest.Xvfb(t, tc.w, tc.h, tc.depth)
			xtest.Show(t, disp, page, 150, 90)
			x11Env(t, disp)
			shot, err := Screen(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(shot.Images) != 1 || shot.Images[0].Bounds() != image.Rect(0, 0, tc.w, tc.h) || shot.Source != "x11" {
				t.Fatalf("%d images, %v, %s", len(shot.Images), shot.Images[0].Bounds(), shot.Source)
			}
			texts, err := importer.ScanQR(shot.Images[0])
			if err != nil || len(texts) != 1 || texts[0] != uriA {
				t.Fatalf("%d codes, %v", len(texts), err)
			}
			shot.Wipe()
			for _, v := range shot.Images[0].(*image.Gray).Pix {
				if v != 0 {
					t.Fatal("a pixel survived Wipe")
				}
			}
			f, err := FindOnScreen(context.Background())
			if err != nil || len(f.Accounts) != 1 || f.Accounts[0].Issuer != "Ward 3" {
				t.Fatalf("%+v, %v", f.Accounts, err)
			}
		})
	}
}

// TestX11TwoScreens: every screen of the display is captured; the code is
// on the second.
func TestX11TwoScreens(t *testing.T) {
	page := xtest.Page(t, t.TempDir(), "page.png", 700, 500, 4, uriA)
	disp := xtest.XvfbScreens(t, "800x600x24", "1024x768x24")
	xtest.Show(t, disp+".1", page, 100, 100)
	x11Env(t, disp)
	shot, err := Screen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	shot.Wipe()
	if len(shot.Images) != 2 || shot.Images[1].Bounds().Dx() != 1024 {
		t.Fatalf("%d screens", len(shot.Images))
	}
	f, err := FindOnScreen(context.Background())
	if err != nil || len(f.Accounts) != 1 {
		t.Fatalf("%d accounts, %v", len(f.Accounts), err)
	}
}

// TestScreenErrors: no display and no portal; a cancelled context.
func TestScreenErrors(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
	if _, err := Screen(context.Background()); !errors.Is(err, ErrNoDisplay) {
		t.Errorf("no display: %v", err)
	}
	t.Setenv("DISPLAY", ":999")
	if _, err := Screen(context.Background()); err == nil || !strings.Contains(err.Error(), ":999") {
		t.Errorf("a display nobody serves: %v", err)
	}
}

// BenchmarkScreenToFound: from the capture of a real X screen (Xvfb) to
// "found 1 code", at 1920x1080 (budget 150 ms) and 3840x2160 (400 ms), with
// zbarimg timed on the same captured pixels (written to a temporary PNG for
// zbarimg only) as the yardstick.
func BenchmarkScreenToFound(b *testing.B) {
	dir := b.TempDir()
	for _, tc := range []struct {
		name   string
		w, h   int
		budget time.Duration
	}{
		{"1080p", 1920, 1080, 150 * time.Millisecond},
		{"4K", 3840, 2160, 400 * time.Millisecond},
	} {
		page := xtest.Page(b, dir, tc.name+".png", 1100, 700, 4, uriA)
		disp := xtest.Xvfb(b, tc.w, tc.h, 24)
		xtest.Show(b, disp, page, tc.w/3, tc.h/4)
		x11Env(b, disp)
		b.Run(tc.name+"/wardkey", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f, err := FindOnScreen(context.Background())
				if err != nil || len(f.Accounts) != 1 {
					b.Fatalf("%d accounts, %v", len(f.Accounts), err)
				}
			}
			if per := b.Elapsed() / time.Duration(b.N); per > tc.budget {
				b.Errorf("%v from capture to found: over the %v budget", per, tc.budget)
			}
		})
		b.Run(tc.name+"/zbarimg", func(b *testing.B) {
			xtest.NeedTools(b, "zbarimg")
			shot, err := Screen(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			p := filepath.Join(b.TempDir(), "shot.png")
			fh, err := os.Create(p)
			if err != nil {
				b.Fatal(err)
			}
			enc := png.Encoder{CompressionLevel: png.BestSpeed}
			if err := enc.Encode(fh, shot.Images[0]); err != nil {
				b.Fatal(err)
			}
			fh.Close()
			shot.Wipe()
			b.ResetTimer()
			for b.Loop() {
				out, err := exec.Command("zbarimg", "--nodbus", "--raw", "-q", p).Output()
				if err != nil || !strings.HasPrefix(string(out), "otpauth://") {
					b.Fatalf("zbarimg: %v", err)
				}
			}
		})
	}
}
