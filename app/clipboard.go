//go:build !wardkey_lean

package app

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/wardkey/wardkey/app/tui"
)

// clipboardTimeout bounds every call to a clipboard helper.
const clipboardTimeout = 2 * time.Second

// systemClipboard returns the clipboard of this desktop session through a
// helper program (wl-copy, xclip, xsel, pbcopy), or nil where none is
// installed or no display is set. The code screen sends OSC 52 besides it,
// so copying also works over SSH.
func systemClipboard() tui.Clipboard {
	type tool struct {
		env         string // a variable that must be set ("" none)
		write, read []string
	}
	var tools []tool
	switch runtime.GOOS {
	case "darwin":
		tools = []tool{{"", []string{"pbcopy"}, []string{"pbpaste"}}}
	default:
		tools = []tool{
			{"WAYLAND_DISPLAY", []string{"wl-copy", "--type", "text/plain"}, []string{"wl-paste", "--no-newline"}},
			{"DISPLAY", []string{"xclip", "-selection", "clipboard", "-in"}, []string{"xclip", "-selection", "clipboard", "-out"}},
			{"DISPLAY", []string{"xsel", "--clipboard", "--input"}, []string{"xsel", "--clipboard", "--output"}},
		}
	}
	for _, t := range tools {
		if t.env != "" && os.Getenv(t.env) == "" {
			continue
		}
		if _, err := exec.LookPath(t.write[0]); err != nil {
			continue
		}
		c := &toolClipboard{write: t.write}
		if _, err := exec.LookPath(t.read[0]); err == nil {
			c.read = t.read
		}
		return c
	}
	return nil
}

// toolClipboard runs a helper program per call, each within
// clipboardTimeout.
type toolClipboard struct{ write, read []string }

func (c *toolClipboard) Write(s string) error {
	ctx, cancel := context.WithTimeout(context.Background(), clipboardTimeout)
	defer cancel()
	args := c.write
	if s == "" && args[0] == "wl-copy" {
		args = []string{"wl-copy", "--clear"}
	}
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stdin = strings.NewReader(s)
	// The helpers fork to keep serving the selection: give them no pipes
	// to hold open, or Wait would wait for the fork.
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Run(); err != nil {
		return errors.New("the system clipboard (" + args[0] + ") failed: " + err.Error())
	}
	return nil
}

func (c *toolClipboard) Read() (string, bool) {
	if c.read == nil {
		return "", false
	}
	ctx, cancel := context.WithTimeout(context.Background(), clipboardTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, c.read[0], c.read[1:]...).Output()
	if err != nil {
		return "", false
	}
	return strings.TrimRight(string(out), "\r\n"), true
}
