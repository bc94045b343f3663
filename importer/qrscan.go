package importer

import (
	"errors"
	"fmt"
	"image"
	"math"
	"slices"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/common"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// Bounds on the work one image can cause. gozxing's multi-code reader tries
// every triple of finder patterns and keeps every plausible one, so its time
// and memory grow about with the cube of the codes in the image (a 3.5 KB
// PNG of 256 codes took minutes and gigabytes). wardkey finds the finder
// patterns itself, refuses an image with too many before any decoding, and
// decodes a bounded number of triples, best-shaped first.
const (
	// MaxCodes is the most QR codes wardkey reads in one image (a set-up
	// page shows one; a Google Authenticator export, one at a time).
	MaxCodes = 32
	// maxCenters is the most finder patterns a binarized image may show:
	// three a code, with room for look-alikes in text and photos.
	maxCenters = 3*MaxCodes + 32
	// maxDecodes is the most finder triples decoded per binarized image.
	maxDecodes = 4 * MaxCodes
	// maxScanPixels bounds the pixels of all passes of one image together.
	maxScanPixels = 3 * MaxPixels / 2
)

// ErrTooManyCodes: an image shows more finder patterns than MaxCodes codes
// would have. Nothing in it is decoded.
var ErrTooManyCodes = fmt.Errorf("the image shows more than %d QR codes", MaxCodes)

// ScanQR returns the text of every QR code in img (at most MaxCodes), each
// once, in the order found. It reads dark-on-light and light-on-dark codes,
// at several scales, and does bounded work on any image. It returns ErrNoQR
// when there is none, ErrTooLarge above MaxPixels and ErrTooManyCodes when
// the image holds more codes than wardkey reads. The luminance copies it
// makes are zeroed before it returns; img itself is left to the caller.
func ScanQR(img image.Image) ([]string, error) {
	b := img.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 {
		return nil, errors.New("the image is empty")
	}
	if int64(b.Dx())*int64(b.Dy()) > MaxPixels {
		return nil, fmt.Errorf("the image is %d×%d pixels, more than %d megapixels: %w", b.Dx(), b.Dy(), MaxPixels/1_000_000, ErrTooLarge)
	}
	src := toLuminance(img)
	defer src.wipe()
	return scanQR(src)
}

// ImportImage reads the QR codes of already-decoded pixels (a screen
// capture, a pasted image) and returns their accounts, as Import does for
// an image file. Format is "image".
func ImportImage(img image.Image, o Options) (Result, error) {
	texts, err := ScanQR(img)
	if err != nil {
		return Result{}, &ParseError{Format: "image", Err: err}
	}
	return ImportTexts(texts)
}

// ImportTexts turns the texts of QR codes (otpauth:// URIs, Google
// Authenticator exports) into a Result, as ImportImage does after reading
// them: for callers that scanned several pictures.
func ImportTexts(texts []string) (Result, error) {
	c := &collector{}
	if err := addTexts(texts, c); err != nil {
		return Result{}, err
	}
	return Result{Format: "image", Accounts: c.accounts, Skipped: c.skipped, Batches: c.batches}, nil
}

// wipe zeroes the plane.
func (s *lumSource) wipe() { clear(s.pix) }

// scanQR finds every QR code in a luminance plane. Passes, cheapest first:
// downscaled (large images, blurred codes), full size, enlarged (tiny
// modules). A washed-out plane is first stretched to full contrast. Each
// pass is binarized two ways (hybrid for photos, global for
// flat screens), each read as is and inverted. The scan stops once a
// binarization has read codes and left no unexplained finder patterns, and
// not before the full-size pass (a screen with a large code and a tiny one).
func scanQR(src *lumSource) ([]string, error) {
	src.stretch() // src is the caller's own copy
	var sc qrScan
	px := src.w * src.h
	var scales []int // >0: downscale by it; 1: as is; <0: upscale by -it
	if px > firstPassPixels {
		f := 2
		for px/(f*f) > firstPassPixels {
			f++
		}
		scales = append(scales, f)
	}
	scales = append(scales, 1)
	if px <= firstPassPixels && min(src.w, src.h) >= 100 {
		scales = append(scales, 2) // blur spread over many pixels
	}
	if min(src.w, src.h) <= smallImage {
		scales = append(scales, -3)
	}
	budget := maxScanPixels
	for _, f := range scales {
		s := src
		switch {
		case f > 1:
			s = src.downscale(f)
		case f < 0:
			s = src.upscale(-f)
		}
		done, err := sc.pass(s, &budget)
		if s != src {
			s.wipe()
		}
		if err != nil {
			return nil, err
		}
		// A downscaled pass cannot see codes of one-pixel modules, nor
		// their finder patterns: the full-size pass always follows it.
		if done && f <= 1 {
			break
		}
	}
	if len(sc.texts) == 0 {
		return nil, ErrNoQR
	}
	return sc.texts, nil
}

// qrScan gathers the texts of one image across passes.
type qrScan struct {
	texts []string
}

// add keeps a new text; one more than MaxCodes is ErrTooManyCodes.
func (sc *qrScan) add(t string) error {
	if slices.Contains(sc.texts, t) {
		return nil
	}
	if len(sc.texts) == MaxCodes {
		return ErrTooManyCodes
	}
	sc.texts = append(sc.texts, t)
	return nil
}

// pass reads one plane with each binarizer, as is and inverted. done
// reports that the image needs no further pass.
func (sc *qrScan) pass(s *lumSource, budget *int) (done bool, err error) {
	bins := []func(gozxing.LuminanceSource) gozxing.Binarizer{gozxing.NewHybridBinarizer, gozxing.NewGlobalHistgramBinarizer}
	for _, bin := range bins {
		if *budget < s.w*s.h {
			return true, nil
		}
		*budget -= s.w * s.h
		bm, err := bin(s).GetBlackMatrix()
		if err != nil {
			continue
		}
		for inverted := range 2 {
			if inverted == 1 {
				bm.FlipAll()
			}
			n, left, err := sc.read(bm)
			if err != nil {
				bm.Clear()
				return true, err
			}
			if n > 0 && left < 3 {
				bm.Clear()
				return true, nil
			}
		}
		bm.Clear()
	}
	return false, nil
}

// read decodes the codes of a binarized image. It returns how many codes
// it read and how many finder patterns no decoded code accounts for.
func (sc *qrScan) read(bm *gozxing.BitMatrix) (n, left int, err error) {
	centers, err := findCenters(bm)
	if err != nil {
		return 0, 0, err
	}
	if len(centers) < 3 {
		return 0, len(centers), nil
	}
	used := make([]bool, len(centers))
	det := detector.NewDetector(bm)
	dec := decoder.NewDecoder()
	tries := 0
	for _, t := range triples(centers) {
		if used[t.a] || used[t.b] || used[t.c] {
			continue
		}
		if tries++; tries > maxDecodes {
			break
		}
		bl, tl, tr := gozxing.ResultPoint_OrderBestPatterns(centers[t.a], centers[t.b], centers[t.c])
		info := detector.NewFinderPatternInfo(bl.(*detector.FinderPattern), tl.(*detector.FinderPattern), tr.(*detector.FinderPattern))
		var d *common.DecoderResult
		if r, err := det.ProcessFinderPatternInfo(info); err == nil {
			if d, err = dec.Decode(r.GetBits(), nil); err != nil {
				d = nil
			}
			r.GetBits().Clear()
		}
		if d == nil {
			// A blurred code can show an alignment pattern where there is
			// none, and the grid bent towards it misses the code: read it
			// again from the three finder patterns alone.
			d = decodeWithoutAlignment(bm, dec, tl, tr, bl)
		}
		if d == nil {
			continue
		}
		used[t.a], used[t.b], used[t.c] = true, true, true
		if err := sc.add(d.GetText()); err != nil {
			return 0, 0, err
		}
		n++
	}
	for _, u := range used {
		if !u {
			left++
		}
	}
	return n, left, nil
}

// decodeWithoutAlignment samples the grid of the code whose finder
// patterns are tl, tr and bl as gozxing does when it finds no alignment
// pattern (the fourth corner where the parallelogram puts it), and decodes
// it; nil when that fails.
func decodeWithoutAlignment(bm *gozxing.BitMatrix, dec *decoder.Decoder, tl, tr, bl gozxing.ResultPoint) *common.DecoderResult {
	module := (tl.(*detector.FinderPattern).GetEstimatedModuleSize() + tr.(*detector.FinderPattern).GetEstimatedModuleSize() +
		bl.(*detector.FinderPattern).GetEstimatedModuleSize()) / 3
	if module < 1 {
		return nil
	}
	across := int(math.Round(gozxing.ResultPoint_Distance(tl, tr) / module))
	down := int(math.Round(gozxing.ResultPoint_Distance(tl, bl) / module))
	dim := (across+down)/2 + 7
	switch dim % 4 { // a QR code is 4v+17 modules wide
	case 0:
		dim++
	case 2:
		dim--
	case 3:
		return nil
	}
	if dim < 21 || dim > 177 {
		return nil
	}
	bits, err := detector.Detector_sampleGrid(bm, detector.Detector_createTransform(tl, tr, bl, nil, dim), dim)
	if err != nil {
		return nil
	}
	defer bits.Clear()
	d, err := dec.Decode(bits, nil)
	if err != nil {
		return nil
	}
	return d
}

// findCenters scans a binarized image for finder patterns (the 1:1:3:1:1
// squares in three corners of a QR code), every third row, confirming each
// vertically, horizontally and diagonally with gozxing's checks. More than
// maxCenters is ErrTooManyCodes, found before any decoding.
func findCenters(bm *gozxing.BitMatrix) ([]*detector.FinderPattern, error) {
	f := detector.NewFinderPatternFinder(bm, nil)
	maxI, maxJ := bm.GetHeight(), bm.GetWidth()
	state := make([]int, 5)
	for i := detector.FinderPatternFinder_MIN_SKIP - 1; i < maxI; i += detector.FinderPatternFinder_MIN_SKIP {
		clear(state)
		cur := 0
		for j := 0; j < maxJ; j++ {
			if bm.Get(j, i) { // black
				if cur&1 == 1 {
					cur++
				}
				state[cur]++
				continue
			}
			if cur&1 == 1 { // white, counting white
				state[cur]++
				continue
			}
			if cur < 4 {
				cur++
				state[cur]++
				continue
			}
			if detector.FinderPatternFinder_foundPatternCross(state) && f.HandlePossibleCenter(state, i, j) {
				if len(f.GetPossibleCenters()) > maxCenters {
					return nil, ErrTooManyCodes
				}
				cur = 0
				clear(state)
				continue
			}
			detector.FinderPatternFinder_doShiftCounts2(state)
			cur = 3
		}
		if detector.FinderPatternFinder_foundPatternCross(state) {
			f.HandlePossibleCenter(state, i, maxJ)
		}
	}
	cs := f.GetPossibleCenters()
	if len(cs) > maxCenters {
		return nil, ErrTooManyCodes
	}
	return cs, nil
}

// triple is three finder patterns that may be one code's, and how far they
// are from a code's shape (0: an isosceles right triangle).
type triple struct {
	a, b, c int
	score   float64
}

// triples lists the plausible triples of centers, best-shaped first. The
// bounds are looser than gozxing's multi reader (perspective, skew), since
// only the best few are decoded.
func triples(cs []*detector.FinderPattern) []triple {
	order := make([]int, len(cs))
	for i := range order {
		order[i] = i
	}
	ms := func(i int) float64 { return cs[i].GetEstimatedModuleSize() }
	slices.SortFunc(order, func(x, y int) int {
		switch {
		case ms(x) < ms(y):
			return -1
		case ms(x) > ms(y):
			return 1
		}
		return 0
	})
	var out []triple
	for x := 0; x < len(order)-2; x++ {
		i := order[x]
		for y := x + 1; y < len(order)-1; y++ {
			j := order[y]
			if ms(j) > 1.6*ms(i) {
				break // sorted: the rest differ more
			}
			for z := y + 1; z < len(order); z++ {
				k := order[z]
				if ms(k) > 1.6*ms(i) {
					break
				}
				bl, tl, tr := gozxing.ResultPoint_OrderBestPatterns(cs[i], cs[j], cs[k])
				dA := gozxing.ResultPoint_Distance(tl, bl)
				dB := gozxing.ResultPoint_Distance(tl, tr)
				dC := gozxing.ResultPoint_Distance(tr, bl)
				mean := (ms(i) + ms(j) + ms(k)) / 3
				modules := (dA + dB) / (2 * mean)
				if modules < 9 || modules > 180 || dA == 0 || dB == 0 {
					continue
				}
				sides := math.Abs(dA-dB) / math.Min(dA, dB)
				diag := math.Sqrt(dA*dA + dB*dB)
				right := math.Abs(dC-diag) / math.Min(dC, diag)
				if sides >= 0.5 || right >= 0.35 {
					continue
				}
				out = append(out, triple{i, j, k, sides + right})
			}
		}
	}
	slices.SortStableFunc(out, func(p, q triple) int {
		switch {
		case p.score < q.score:
			return -1
		case p.score > q.score:
			return 1
		}
		return 0
	})
	return out
}
