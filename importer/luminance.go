package importer

import (
	"errors"
	"image"
	"image/color"

	"github.com/makiuchi-d/gozxing"
)

// lumSource is a gozxing.LuminanceSource over a luminance plane (one byte a
// pixel, row-major, no padding). gozxing's own image source reads pixels
// one by one through image.At, which allocates for every pixel; converting
// once with fast paths per image type is several times faster.
type lumSource struct {
	w, h int
	pix  []byte
}

var _ gozxing.LuminanceSource = (*lumSource)(nil)

func (s *lumSource) GetRow(y int, row []byte) ([]byte, error) {
	if y < 0 || y >= s.h {
		return row, errors.New("row outside the image")
	}
	if len(row) < s.w {
		row = make([]byte, s.w)
	}
	copy(row, s.pix[y*s.w:(y+1)*s.w])
	return row, nil
}

func (s *lumSource) GetMatrix() []byte     { return s.pix }
func (s *lumSource) GetWidth() int         { return s.w }
func (s *lumSource) GetHeight() int        { return s.h }
func (s *lumSource) IsCropSupported() bool { return true }

func (s *lumSource) Crop(left, top, width, height int) (gozxing.LuminanceSource, error) {
	if left < 0 || top < 0 || width <= 0 || height <= 0 || left+width > s.w || top+height > s.h {
		return nil, errors.New("crop outside the image")
	}
	out := &lumSource{w: width, h: height, pix: make([]byte, width*height)}
	for y := 0; y < height; y++ {
		copy(out.pix[y*width:(y+1)*width], s.pix[(top+y)*s.w+left:])
	}
	return out, nil
}

func (s *lumSource) IsRotateSupported() bool { return true }

func (s *lumSource) RotateCounterClockwise() (gozxing.LuminanceSource, error) {
	out := &lumSource{w: s.h, h: s.w, pix: make([]byte, len(s.pix))}
	for y := 0; y < s.h; y++ {
		for x := 0; x < s.w; x++ {
			// (x, y) goes to (y, w-1-x).
			out.pix[(s.w-1-x)*out.w+y] = s.pix[y*s.w+x]
		}
	}
	return out, nil
}

func (s *lumSource) RotateCounterClockwise45() (gozxing.LuminanceSource, error) {
	return nil, errors.New("rotation by 45 degrees is not supported")
}

func (s *lumSource) Invert() gozxing.LuminanceSource {
	out := &lumSource{w: s.w, h: s.h, pix: make([]byte, len(s.pix))}
	for i, v := range s.pix {
		out.pix[i] = 255 - v
	}
	return out
}

func (s *lumSource) String() string { return gozxing.LuminanceSourceString(s) }

// luma is ITU-R BT.601 luminance of 8-bit r, g, b, as image/color does.
func luma(r, g, b uint32) byte {
	return byte((19595*r + 38470*g + 7471*b + 1<<15) >> 16)
}

// toLuminance converts an image to a luminance plane once, with fast paths
// for the types the standard decoders return. Transparent pixels count as
// white (QR codes are dark on a light page).
func toLuminance(img image.Image) *lumSource {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	s := &lumSource{w: w, h: h, pix: make([]byte, w*h)}
	switch m := img.(type) {
	case *image.YCbCr:
		for y := 0; y < h; y++ {
			off := (b.Min.Y+y-m.Rect.Min.Y)*m.YStride + (b.Min.X - m.Rect.Min.X)
			copy(s.pix[y*w:(y+1)*w], m.Y[off:off+w])
		}
	case *image.Gray:
		for y := 0; y < h; y++ {
			off := m.PixOffset(b.Min.X, b.Min.Y+y)
			copy(s.pix[y*w:(y+1)*w], m.Pix[off:off+w])
		}
	case *image.Gray16: // big-endian: the high byte is enough
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := s.pix[y*w : (y+1)*w]
			for x := range dst {
				dst[x] = row[2*x]
			}
		}
	case *image.RGBA: // premultiplied: composite over white
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := s.pix[y*w : (y+1)*w]
			for x := range dst {
				p := row[4*x : 4*x+4 : 4*x+4]
				l := uint32(luma(uint32(p[0]), uint32(p[1]), uint32(p[2]))) + 255 - uint32(p[3])
				dst[x] = byte(min(l, 255))
			}
		}
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := s.pix[y*w : (y+1)*w]
			for x := range dst {
				p := row[4*x : 4*x+4 : 4*x+4]
				l := uint32(luma(uint32(p[0]), uint32(p[1]), uint32(p[2])))
				if a := uint32(p[3]); a != 255 {
					l = (l*a + 255*(255-a)) / 255
				}
				dst[x] = byte(l)
			}
		}
	case *image.RGBA64: // 16-bit premultiplied, big-endian: the high bytes
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := s.pix[y*w : (y+1)*w]
			for x := range dst {
				p := row[8*x : 8*x+8 : 8*x+8]
				l := uint32(luma(uint32(p[0]), uint32(p[2]), uint32(p[4]))) + 255 - uint32(p[6])
				dst[x] = byte(min(l, 255))
			}
		}
	case *image.NRGBA64: // 16-bit PNGs (ImageMagick writes them)
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := s.pix[y*w : (y+1)*w]
			for x := range dst {
				p := row[8*x : 8*x+8 : 8*x+8]
				l := uint32(luma(uint32(p[0]), uint32(p[2]), uint32(p[4])))
				if a := uint32(p[6]); a != 255 {
					l = (l*a + 255*(255-a)) / 255
				}
				dst[x] = byte(l)
			}
		}
	case *image.Paletted:
		var lut [256]byte
		for i := range lut {
			lut[i] = 255
		}
		for i, c := range m.Palette {
			if i < 256 {
				lut[i] = colorLuma(c)
			}
		}
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := s.pix[y*w : (y+1)*w]
			for x := range dst {
				dst[x] = lut[row[x]]
			}
		}
	default:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				s.pix[y*w+x] = colorLuma(img.At(b.Min.X+x, b.Min.Y+y))
			}
		}
	}
	return s
}

// colorLuma is the luminance of any colour over white.
func colorLuma(c color.Color) byte {
	r, g, b, a := c.RGBA() // premultiplied, 16-bit
	l := (19595*r + 38470*g + 7471*b + 1<<15) >> 24
	l += (0xffff - a) >> 8
	return byte(min(l, 255))
}

// downscale shrinks a plane by an integer factor, averaging each block.
func (s *lumSource) downscale(f int) *lumSource {
	w, h := s.w/f, s.h/f
	out := &lumSource{w: w, h: h, pix: make([]byte, w*h)}
	sum := make([]uint32, w)
	n := uint32(f * f)
	for y := 0; y < h; y++ {
		clear(sum)
		for dy := 0; dy < f; dy++ {
			row := s.pix[(y*f+dy)*s.w:]
			for x := 0; x < w; x++ {
				for dx := 0; dx < f; dx++ {
					sum[x] += uint32(row[x*f+dx])
				}
			}
		}
		dst := out.pix[y*w : (y+1)*w]
		for x := range dst {
			dst[x] = byte(sum[x] / n)
		}
	}
	return out
}

// upscale enlarges a plane by an integer factor (nearest neighbour), for
// codes whose modules are a pixel or two wide.
func (s *lumSource) upscale(f int) *lumSource {
	w, h := s.w*f, s.h*f
	out := &lumSource{w: w, h: h, pix: make([]byte, w*h)}
	for y := 0; y < h; y++ {
		src := s.pix[(y/f)*s.w : (y/f+1)*s.w]
		dst := out.pix[y*w : (y+1)*w]
		for x := range dst {
			dst[x] = src[x/f]
		}
	}
	return out
}

// lowContrast is the spread of luminance (between the 0.5th and 99.5th
// percentiles) below which a plane is stretched before binarizing:
// gozxing's binarizers treat a block whose range is under 24 levels as
// flat, so a washed-out code (a dim screen, a grey-on-grey page) is lost.
const lowContrast = 96

// stretch spreads a low-contrast plane over the whole range, in place. It
// reports whether it changed anything.
func (s *lumSource) stretch() bool {
	var hist [256]int
	for _, v := range s.pix {
		hist[v]++
	}
	cut := len(s.pix) / 200
	lo, hi, n := 0, 255, 0
	for lo < 255 && n+hist[lo] <= cut {
		n += hist[lo]
		lo++
	}
	n = 0
	for hi > 0 && n+hist[hi] <= cut {
		n += hist[hi]
		hi--
	}
	if hi-lo >= lowContrast || hi <= lo {
		return false
	}
	var lut [256]byte
	for i := range lut {
		v := (i - lo) * 255 / (hi - lo)
		lut[i] = byte(min(max(v, 0), 255))
	}
	for i, v := range s.pix {
		s.pix[i] = lut[v]
	}
	return true
}
