package importer

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // GIF screenshots
	_ "image/jpeg" // photos
	_ "image/png"  // screenshots
	"strconv"

	_ "golang.org/x/image/bmp"  // BMP, named in DESIGN.md
	_ "golang.org/x/image/webp" // WebP: the Go team's decoder

	"github.com/wardkey/wardkey/importer/otpauth"
)

// Image limits beyond MaxPixels.
const (
	// firstPassPixels: larger images (photos: a 4K screen is smaller) are
	// first decoded downscaled to about this many pixels, which is fast,
	// then at full size.
	firstPassPixels = 9_000_000
	// smallImage: images with a side this short or shorter are also tried
	// enlarged, for codes with one-pixel modules.
	smallImage = 600
)

// ErrNoQR: an image holds no QR code wardkey can read.
var ErrNoQR = errors.New("no QR code was found in the image")

// imageFormat is an image (PNG, JPEG, GIF, BMP, WebP) holding QR codes of
// otpauth:// URIs or Google Authenticator exports.
type imageFormat struct{}

func (imageFormat) name() string { return "image" }

func (imageFormat) detect(p *probe) bool { return isImage(p.data) }

func isImage(b []byte) bool {
	for _, m := range [][]byte{
		{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'},
		{0xff, 0xd8, 0xff},
		[]byte("GIF87a"), []byte("GIF89a"),
		[]byte("BM"),
	} {
		if bytes.HasPrefix(b, m) {
			return true
		}
	}
	return len(b) >= 12 && string(b[0:4]) == "RIFF" && string(b[8:12]) == "WEBP"
}

func (imageFormat) parse(data []byte, o Options, c *collector) error {
	texts, err := decodeImage(data)
	if err != nil {
		return &ParseError{Format: "image", Err: err}
	}
	return addTexts(texts, c)
}

// addTexts adds the accounts of QR code texts: otpauth:// URIs and Google
// Authenticator exports. Other codes are skipped, or an error when no code
// is an account.
func addTexts(texts []string, c *collector) error {
	var mig []migrationPart
	otp := 0
	for i, t := range texts {
		where := "QR code " + strconv.Itoa(i+1)
		switch {
		case hasPrefixFold(t, "otpauth-migration:"):
			b, err := decodeMigration(t)
			if err != nil {
				if err := c.skip(where, err); err != nil {
					return err
				}
				continue
			}
			otp++
			mig = append(mig, migrationPart{b, i + 1})
		case hasPrefixFold(t, "otpauth:") || hasPrefixFold(t, "motp:"):
			otp++
			a, err := otpauth.Parse(t)
			if err != nil {
				if err := c.skip(where, err); err != nil {
					return err
				}
				continue
			}
			if err := c.add(a); err != nil {
				return err
			}
		default:
			if len(texts) == 1 {
				return &ParseError{Format: "image", Err: fmt.Errorf("the QR code %w", ErrNoOTP)}
			}
			if err := c.skip(where, fmt.Errorf("it %w", ErrNoOTP)); err != nil {
				return err
			}
		}
	}
	if otp == 0 {
		return &ParseError{Format: "image", Err: fmt.Errorf("none of the %d QR codes is an account: %w", len(texts), ErrNoOTP)}
	}
	return addMigration("image", mig, c)
}

// decodeImage decodes an image file and returns the text of every QR code
// in it. The pixel count is checked from the header before decoding.
func decodeImage(data []byte) ([]string, error) {
	cfg, kind, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("the image cannot be read: %v", errors.Unwrap(err))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, errors.New("the image is empty")
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, fmt.Errorf("the %s image is %d×%d pixels, more than %d megapixels: %w", kind, cfg.Width, cfg.Height, MaxPixels/1_000_000, ErrTooLarge)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("the %s image cannot be decoded: %v", kind, err)
	}
	src := toLuminance(img)
	defer src.wipe()
	return scanQR(src)
}
