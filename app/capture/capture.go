// Package capture takes the pictures wardkey enrols from: the screen and
// the clipboard. It is the OS integration that package importer leaves out
// (importer decodes pixels and bytes, and links no D-Bus).
//
// # Where pixels come from
//
//   - X11: every screen of $DISPLAY (every monitor is part of its screen's
//     root window), read over the X protocol with github.com/jezek/xgb, no
//     cgo, in strips converted straight to luminance.
//   - Wayland: the xdg-desktop-portal Screenshot interface over D-Bus,
//     interactive (the person confirms in the desktop's dialog). The portal
//     writes a file: it is read at once, overwritten with zeros, deleted,
//     and [Shot.Notice] says so.
//   - Windows: the GDI capture of github.com/kbinani/screenshot (no cgo).
//   - macOS: not in cgo-free builds; [ErrUnsupported] points to the
//     clipboard.
//   - The clipboard: wl-paste (Wayland) or xclip (X11), an image/png or
//     text holding otpauth URIs; see [Clipboard].
//
// Nothing is written to disk (the portal's own file aside), and the pixel
// buffers are zeroed by [Shot.Wipe] and [Clip.Wipe], which [Find] calls
// after decoding. Every function takes a context, so a caller such as a
// Bubble Tea command can cancel a capture that waits on the desktop.
package capture

import (
	"context"
	"errors"
	"image"
	"os"

	"github.com/wardkey/wardkey/importer"
)

// Errors callers branch on. Each reads as the end of a sentence for the
// person.
var (
	// ErrNoDisplay: no X display, no Wayland portal: nothing to capture.
	ErrNoDisplay = errors.New("there is no display to capture: $DISPLAY is not set and no screenshot portal answers")
	// ErrUnsupported: this build cannot capture the screen (macOS without cgo).
	ErrUnsupported = errors.New("screen capture is not available in this build on this system: copy the QR image and use --clipboard")
	// ErrDeclined: the person cancelled the desktop's screenshot dialog.
	ErrDeclined = errors.New("the screenshot was cancelled in the desktop's dialog")
	// ErrNoClipboard: no clipboard tool (wl-paste, xclip) for this session.
	ErrNoClipboard = errors.New("there is no clipboard to read: install wl-clipboard (Wayland) or xclip (X11)")
	// ErrEmptyClipboard: the clipboard holds no image and no otpauth URI.
	ErrEmptyClipboard = errors.New("the clipboard holds no image and no otpauth URI")
)

// Shot is one capture of the screen: a picture per X screen (or the one the
// portal made).
type Shot struct {
	// Images are the captured pictures. X11 captures are *image.Gray
	// (luminance: all a QR reader needs).
	Images []image.Image
	// Notice, when not empty, is what the person must be told about the
	// capture (the portal's file, read and deleted).
	Notice string
	// Source is "x11", "portal" or "windows".
	Source string
}

// Wipe zeroes the pixels of every image.
func (s *Shot) Wipe() {
	for _, m := range s.Images {
		wipeImage(m)
	}
}

// Screen captures every screen. Under Wayland ($WAYLAND_DISPLAY) it asks
// the desktop's portal, which shows a dialog; under X11 it reads $DISPLAY;
// otherwise it tries the portal of the session bus, then gives
// ErrNoDisplay.
func Screen(ctx context.Context) (*Shot, error) {
	return screen(ctx)
}

// Found is what a capture held: the accounts of its QR codes (or of the
// URIs on the clipboard).
type Found struct {
	importer.Result
	// Notice is Shot.Notice, or what was done to the clipboard.
	Notice string
}

// FindOnScreen captures the screen, reads every QR code in it and returns
// the accounts, with the pixels wiped. No QR code with an account is
// importer.ErrNoQR or importer.ErrNoOTP.
func FindOnScreen(ctx context.Context) (Found, error) {
	shot, err := Screen(ctx)
	if err != nil {
		if shot != nil {
			return Found{Notice: shot.Notice}, err
		}
		return Found{}, err
	}
	defer shot.Wipe()
	f := Found{Notice: shot.Notice}
	var texts []string
	var firstErr error
	for _, m := range shot.Images {
		if err := ctx.Err(); err != nil {
			return f, err
		}
		ts, err := importer.ScanQR(m)
		if err != nil {
			if firstErr == nil || errors.Is(firstErr, importer.ErrNoQR) {
				firstErr = err
			}
			continue
		}
		texts = append(texts, ts...)
	}
	if len(texts) == 0 {
		return f, firstErr
	}
	f.Result, err = importer.ImportTexts(texts)
	return f, err
}

// wipeImage zeroes the pixel buffer of the image types capture makes.
func wipeImage(m image.Image) {
	switch p := m.(type) {
	case *image.Gray:
		clear(p.Pix)
	case *image.RGBA:
		clear(p.Pix)
	case *image.NRGBA:
		clear(p.Pix)
	case *image.RGBA64:
		clear(p.Pix)
	case *image.NRGBA64:
		clear(p.Pix)
	case *image.Gray16:
		clear(p.Pix)
	case *image.Paletted:
		clear(p.Pix)
	case *image.YCbCr:
		clear(p.Y)
		clear(p.Cb)
		clear(p.Cr)
	case *image.NYCbCrA:
		clear(p.Y)
		clear(p.Cb)
		clear(p.Cr)
		clear(p.A)
	}
}

// getenv is os.Getenv; one place to read the session's variables.
func getenv(k string) string { return os.Getenv(k) }
