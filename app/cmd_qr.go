//go:build !wardkey_lean

package app

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/wardkey/wardkey/importer/otpauth"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

// cmdQR shows an account's otpauth:// QR code, to move it to a phone or
// another app: drawn in the terminal with half-block characters, or
// written as a PNG with --png.
func cmdQR(e *env, args []string) error {
	fs := e.flags("qr")
	pngOut := fs.String("png", "", "write the QR code to this PNG file (0600) instead of drawing it")
	force := fs.Bool("force", false, "overwrite the --png file if it exists")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("qr takes one QUERY")
	}
	if err := e.checkPlaintext("showing an account's secret as a QR code"); err != nil {
		return err
	}
	if *pngOut != "" && !*force {
		if err := refuseExisting(*pngOut); err != nil {
			return err
		}
	}
	v, a, err := e.openAndFind(pos[0])
	if err != nil {
		return err
	}
	defer v.Close()
	m, err := qrMatrix(otpauth.Format(a))
	if err != nil {
		return fmt.Errorf("make the QR code of %s: %w", label(a), err)
	}
	e.audit(v, audit.Event{Event: audit.Export, Account: a.ID, Detail: map[string]any{"format": "qr"}})
	if a.Type == vault.HOTP {
		fmt.Fprintf(e.err, "wardkey: %s counts codes: once both hold it, the phone and wardkey each keep their own counter\n", label(a))
	}
	if *pngOut != "" {
		b, err := qrPNG(m, 8)
		if err != nil {
			return err
		}
		if err := writePlainFile(*pngOut, b, *force); err != nil {
			return err
		}
		fmt.Fprintf(e.err, "wardkey: wrote the QR code of %s to %s; it holds the secret: delete the file once it is scanned\n", label(a), *pngOut)
		return nil
	}
	fmt.Fprintf(e.err, "wardkey: %s: scan it with the authenticator app; it holds the secret, so clear the screen afterwards\n", label(a))
	drawQR(e.raw, m, isTerminal(e.raw))
	return nil
}

// qrMatrix encodes text as a QR code with error correction M and a quiet
// zone of 4 modules (the standard's minimum), one matrix cell per module.
func qrMatrix(text string) (*gozxing.BitMatrix, error) {
	return qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0,
		map[gozxing.EncodeHintType]any{
			gozxing.EncodeHintType_ERROR_CORRECTION: "M",
			gozxing.EncodeHintType_MARGIN:           4,
		})
}

// drawQR draws a QR code two modules per character cell, with the upper
// and lower half blocks. The light modules are drawn (as the characters'
// foreground) and the dark ones left blank, so on the usual light-on-dark
// terminal the code comes out dark on light, as cameras expect. On a
// terminal, colours (bright white on black) make that so whatever the
// terminal's theme.
func drawQR(w io.Writer, m *gozxing.BitMatrix, colour bool) {
	width, height := m.GetWidth(), m.GetHeight()
	light := func(x, y int) bool { return y >= height || !m.Get(x, y) }
	var sb strings.Builder
	for y := 0; y < height; y += 2 {
		if colour {
			sb.WriteString("\x1b[97;40m")
		}
		for x := range width {
			switch top, bottom := light(x, y), light(x, y+1); {
			case top && bottom:
				sb.WriteRune('█')
			case top:
				sb.WriteRune('▀')
			case bottom:
				sb.WriteRune('▄')
			default:
				sb.WriteByte(' ')
			}
		}
		if colour {
			sb.WriteString("\x1b[0m")
		}
		sb.WriteByte('\n')
	}
	_, _ = io.WriteString(w, sb.String())
}

// qrPNG renders a QR code as a grey-scale PNG, scale pixels per module,
// black on white.
func qrPNG(m *gozxing.BitMatrix, scale int) ([]byte, error) {
	w, h := m.GetWidth(), m.GetHeight()
	img := image.NewGray(image.Rect(0, 0, w*scale, h*scale))
	for y := range h * scale {
		for x := range w * scale {
			c := color.Gray{Y: 255}
			if m.Get(x/scale, y/scale) {
				c.Y = 0
			}
			img.SetGray(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
