package importer

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color/palette"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/wardkey/wardkey/importer/migration"
)

// qrImage encodes text with qrencode (the reference encoder) at scale
// pixels a module with a margin of margin modules.
func qrImage(t testing.TB, text string, scale, margin int) image.Image {
	t.Helper()
	needTool(t, "qrencode")
	out, err := exec.Command("qrencode", "-s", fmt.Sprint(scale), "-m", fmt.Sprint(margin), "-o", "-", text).Output()
	if err != nil {
		t.Fatalf("qrencode: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// goQR encodes text with gozxing's writer (no tool needed: fuzzing).
func goQR(text string, side int) (image.Image, error) {
	bm, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, side, side, nil)
	if err != nil {
		return nil, err
	}
	img := image.NewGray(image.Rect(0, 0, bm.GetWidth(), bm.GetHeight()))
	for y := range bm.GetHeight() {
		for x := range bm.GetWidth() {
			if !bm.Get(x, y) {
				img.Pix[y*img.Stride+x] = 255
			}
		}
	}
	return img, nil
}

// tile lays imgs out in a grid of cols columns on white, gap pixels apart.
func tile(imgs []image.Image, cols, gap int) *image.Gray {
	cw, ch := 0, 0
	for _, m := range imgs {
		cw, ch = max(cw, m.Bounds().Dx()), max(ch, m.Bounds().Dy())
	}
	rows := (len(imgs) + cols - 1) / cols
	out := image.NewGray(image.Rect(0, 0, cols*(cw+gap)+gap, rows*(ch+gap)+gap))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	for i, m := range imgs {
		at := image.Pt(gap+(i%cols)*(cw+gap), gap+(i/cols)*(ch+gap))
		draw.Draw(out, m.Bounds().Sub(m.Bounds().Min).Add(at), m, m.Bounds().Min, draw.Src)
	}
	return out
}

func writePNG(t testing.TB, path string, img image.Image) {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// tiled256 is 256 copies of one small code, 16 by 16, as in the report
// (a 3.5 KB PNG that took gozxing's multi reader 234 s and 3.5 GB).
func tiled256(t testing.TB) *image.Gray {
	c := qrImage(t, "otpauth://totp/A?secret=JBSWY3DPEHPK3PXP", 2, 1)
	imgs := make([]image.Image, 256)
	for i := range imgs {
		imgs[i] = c
	}
	return tile(imgs, 16, 0)
}

// TestScanQRCodes: every code of an image is read, at least what zbarimg
// reads, and an image with too many codes is refused quickly with nothing
// decoded.
func TestScanQRCodes(t *testing.T) {
	needTool(t, "zbarimg")
	mig, err := migration.Encode(mustAccounts(t, 12), 6)
	if err != nil || len(mig) != 2 {
		t.Fatalf("%d codes, %v", len(mig), err)
	}
	many := make([]image.Image, 40)
	var manyTexts []string
	for i := range many {
		s := fmt.Sprintf("otpauth://totp/Clinic:u%d?secret=JBSWY3DPEHPK3PXP", i)
		manyTexts = append(manyTexts, s)
		many[i] = qrImage(t, s, 3, 2)
	}
	for _, tc := range []struct {
		name string
		img  func() image.Image
		want []string // nil: ErrTooManyCodes
	}{
		{"two google exports side by side", func() image.Image {
			return tile([]image.Image{qrImage(t, mig[0], 4, 4), qrImage(t, mig[1], 4, 4)}, 2, 40)
		}, mig},
		{"two google exports, one above the other, small", func() image.Image {
			return tile([]image.Image{qrImage(t, mig[0], 2, 4), qrImage(t, mig[1], 2, 4)}, 1, 10)
		}, mig},
		{"two codes of different sizes", func() image.Image {
			return tile([]image.Image{qrImage(t, uriA, 12, 4), qrImage(t, uriB, 2, 4)}, 2, 10)
		}, []string{uriA, uriB}},
		{"two google exports on a 4K screen, one with one-pixel modules", func() image.Image {
			page := image.NewGray(image.Rect(0, 0, 3840, 2160))
			draw.Draw(page, page.Bounds(), image.White, image.Point{}, draw.Src)
			big, small := qrImage(t, mig[0], 8, 4), qrImage(t, mig[1], 1, 4)
			draw.Draw(page, big.Bounds().Add(image.Pt(100, 100)), big, image.Point{}, draw.Src)
			draw.Draw(page, small.Bounds().Add(image.Pt(1800, 900)), small, image.Point{}, draw.Src)
			return page
		}, mig},
		{"sixteen codes", func() image.Image { return tile(many[:16], 4, 8) }, manyTexts[:16]},
		{"forty codes", func() image.Image { return tile(many, 8, 8) }, nil},
		{"256 tiled codes", func() image.Image { return tiled256(t) }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := tc.img()
			start := time.Now()
			texts, err := ScanQR(img)
			took := time.Since(start)
			if tc.want == nil {
				if !errors.Is(err, ErrTooManyCodes) || texts != nil {
					t.Fatalf("%d codes, err %v; want ErrTooManyCodes", len(texts), err)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if got, want := slices.Sorted(slices.Values(texts)), slices.Sorted(slices.Values(tc.want)); !slices.Equal(got, want) {
					t.Errorf("read %d codes, want %d", len(got), len(want))
				}
				p := filepath.Join(t.TempDir(), "x.png")
				writePNG(t, p, img)
				for _, z := range zbar(t, p) {
					if !slices.Contains(texts, z) {
						t.Errorf("zbarimg reads %.40q..., wardkey does not", z)
					}
				}
			}
			t.Logf("%v in %v", img.Bounds().Size(), took)
		})
	}
	// Through ImportImage: the two exports are one complete batch.
	res, err := ImportImage(tile([]image.Image{qrImage(t, mig[0], 4, 4), qrImage(t, mig[1], 4, 4)}, 2, 40), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Accounts) != 12 || len(MissingBatches(res.Batches)) != 0 {
		t.Errorf("%d accounts, missing %v", len(res.Accounts), MissingBatches(res.Batches))
	}
}

// TestScanQRPixelFormats: screen formats other than 24-bit colour.
func TestScanQRPixelFormats(t *testing.T) {
	src := tile([]image.Image{qrImage(t, uriB, 4, 4)}, 1, 100)
	b := src.Bounds()
	pal := image.NewPaletted(b, palette.WebSafe)
	draw.Draw(pal, b, src, b.Min, draw.Src)
	g16 := image.NewGray16(b)
	draw.Draw(g16, b, src, b.Min, draw.Src)
	rgb565 := image.NewRGBA64(b)
	draw.Draw(rgb565, b, src, b.Min, draw.Src)
	n64 := image.NewNRGBA64(b)
	draw.Draw(n64, b, src, b.Min, draw.Src)
	ny := image.NewNYCbCrA(b, image.YCbCrSubsampleRatio420)
	for _, tc := range []struct {
		name string
		img  image.Image
		want error
	}{
		{"palette", pal, nil},
		{"gray16", g16, nil},
		{"rgba64", rgb565, nil},
		{"nrgba64", n64, nil},
		{"blank nycbcra", ny, ErrNoQR},
		{"empty", image.NewGray(image.Rect(0, 0, 0, 0)), errors.New("the image is empty")},
		{"too large", image.NewGray(image.Rect(0, 0, 1, MaxPixels+1)), ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			texts, err := ScanQR(tc.img)
			switch {
			case tc.want == nil && (err != nil || len(texts) != 1 || texts[0] != uriB):
				t.Errorf("%d codes, %v", len(texts), err)
			case tc.want != nil && (err == nil || !(errors.Is(err, tc.want) || err.Error() == tc.want.Error())):
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// BenchmarkScanTiled256 is the bounded-work budget of DESIGN.md: any image
// within 2 s and 256 MB (B/op is every byte allocated, an upper bound on the
// peak). The image is the reported one: 256 tiled codes.
func BenchmarkScanTiled256(b *testing.B) {
	img := tiled256(b)
	var buf bytes.Buffer
	png.Encode(&buf, img)
	b.Logf("%v image, %d bytes as PNG", img.Bounds().Size(), buf.Len())
	b.ReportAllocs()
	before := totalAlloc()
	for b.Loop() {
		if _, err := Import(buf.Bytes(), Options{}); !errors.Is(err, ErrTooManyCodes) {
			b.Fatal(err)
		}
	}
	checkBudget(b, before)
}

// BenchmarkScanMany32: the most codes wardkey reads, on a 4K page.
func BenchmarkScanMany32(b *testing.B) {
	var imgs []image.Image
	for i := range MaxCodes {
		imgs = append(imgs, qrImage(b, fmt.Sprintf("otpauth://totp/C:u%d?secret=JBSWY3DPEHPK3PXP", i), 4, 4))
	}
	t := tile(imgs, 8, 200)
	page := image.NewGray(image.Rect(0, 0, 3840, 2160))
	draw.Draw(page, page.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(page, t.Bounds(), t, image.Point{}, draw.Src)
	b.ReportAllocs()
	before := totalAlloc()
	for b.Loop() {
		texts, err := ScanQR(page)
		if err != nil || len(texts) != MaxCodes {
			b.Fatalf("%d codes, %v", len(texts), err)
		}
	}
	checkBudget(b, before)
}

// BenchmarkScanNoise40MP: the largest image allowed, all noise (every
// pass runs, nothing is found).
func BenchmarkScanNoise40MP(b *testing.B) {
	img := image.NewGray(image.Rect(0, 0, 8000, 5000))
	x := uint32(1)
	for i := range img.Pix {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		img.Pix[i] = byte(x)
	}
	b.ReportAllocs()
	before := totalAlloc()
	for b.Loop() {
		if _, err := ScanQR(img); !errors.Is(err, ErrNoQR) && !errors.Is(err, ErrTooManyCodes) {
			b.Fatal(err)
		}
	}
	checkBudget(b, before)
}

// checkBudget fails a benchmark over 2 s or 256 MB allocated per image
// (every byte allocated: an upper bound on the peak). Call it with the
// runtime's TotalAlloc from before the loop.
func checkBudget(b *testing.B, before uint64) {
	b.Helper()
	if b.N == 0 {
		return
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	per := b.Elapsed() / time.Duration(b.N)
	if per > 2*time.Second {
		b.Errorf("%v per image: over the 2 s budget", per)
	}
	if alloc := (m.TotalAlloc - before) / uint64(b.N); alloc > 256<<20 {
		b.Errorf("%d MB allocated per image: over the 256 MB budget", alloc>>20)
	}
}

// totalAlloc is the runtime's count of bytes allocated so far.
func totalAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// FuzzScanQRMany: images of many codes (gozxing's writer, no tools), laid
// out by the fuzzer. Whatever the layout, ScanQR returns only texts that
// are in the image, at most MaxCodes, or an error; it never panics.
func FuzzScanQRMany(f *testing.F) {
	f.Add(uint8(2), uint8(40), uint8(0), uint8(0), []byte("a"))
	f.Add(uint8(16), uint8(25), uint8(2), uint8(1), []byte("b"))
	f.Add(uint8(200), uint8(21), uint8(0), uint8(0), []byte{})
	f.Add(uint8(40), uint8(30), uint8(5), uint8(3), []byte("skew"))
	type key struct{ i, side int }
	codes := map[key]image.Image{} // the writer is slow: each code once
	f.Fuzz(func(t *testing.T, n, side, gap, shift uint8, noise []byte) {
		count := int(n)%256 + 1
		s := int(side)%60 + 21
		var imgs []image.Image
		var texts []string
		for i := range count {
			txt := fmt.Sprintf("otpauth://totp/F:%d?secret=JBSWY3DPEHPK3PXP", i%7)
			img, ok := codes[key{i % 7, s}]
			if !ok {
				var err error
				if img, err = goQR(txt, s); err != nil {
					return
				}
				codes[key{i % 7, s}] = img
			}
			texts = append(texts, txt)
			imgs = append(imgs, img)
		}
		cols := int(shift)%16 + 1
		page := tile(imgs, cols, int(gap)%16)
		if int64(page.Bounds().Dx())*int64(page.Bounds().Dy()) > 1_000_000 {
			return
		}
		for i, v := range noise { // the fuzzer's bytes scribbled over the page
			p := (i * 7919 * (int(v) + 1)) % len(page.Pix)
			page.Pix[p] = v
		}
		got, err := ScanQR(page)
		if err != nil {
			return
		}
		if len(got) > MaxCodes {
			t.Fatalf("%d codes", len(got))
		}
		for _, g := range got {
			if !slices.Contains(texts, g) {
				t.Fatalf("read %q, which is not in the image", g)
			}
		}
	})
}
