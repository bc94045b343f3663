package app

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/wardkey/wardkey/importer/migration"
	"github.com/wardkey/wardkey/importer/otpauth"
	"github.com/wardkey/wardkey/vault"
)

// needTool skips (or fails where WARDKEY_REQUIRE_TOOLS=1, as in CI) when a
// peer tool is missing.
func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("WARDKEY_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is required (WARDKEY_REQUIRE_TOOLS=1) but not installed", name)
		}
		t.Skipf("SKIPPED: %s is not installed (apt-get install it; CI requires it)", name)
	}
}

// wardkey runs the command line in a fresh home with a cheap KDF and no
// keyring, and returns stdout; it fails the test on a non-zero exit.
func wardkey(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(args, stdio{in: strings.NewReader(""), out: &out, err: &errb}, Hooks{KDF: &testKDF, NoSleep: true}); code != 0 {
		t.Fatalf("wardkey %s: exit %d\n%s", strings.Join(args, " "), code, errb.String())
	}
	return out.String()
}

// testHome makes a profile with accounts of every kind.
func testHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	pass := filepath.Join(home, "pass")
	if err := os.WriteFile(pass, []byte("a long enough passphrase\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("WARDKEY_HOME", home)
	t.Setenv("WARDKEY_PROFILE", "")
	t.Setenv("WARDKEY_PASSPHRASE_FILE", pass)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
	wardkey(t, "init", "--no-keyring")
	for _, add := range [][]string{
		{"--issuer", "Air Canada", "--account", "j doe@example.org", "--secret", "JBSWY3DPEHPK3PXP", "--algorithm", "sha256", "--digits", "8", "--period", "60"},
		{"--issuer", "EHR", "--account", "dr.jones", "--secret", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"},
		{"--type", "hotp", "--issuer", "Door", "--account", "front", "--secret", "MFRGGZDFMZTWQ2LK", "--counter", "41"},
		{"--uri", "otpauth://steam/Steam:gamer?secret=GEZDGNBVGY3TQOJQ"},
	} {
		wardkey(t, append([]string{"add"}, add...)...)
	}
	return home
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// textToImage turns a half-block drawing back into pixels, as a camera
// pointed at a light-on-dark terminal sees it: the drawn (foreground)
// halves light, the blank ones dark.
func textToImage(t *testing.T, text string, scale int) *image.Gray {
	t.Helper()
	lines := strings.Split(strings.TrimRight(ansi.ReplaceAllString(text, ""), "\n"), "\n")
	w := len([]rune(lines[0]))
	img := image.NewGray(image.Rect(0, 0, w*scale, len(lines)*2*scale))
	for row, line := range lines {
		for col, r := range []rune(line) {
			var top, bottom bool
			switch r {
			case '█':
				top, bottom = true, true
			case '▀':
				top = true
			case '▄':
				bottom = true
			case ' ':
			default:
				t.Fatalf("unexpected character %q in the drawing", r)
			}
			for dy := range 2 * scale {
				on := top
				if dy >= scale {
					on = bottom
				}
				for dx := range scale {
					c := color.Gray{}
					if on {
						c.Y = 255
					}
					img.SetGray(col*scale+dx, row*2*scale+dy, c)
				}
			}
		}
	}
	return img
}

func decodeGozxing(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	var errs []error
	for _, hints := range []map[gozxing.DecodeHintType]any{
		nil,
		{gozxing.DecodeHintType_TRY_HARDER: true},
		{gozxing.DecodeHintType_PURE_BARCODE: true},
	} {
		res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
		if err == nil {
			if len(errs) > 0 {
				t.Logf("gozxing needed hints %v (before: %v)", hints, errs)
			}
			return res.GetText()
		}
		errs = append(errs, err)
	}
	t.Fatalf("gozxing: %v", errs)
	return ""
}

func decodeZbar(t *testing.T, pngFile string) string {
	t.Helper()
	needTool(t, "zbarimg")
	out, err := exec.Command("zbarimg", "--nodbus", "--raw", "-q", pngFile).Output()
	if err != nil {
		t.Fatalf("zbarimg %s: %v", pngFile, err)
	}
	return strings.TrimRight(string(out), "\n")
}

func savePNG(t *testing.T, img image.Image) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "drawn.png")
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestQRTerminalDecodes: the drawing `wardkey qr` prints decodes, with
// gozxing and with zbarimg, to the account's URI, which parses back to the
// same account; and so does the --png file.
func TestQRTerminalDecodes(t *testing.T) {
	testHome(t)
	v := openForTest(t)
	for _, q := range []string{"air", "EHR", "door", "steam"} {
		t.Run(q, func(t *testing.T) {
			a, err := v.Find(q)
			if err != nil {
				t.Fatal(err)
			}
			want := otpauth.Format(a)
			drawn := wardkey(t, "qr", q)
			if strings.Contains(drawn, a.Secret.Base32()) {
				t.Fatal("the drawing shows the secret as text")
			}
			img := textToImage(t, drawn, 4)
			if got := decodeGozxing(t, img); got != want {
				t.Fatalf("gozxing read %q, want %q", got, want)
			}
			if got := decodeZbar(t, savePNG(t, img)); got != want {
				t.Fatalf("zbarimg read %q, want %q", got, want)
			}
			back, err := otpauth.Parse(want)
			if err != nil {
				t.Fatal(err)
			}
			if back.Label() != a.Label() || !back.Secret.Equal(a.Secret) || back.Type != a.Type || back.Counter != a.Counter {
				t.Fatalf("the URI parses to another account: %s %s %d", back.Label(), back.Type, back.Counter)
			}
			pngFile := filepath.Join(t.TempDir(), "qr.png")
			wardkey(t, "qr", "--png", pngFile, q)
			if got := decodeZbar(t, pngFile); got != want {
				t.Fatalf("zbarimg read the PNG as %q, want %q", got, want)
			}
		})
	}
}

// TestQRDrawingWithColour: on a terminal the drawing is wrapped in colours
// that make it dark-on-light whatever the theme; it still decodes.
func TestQRDrawingWithColour(t *testing.T) {
	m, err := qrMatrix("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	drawQR(&buf, m, true)
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	if want := (m.GetHeight() + 1) / 2; len(lines) != want {
		t.Fatalf("%d lines, want %d", len(lines), want)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "\x1b[97;40m") || !strings.HasSuffix(l, "\x1b[0m") {
			t.Fatalf("line without its colours: %q", l)
		}
	}
	// The quiet zone: the first two lines are all light, so the code is
	// framed by at least 4 light modules.
	if first := ansi.ReplaceAllString(lines[0], ""); strings.Trim(first, "█") != "" {
		t.Fatalf("no quiet zone at the top: %q", first)
	}
	if got := decodeGozxing(t, textToImage(t, buf.String(), 3)); got != "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP" {
		t.Fatalf("decoded %q", got)
	}
}

// TestExportGoogleMigrationDecodes: the migration images decode (gozxing
// and zbarimg) to URIs that migration.Decode reads back as the accounts,
// in batches of at most 10; what Google Authenticator cannot hold (Steam,
// a 60 s period) is left out.
func TestExportGoogleMigrationDecodes(t *testing.T) {
	home := testHome(t)
	for i := range 12 {
		wardkey(t, "add", "--issuer", "Batch", "--account", "user"+string(rune('a'+i)), "--secret", "KRSXG5CTMVRXEZLU"+strings.Repeat("A", i%3*8))
	}
	dir := filepath.Join(home, "to-phone")
	wardkey(t, "export", "--format", "google-migration", "--out", dir, "--yes")
	files, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	slices.Sort(files)
	if len(files) != 2 {
		t.Fatalf("%d images, want 2 (14 accounts, 10 per code): %v", len(files), files)
	}
	v := openForTest(t)
	var got []vault.Account
	for i, f := range files {
		st, err := os.Stat(f)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: mode %v, %v", f, st.Mode(), err)
		}
		b, _ := os.ReadFile(f)
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		uri := decodeGozxing(t, img)
		if z := decodeZbar(t, f); z != uri {
			t.Fatalf("zbarimg and gozxing disagree on %s", f)
		}
		batch, err := migration.Decode(uri)
		if err != nil {
			t.Fatal(err)
		}
		if batch.Size != 2 || batch.Index != i || len(batch.Invalid) != 0 {
			t.Fatalf("%s: batch %d of %d, %d invalid", f, batch.Index, batch.Size, len(batch.Invalid))
		}
		got = append(got, batch.Accounts...)
	}
	var want []vault.Account
	for _, a := range v.Accounts() {
		if migration.Representable(a) == nil {
			want = append(want, a)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d accounts in the images, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Label() != w.Label() || !g.Secret.Equal(w.Secret) || g.Type != w.Type || g.Digits != w.Digits || g.Algorithm != w.Algorithm || g.Counter != w.Counter {
			t.Errorf("account %d: got %s %s %d %s %d, want %s %s %d %s %d", i, g.Label(), g.Type, g.Digits, g.Algorithm, g.Counter,
				w.Label(), w.Type, w.Digits, w.Algorithm, w.Counter)
		}
	}
}

func openForTest(t *testing.T) *vault.Vault {
	t.Helper()
	v, err := vault.Open(filepath.Join(os.Getenv("WARDKEY_HOME"), "default"), vault.Unlock{Passphrase: func() ([]byte, error) {
		return []byte("a long enough passphrase"), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Close)
	return v
}
