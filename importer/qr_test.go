package importer

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/wardkey/wardkey/importer/migration"
	"github.com/wardkey/wardkey/vault"
)

const font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

// needTool skips (or, with WARDKEY_REQUIRE_TOOLS=1, fails) without a tool.
func needTool(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			if os.Getenv("WARDKEY_REQUIRE_TOOLS") == "1" {
				t.Fatalf("%s is required (WARDKEY_REQUIRE_TOOLS=1) but not installed", n)
			}
			t.Skipf("SKIPPING: %s is not installed (apt-get install qrencode imagemagick zbar-tools)", n)
		}
	}
}

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// zbar returns what zbarimg reads in an image (nil when it finds nothing).
func zbar(t testing.TB, path string) []string {
	t.Helper()
	cmd := exec.Command("zbarimg", "--nodbus", "--raw", "-q", "-Stest-inverted", path)
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 4 {
		return nil
	}
	if err != nil {
		t.Fatalf("zbarimg %s: %v", path, err)
	}
	var texts []string
	for l := range strings.SplitSeq(strings.TrimRight(string(out), "\n"), "\n") {
		texts = append(texts, l)
	}
	return texts
}

const (
	uriA = "otpauth://totp/Ward%203:nurse?secret=JBSWY3DPEHPK3PXP&issuer=Ward%203"
	uriB = "otpauth://totp/EHR:dr.jones?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=EHR&digits=8"
	uriC = "otpauth://hotp/Door:front?secret=JBSWY3DPEHPK3PXR&counter=3"
)

var (
	genOnce sync.Once
	genDir  string
	genErr  error
)

// generated makes the test images once per test binary: what a person
// hands wardkey (screenshots, photos, light on dark, rotated, tiny modules,
// several codes, every image type). It returns the directory.
func generated(t testing.TB) string {
	t.Helper()
	needTool(t, "qrencode", "convert")
	genOnce.Do(func() {
		genDir, genErr = os.MkdirTemp("", "wardkey-qr-")
		if genErr != nil {
			return
		}
		d := func(n string) string { return filepath.Join(genDir, n) }
		steps := [][]string{
			{"qrencode", "-s", "3", "-m", "4", "-o", d("a3.png"), uriA},
			{"qrencode", "-s", "20", "-m", "4", "-o", d("a20.png"), uriA},
			{"qrencode", "-s", "6", "-m", "4", "-o", d("b6.png"), uriB},
			{"qrencode", "-s", "6", "-m", "4", "-o", d("c6.png"), uriC},
			{"qrencode", "-s", "1", "-m", "2", "-o", d("tiny.png"), uriA},
			{"qrencode", "-s", "2", "-m", "4", "-o", d("small.png"), uriB},
			// A 1920x1080 screenshot of a set-up page, the code small and off-centre.
			{"convert", "-size", "1920x1080", "xc:#f0f0f0", "-fill", "#333", "-font", font, "-pointsize", "28",
				"-annotate", "+100+100", "Set up two-factor authentication: scan this code", d("a3.png"), "-geometry", "+1400+600", "-composite", d("screenshot.png")},
			// A 4000x3000 JPEG photo: textured paper, the code tilted.
			{"convert", "-size", "1000x750", "xc:#d8d2c4", "-attenuate", "0.6", "+noise", "Gaussian", "-resize", "4000x3000!",
				"(", d("a20.png"), "-background", "#d8d2c4", "-rotate", "12", ")", "-geometry", "+1300+900", "-composite", "-quality", "85", d("photo.jpg")},
			{"convert", d("b6.png"), "-negate", d("inverted.png")},
			{"convert", d("b6.png"), "-background", "white", "-rotate", "90", d("rot90.png")},
			{"convert", d("b6.png"), "-background", "white", "-rotate", "33", d("rot33.png")},
			{"convert", d("b6.png"), "-background", "white", "-rotate", "180", d("rot180.png")},
			{"convert", "-size", "1400x500", "xc:white", d("b6.png"), "-geometry", "+20+40", "-composite",
				d("c6.png"), "-geometry", "+500+40", "-composite", d("a3.png"), "-geometry", "+1000+60", "-composite", d("several.png")},
			{"convert", d("b6.png"), d("b6.gif")},
			{"convert", d("b6.png"), "BMP3:" + d("b6.bmp")},
			{"convert", d("b6.png"), "-quality", "70", d("b6.jpg")},
			{"convert", d("b6.png"), "-colorspace", "Gray", "-depth", "16", d("gray16.png")},
			{"convert", d("b6.png"), "-alpha", "set", "-channel", "A", "-evaluate", "set", "60%", "+channel", d("alpha.png")},
		}
		for _, s := range steps {
			if out, err := exec.Command(s[0], s[1:]...).CombinedOutput(); err != nil {
				genErr = errors.New(strings.Join(s, " ") + ": " + err.Error() + "\n" + string(out))
				return
			}
		}
	})
	if genErr != nil {
		t.Fatal(genErr)
	}
	return genDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if genDir != "" {
		os.RemoveAll(genDir)
	}
	os.Exit(code)
}

// TestQRImages: wardkey reads every generated image, and at least every
// code zbarimg reads in the same file.
func TestQRImages(t *testing.T) {
	dir := generated(t)
	needTool(t, "zbarimg")
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"screenshot.png", []string{uriA}},
		{"photo.jpg", []string{uriA}},
		{"inverted.png", []string{uriB}},
		{"rot90.png", []string{uriB}},
		{"rot33.png", []string{uriB}},
		{"rot180.png", []string{uriB}},
		{"tiny.png", []string{uriA}},
		{"small.png", []string{uriB}},
		{"several.png", []string{uriA, uriB, uriC}},
		{"b6.gif", []string{uriB}},
		{"b6.bmp", []string{uriB}},
		{"b6.jpg", []string{uriB}},
		{"gray16.png", []string{uriB}},
		{"alpha.png", []string{uriB}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			texts, err := decodeImage(b)
			if err != nil {
				t.Fatalf("wardkey: %v", err)
			}
			slices.Sort(texts)
			want := slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(texts, want) {
				t.Errorf("wardkey read %q, want %q", texts, want)
			}
			for _, z := range zbar(t, path) {
				if !slices.Contains(texts, z) {
					t.Errorf("zbarimg reads %q, wardkey does not", z)
				}
			}
			// And through Import, as accounts.
			res, err := Import(b, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Format != "image" || len(res.Accounts) != len(tc.want) {
				t.Errorf("Import: format %q, %d accounts, want image and %d", res.Format, len(res.Accounts), len(tc.want))
			}
		})
	}
}

// TestQRFixtures: real Google Authenticator export screenshots. wardkey reads
// what zbarimg reads, and the accounts are those the migration decoder finds
// in zbarimg's text.
func TestQRFixtures(t *testing.T) {
	needTool(t, "zbarimg")
	files, _ := filepath.Glob("testdata/qr/*/*")
	if len(files) < 8 {
		t.Fatalf("only %d QR fixtures", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			texts, _ := decodeImage(b)
			zs := zbar(t, f)
			if len(zs) == 0 {
				t.Fatal("zbarimg reads nothing: a broken fixture")
			}
			for _, z := range zs {
				if !slices.Contains(texts, z) {
					t.Errorf("zbarimg reads %.50q..., wardkey does not", z)
				}
			}
			res, err := Import(b, Options{})
			if !strings.HasPrefix(zs[0], "otpauth-migration:") {
				if !errors.Is(err, ErrNoOTP) {
					t.Errorf("a QR code of %.30q: err = %v, want ErrNoOTP", zs[0], err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			mb, err := migration.Decode(zs[0])
			if err != nil {
				t.Fatal(err)
			}
			var ws []want
			for _, a := range mb.Accounts {
				ws = append(ws, got(a))
			}
			checkAccounts(t, res.Accounts, ws)
			if len(res.Batches) != 1 || res.Batches[0].Index != mb.Index || res.Batches[0].Size != mb.Size {
				t.Errorf("batches %+v, want index %d of %d", res.Batches, mb.Index, mb.Size)
			}
		})
	}
}

// TestQRFixtureAccounts pins the accounts PROVENANCE.md states for two
// screenshots, independently of zbarimg.
func TestQRFixtureAccounts(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []want
	}{
		{"qr/scito/example_export.png", []want{
			totp("Test1", "test1@example1.com", "JBSWY3DPEHPK3PXP"),
			totp("Test2", "test2@example2.com", "JBSWY3DPEHPK3PXQ"),
			totp("Test3", "test3@example3.com", "JBSWY3DPEHPK3PXR"),
		}},
		{"qr/proton/GoogleAuthImportScreenshotCropped.jpg", []want{totp("", "ShouldDiffer", "KRUGS42TNBXXK3DEIJZGKYLLGEZDGNBV")}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			res, err := ImportFile(filepath.Join("testdata", tc.file), Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkAccounts(t, res.Accounts, tc.want)
		})
	}
}

func TestMissingBatches(t *testing.T) {
	// The two renderings of code 2 of 3 and code 1 of 4: both exports are
	// incomplete.
	var bs []Batch
	for _, f := range []string{"GoogleAuthenticatorExport_1.png", "GoogleAuthenticatorExport_2.png", "GoogleAuthenticatorExport_3.png"} {
		res, err := ImportFile(filepath.Join("testdata/qr/proton", f), Options{})
		if err != nil {
			t.Fatal(err)
		}
		bs = append(bs, res.Batches...)
	}
	ms := MissingBatches(bs)
	var got []string
	for _, m := range ms {
		got = append(got, m.String())
	}
	want := []string{
		"QR codes 1, 3 of 3 of a Google Authenticator export are missing",
		"QR codes 2, 3, 4 of 4 of a Google Authenticator export are missing",
	}
	if !slices.Equal(got, want) {
		t.Errorf("missing = %q\nwant %q", got, want)
	}
	// A complete export spread over several images reports nothing.
	uris, err := migration.Encode(mustAccounts(t, 25), 10)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	needTool(t, "qrencode")
	bs = nil
	n := 0
	for i, u := range uris {
		p := filepath.Join(dir, "code"+string(rune('0'+i))+".png")
		run(t, "qrencode", "-s", "4", "-o", p, u)
		res, err := ImportFile(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		n += len(res.Accounts)
		bs = append(bs, res.Batches...)
	}
	if m := MissingBatches(bs); len(m) != 0 || n != 25 {
		t.Errorf("complete export: %d accounts, missing %v", n, m)
	}
	if m := MissingBatches(bs[1:]); len(m) != 1 || m[0].String() != "QR code 1 of 3 of a Google Authenticator export is missing" {
		t.Errorf("without code 1: %v", m)
	}
}

func mustAccounts(t testing.TB, n int) []vault.Account {
	t.Helper()
	var sb bytes.Buffer
	for i := range n {
		sb.WriteString("otpauth://totp/Clinic:user" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "?secret=JBSWY3DPEHPK3PXP\n")
	}
	res, err := Import(sb.Bytes(), Options{})
	if err != nil || len(res.Accounts) != n {
		t.Fatalf("%d accounts, %v", len(res.Accounts), err)
	}
	return res.Accounts
}

func TestImageLimits(t *testing.T) {
	// A PNG header claiming 10000x10000 pixels: refused before decoding.
	var b bytes.Buffer
	b.Write([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})
	chunk := []byte{'I', 'H', 'D', 'R', 0, 0, 0x27, 0x10, 0, 0, 0x27, 0x10, 8, 0, 0, 0, 0}
	b.Write([]byte{0, 0, 0, 13})
	b.Write(chunk)
	b.Write(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(chunk)))
	_, err := Import(b.Bytes(), Options{})
	if err == nil {
		t.Fatal("a 100-megapixel image was accepted")
	}
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "10000×10000") {
		t.Errorf("err = %v", err)
	}
}
