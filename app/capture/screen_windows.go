//go:build windows

package capture

import (
	"context"
	"fmt"
	"image"

	"github.com/kbinani/screenshot"
)

// screen captures every display through GDI (kbinani/screenshot's Windows
// code calls user32 and gdi32 through syscall: no cgo).
func screen(ctx context.Context) (*Shot, error) {
	n := screenshot.NumActiveDisplays()
	if n == 0 {
		return nil, ErrNoDisplay
	}
	shot := &Shot{Source: "windows"}
	for i := range n {
		if err := ctx.Err(); err != nil {
			shot.Wipe()
			return nil, err
		}
		img, err := screenshot.CaptureDisplay(i)
		if err != nil {
			shot.Wipe()
			return nil, fmt.Errorf("capture display %d: %w", i+1, err)
		}
		shot.Images = append(shot.Images, image.Image(img))
	}
	return shot, nil
}
