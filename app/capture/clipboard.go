package capture

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os/exec"
	"runtime"
	"strings"

	"github.com/wardkey/wardkey/importer"
)

// maxClipboard bounds what is read from the clipboard: a PNG screenshot
// of a large screen fits.
const maxClipboard = 64 << 20

// clipTool runs one clipboard program.
type clipTool struct {
	name  string
	types []string // lists the clipboard's types
	read  func(typ string) []string
	clear []string // empties the clipboard
}

// clipTools in order of preference; Wayland first where it runs.
func clipTools() []clipTool {
	wl := clipTool{
		name:  "wl-paste",
		types: []string{"wl-paste", "--list-types"},
		read:  func(t string) []string { return []string{"wl-paste", "--no-newline", "--type", t} },
		clear: []string{"wl-copy", "--clear"},
	}
	x := clipTool{
		name:  "xclip",
		types: []string{"xclip", "-selection", "clipboard", "-t", "TARGETS", "-o"},
		read:  func(t string) []string { return []string{"xclip", "-selection", "clipboard", "-t", t, "-o"} },
		clear: []string{"xclip", "-selection", "clipboard", "-i", "/dev/null"},
	}
	switch runtime.GOOS {
	case "darwin": // text only: pbpaste offers no PNG
		return []clipTool{{
			name:  "pbpaste",
			read:  func(string) []string { return []string{"pbpaste"} },
			clear: []string{"pbcopy"},
		}}
	case "windows": // text only
		return []clipTool{{
			name:  "powershell",
			read:  func(string) []string { return []string{"powershell", "-NoProfile", "-Command", "Get-Clipboard -Raw"} },
			clear: []string{"powershell", "-NoProfile", "-Command", "Set-Clipboard -Value $null"},
		}}
	}
	var out []clipTool
	if getenv("WAYLAND_DISPLAY") != "" {
		out = append(out, wl)
	}
	if getenv("DISPLAY") != "" {
		out = append(out, x)
	}
	return out
}

// Clip is what was read from the clipboard: an image, or text holding
// otpauth URIs.
type Clip struct {
	Image image.Image // nil for text
	Text  []byte      // nil for an image
	raw   []byte      // the bytes as read, to see whether they are still there
	typ   string
	tool  clipTool
}

// Clipboard reads the clipboard: an image/png if it offers one, else its
// text, which must hold an otpauth:// or otpauth-migration:// URI
// (ErrEmptyClipboard otherwise). ErrNoClipboard: no wl-paste (Wayland) or
// xclip (X11) for this session.
func Clipboard(ctx context.Context) (*Clip, error) {
	var tool clipTool
	for _, t := range clipTools() {
		_, err1 := exec.LookPath(t.read("")[0])
		_, err2 := exec.LookPath(t.clear[0])
		if err1 == nil && err2 == nil {
			tool = t
			break
		}
	}
	if tool.name == "" {
		return nil, ErrNoClipboard
	}
	types := []string{"text/plain"}
	if tool.types != nil {
		out, err := runTool(ctx, tool.types)
		if err != nil {
			return nil, ErrEmptyClipboard // an empty clipboard makes both tools fail
		}
		types = strings.Fields(string(out))
	}
	c := &Clip{tool: tool}
	switch {
	case contains(types, "image/png"):
		c.typ = "image/png"
	case contains(types, "text/plain;charset=utf-8"):
		c.typ = "text/plain;charset=utf-8"
	case contains(types, "UTF8_STRING"):
		c.typ = "UTF8_STRING"
	case contains(types, "text/plain"):
		c.typ = "text/plain"
	case contains(types, "STRING"):
		c.typ = "STRING"
	default:
		return nil, ErrEmptyClipboard
	}
	var err error
	c.raw, err = runTool(ctx, tool.read(c.typ))
	if err != nil {
		return nil, fmt.Errorf("read the clipboard with %s: %w", tool.name, err)
	}
	if c.typ == "image/png" {
		img, err := decodePNG(c.raw)
		if err != nil {
			c.Wipe()
			return nil, err
		}
		c.Image = img
		return c, nil
	}
	if !hasOTP(c.raw) {
		c.Wipe()
		return nil, ErrEmptyClipboard
	}
	c.Text = c.raw
	return c, nil
}

// hasOTP reports whether text holds an otpauth or otpauth-migration URI.
// It copies nothing (the text holds secrets).
func hasOTP(b []byte) bool {
	for i := range b {
		for _, p := range []string{"otpauth://", "otpauth-migration://"} {
			if len(b)-i >= len(p) && strings.EqualFold(string(b[i:i+len(p)]), p) {
				return true
			}
		}
	}
	return false
}

// ClearIfUnchanged empties the clipboard if it still holds what was read,
// and reports whether it did. Something copied since is left alone.
func (c *Clip) ClearIfUnchanged(ctx context.Context) (bool, error) {
	now, err := runTool(ctx, c.tool.read(c.typ))
	same := err == nil && bytes.Equal(now, c.raw)
	clear(now)
	if !same {
		return false, nil
	}
	// Standard output is not read: xclip leaves a child serving the empty
	// selection, which would hold a pipe open.
	cmd := exec.CommandContext(ctx, c.tool.clear[0], c.tool.clear[1:]...)
	if c.tool.name == "pbpaste" {
		cmd.Stdin = strings.NewReader("")
	}
	if err := cmd.Run(); err != nil {
		return false, fmt.Errorf("clear the clipboard with %s: %w", c.tool.clear[0], err)
	}
	return true, nil
}

// Wipe zeroes what was read.
func (c *Clip) Wipe() {
	clear(c.raw)
	if c.Image != nil {
		wipeImage(c.Image)
	}
}

// FindOnClipboard reads the clipboard, returns the accounts of its QR
// codes or URIs with everything read wiped, and clears the clipboard if it
// still holds what was read (Found.Notice says so).
func FindOnClipboard(ctx context.Context) (Found, error) {
	c, err := Clipboard(ctx)
	if err != nil {
		return Found{}, err
	}
	defer c.Wipe()
	var f Found
	if c.Image != nil {
		f.Result, err = importer.ImportImage(c.Image, importer.Options{})
	} else {
		f.Result, err = importer.Import(c.Text, importer.Options{})
	}
	if err != nil {
		return f, err
	}
	cleared, cerr := c.ClearIfUnchanged(ctx)
	switch {
	case cerr != nil:
		f.Notice = "the clipboard could not be cleared: " + cerr.Error()
	case cleared:
		f.Notice = "the clipboard was cleared"
	default:
		f.Notice = "the clipboard changed since it was read and was left alone"
	}
	return f, nil
}

// runTool runs a clipboard program and returns its standard output (in
// memory only), bounded.
func runTool(ctx context.Context, argv []string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	b, rerr := io.ReadAll(io.LimitReader(out, maxClipboard+1))
	io.Copy(io.Discard, out)
	werr := cmd.Wait()
	switch {
	case rerr != nil:
		clear(b)
		return nil, rerr
	case werr != nil:
		clear(b)
		return nil, werr
	case len(b) > maxClipboard:
		clear(b)
		return nil, fmt.Errorf("the clipboard holds over %d MiB", maxClipboard>>20)
	}
	return b, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// decodePNG decodes a PNG (the portal's file, the clipboard's image),
// checking its size before decoding.
func decodePNG(data []byte) (image.Image, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, errors.New("the picture is not a PNG image wardkey can read")
	}
	if int64(cfg.Width)*int64(cfg.Height) > importer.MaxPixels {
		return nil, fmt.Errorf("the picture is %d×%d pixels: %w", cfg.Width, cfg.Height, importer.ErrTooLarge)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, errors.New("the picture is not a PNG image wardkey can read")
	}
	return img, nil
}
