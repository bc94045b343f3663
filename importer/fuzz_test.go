package importer

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// fixtureFiles returns every fixture under testdata/ except the large QR
// images (seeded separately) and the provenance notes.
func fixtureFiles(t testing.TB, small bool) [][]byte {
	var out [][]byte
	err := filepath.WalkDir("testdata", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".md") {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if small && info.Size() > 64<<10 {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// cheapKDF lowers the key-derivation caps for fuzzing, so that no execution
// spends long in a KDF: the header parsing before it and the refusal are
// what a mutated file can reach (after it, a mutated ciphertext fails its
// tag). The fixtures' real parameters are refused here as too costly; the
// decryption itself is covered by TestFixtures.
func cheapKDF(t testing.TB) {
	old := []int64{maxKDFMemory, maxArgon2Work, maxPBKDF2Iter, maxScryptMemory}
	maxKDFMemory, maxArgon2Work, maxPBKDF2Iter, maxScryptMemory = 1<<20, 4<<20, 20_000, 1<<20
	t.Cleanup(func() { maxKDFMemory, maxArgon2Work, maxPBKDF2Iter, maxScryptMemory = old[0], old[1], old[2], old[3] })
}

// checkResult asserts what Import promises of any result.
func checkResult(t *testing.T, res Result) {
	if len(res.Accounts)+len(res.Skipped) > MaxAccounts {
		t.Fatalf("%d entries: over the limit", len(res.Accounts)+len(res.Skipped))
	}
	for _, a := range res.Accounts {
		if a.ID != "" {
			t.Fatal("an account has an ID")
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("an invalid account was returned: %v", err)
		}
		for _, s := range append([]string{a.Issuer, a.Name, a.Note}, a.Tags...) {
			if !utf8.ValidString(s) {
				t.Fatalf("a name is not valid UTF-8: %q", s)
			}
		}
		for _, s := range res.Skipped {
			if b32 := a.Secret.Base32(); len(b32) >= 16 && strings.Contains(s.Entry+s.Reason, b32) {
				t.Fatalf("a skipped entry shows a secret")
			}
		}
	}
}

// FuzzImport runs detection and every parser (JSON, XML, CSV, ZIP, text
// and the encrypted formats, with the fixtures' password "test") on mutated
// fixture files.
func FuzzImport(f *testing.F) {
	for _, b := range fixtureFiles(f, true) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cheapKDF(t)
		res, err := Import(data, Options{Passphrase: func() ([]byte, error) { return []byte("test"), nil }})
		if err != nil {
			if strings.Contains(err.Error(), "secret=") {
				t.Fatalf("error shows a URI: %v", err)
			}
			return
		}
		checkResult(t, res)
	})
}

// FuzzImportForced runs each parser on any input, named by --format, so
// parsers see content detection would have sent elsewhere.
func FuzzImportForced(f *testing.F) {
	names := Formats()
	// Seed each fixture with the format it is detected as, so the fuzzer
	// mutates inputs inside the parser they belong to (index 0, the image
	// decoder, would otherwise take nearly all the time).
	for _, b := range fixtureFiles(f, true) {
		p := newProbe(b)
		for i, g := range formats {
			if g.detect(p) {
				if g.name() != "image" {
					f.Add(uint8(i), b)
				}
				break
			}
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		cheapKDF(t)
		name := names[int(which)%len(names)]
		res, err := Import(data, Options{Format: name, Passphrase: func() ([]byte, error) { return []byte("test"), nil }})
		if err == nil {
			checkResult(t, res)
		}
	})
}

// FuzzDecodeImage: image decoding and QR scanning on mutated small images.
func FuzzDecodeImage(f *testing.F) {
	for _, p := range []string{"testdata/qr/proton/example.png", "testdata/qr/scito/qr_but_without_otp.png"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !isImage(data) {
			return
		}
		texts, err := decodeImage(data)
		if err == nil && len(texts) == 0 {
			t.Fatal("no error and no text")
		}
	})
}
