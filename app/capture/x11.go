//go:build linux || freebsd || openbsd || netbsd

package capture

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"log"
	"math/bits"
	"sync"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// stripBytes bounds one GetImage reply: the screen is read in strips of
// rows, each converted to luminance and zeroed, so the only full-size
// buffer is the one-byte-a-pixel result.
const stripBytes = 4 << 20

var quietXGB sync.Once

// x11Screens captures every screen of an X display as luminance.
func x11Screens(ctx context.Context, display string) (*Shot, error) {
	quietXGB.Do(func() { xgb.Logger = log.New(io.Discard, "", 0) }) // it prints to stderr otherwise
	c, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("connect to the X display %s: %w", display, err)
	}
	stop := context.AfterFunc(ctx, c.Close)
	defer func() {
		if stop() {
			c.Close()
		}
	}()
	setup := xproto.Setup(c)
	shot := &Shot{Source: "x11"}
	for i := range setup.Roots {
		g, err := x11Screen(c, setup, &setup.Roots[i])
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			if g != nil {
				clear(g.Pix)
			}
			shot.Wipe()
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("capture X screen %d of %s: %w", i, display, err)
		}
		shot.Images = append(shot.Images, g)
	}
	if len(shot.Images) == 0 {
		return nil, fmt.Errorf("the X display %s has no screen", display)
	}
	return shot, nil
}

// pixelFormat says how to turn one screen's pixels into luminance.
type pixelFormat struct {
	bpp       int // bits per pixel: 8, 16, 24 or 32
	stride    int // bytes per row, with the scanline padding
	bigEndian bool
	// TrueColor and DirectColor: the channel masks and shifts.
	masks, shifts, widths [3]uint32
	// Palette visuals (PseudoColor, StaticColor, grey scales): the
	// luminance of each pixel value.
	lut []byte
}

func x11Format(c *xgb.Conn, setup *xproto.SetupInfo, scr *xproto.ScreenInfo, width int) (*pixelFormat, error) {
	pf := &pixelFormat{bigEndian: setup.ImageByteOrder == xproto.ImageOrderMSBFirst}
	for _, f := range setup.PixmapFormats {
		if f.Depth == scr.RootDepth {
			pf.bpp = int(f.BitsPerPixel)
			pad := int(f.ScanlinePad)
			pf.stride = (width*pf.bpp + pad - 1) / pad * pad / 8
		}
	}
	var vis *xproto.VisualInfo
	for _, d := range scr.AllowedDepths {
		for i := range d.Visuals {
			if d.Visuals[i].VisualId == scr.RootVisual {
				vis = &d.Visuals[i]
			}
		}
	}
	if vis == nil || pf.bpp == 0 {
		return nil, errors.New("the root window's visual is not described by the server")
	}
	switch pf.bpp {
	case 8, 16, 24, 32:
	default:
		return nil, fmt.Errorf("%d bits a pixel is not a screen format wardkey reads", pf.bpp)
	}
	if vis.Class == xproto.VisualClassTrueColor || vis.Class == xproto.VisualClassDirectColor {
		// DirectColor is read as TrueColor: its colormaps are nearly
		// always the identity.
		for i, m := range []uint32{vis.RedMask, vis.GreenMask, vis.BlueMask} {
			if m == 0 {
				return nil, errors.New("the screen's visual has an empty colour mask")
			}
			pf.masks[i] = m
			pf.shifts[i] = uint32(bits.TrailingZeros32(m))
			pf.widths[i] = uint32(bits.OnesCount32(m))
		}
		return pf, nil
	}
	// A palette (PseudoColor, StaticColor, grey scales): the luminance of
	// each of the colormap's entries.
	if pf.bpp != 8 {
		return nil, fmt.Errorf("a %d-bit palette screen is not a format wardkey reads", pf.bpp)
	}
	pixels := make([]uint32, min(256, max(int(vis.ColormapEntries), 2)))
	for i := range pixels {
		pixels[i] = uint32(i)
	}
	r, err := xproto.QueryColors(c, scr.DefaultColormap, pixels).Reply()
	if err != nil {
		return nil, fmt.Errorf("read the screen's palette: %w", err)
	}
	pf.lut = make([]byte, 256)
	for i := range pf.lut {
		pf.lut[i] = 255
	}
	for i, col := range r.Colors {
		pf.lut[i] = lum8(uint32(col.Red>>8), uint32(col.Green>>8), uint32(col.Blue>>8))
	}
	return pf, nil
}

// x11Screen reads one screen's root window, a strip of rows at a time.
func x11Screen(c *xgb.Conn, setup *xproto.SetupInfo, scr *xproto.ScreenInfo) (*image.Gray, error) {
	w, h := int(scr.WidthInPixels), int(scr.HeightInPixels)
	pf, err := x11Format(c, setup, scr, w)
	if err != nil {
		return nil, err
	}
	g := image.NewGray(image.Rect(0, 0, w, h))
	rows := max(1, stripBytes/max(pf.stride, 1))
	for y := 0; y < h; y += rows {
		n := min(rows, h-y)
		r, err := xproto.GetImage(c, xproto.ImageFormatZPixmap, xproto.Drawable(scr.Root),
			0, int16(y), uint16(w), uint16(n), 0xffffffff).Reply()
		if err != nil {
			return g, err
		}
		if len(r.Data) < n*pf.stride {
			clear(r.Data)
			return g, fmt.Errorf("the server sent %d bytes for %d rows", len(r.Data), n)
		}
		for dy := range n {
			pf.row(g.Pix[(y+dy)*g.Stride:(y+dy)*g.Stride+w], r.Data[dy*pf.stride:])
		}
		clear(r.Data)
	}
	return g, nil
}

// row converts one row of server pixels to luminance.
func (pf *pixelFormat) row(dst, src []byte) {
	if pf.bpp == 32 && !pf.bigEndian && pf.lut == nil && pf.masks == [3]uint32{0xff0000, 0xff00, 0xff} {
		for x := range dst { // the common case: B, G, R, X bytes
			p := src[4*x : 4*x+3 : 4*x+3]
			dst[x] = lum8(uint32(p[2]), uint32(p[1]), uint32(p[0]))
		}
		return
	}
	for x := range dst {
		var v uint32
		switch pf.bpp {
		case 8:
			v = uint32(src[x])
		case 16:
			if pf.bigEndian {
				v = uint32(binary.BigEndian.Uint16(src[2*x:]))
			} else {
				v = uint32(binary.LittleEndian.Uint16(src[2*x:]))
			}
		case 24:
			p := src[3*x : 3*x+3]
			if pf.bigEndian {
				v = uint32(p[0])<<16 | uint32(p[1])<<8 | uint32(p[2])
			} else {
				v = uint32(p[2])<<16 | uint32(p[1])<<8 | uint32(p[0])
			}
		case 32:
			if pf.bigEndian {
				v = binary.BigEndian.Uint32(src[4*x:])
			} else {
				v = binary.LittleEndian.Uint32(src[4*x:])
			}
		}
		if pf.lut != nil {
			dst[x] = pf.lut[v&0xff]
			continue
		}
		var ch [3]uint32
		for i := range ch {
			c := (v & pf.masks[i]) >> pf.shifts[i]
			if wd := pf.widths[i]; wd < 8 { // widen to 8 bits
				c = c * 255 / (1<<wd - 1)
			} else if wd > 8 {
				c >>= wd - 8
			}
			ch[i] = c
		}
		dst[x] = lum8(ch[0], ch[1], ch[2])
	}
}

// lum8 is ITU-R BT.601 luminance of 8-bit channels, as image/color does.
func lum8(r, g, b uint32) byte {
	return byte((19595*r + 38470*g + 7471*b + 1<<15) >> 16)
}
