//go:build !windows && !linux && !freebsd && !openbsd && !netbsd

package capture

import "context"

// screen: macOS (and other systems) cannot capture the screen without
// cgo; the clipboard still works.
func screen(context.Context) (*Shot, error) { return nil, ErrUnsupported }
