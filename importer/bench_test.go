package importer

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// benchQR times wardkey and zbarimg on the same file, so both figures come
// out of one `go test -bench` run.
func benchQR(b *testing.B, file string) {
	dir := generated(b)
	path := filepath.Join(dir, file)
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("wardkey", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			texts, err := decodeImage(data)
			if err != nil || len(texts) != 1 {
				b.Fatalf("%d codes, %v", len(texts), err)
			}
		}
	})
	b.Run("zbarimg", func(b *testing.B) {
		needTool(b, "zbarimg")
		for b.Loop() {
			out, err := exec.Command("zbarimg", "--nodbus", "--raw", "-q", path).Output()
			if err != nil || !strings.HasPrefix(string(out), "otpauth://") {
				b.Fatalf("zbarimg: %v", err)
			}
		}
	})
}

// BenchmarkQRScreenshot: a 1920x1080 PNG screenshot with a small code.
func BenchmarkQRScreenshot(b *testing.B) { benchQR(b, "screenshot.png") }

// BenchmarkQRPhoto: a 4000x3000 JPEG photo with a tilted code.
func BenchmarkQRPhoto(b *testing.B) { benchQR(b, "photo.jpg") }

// BenchmarkImportURIs: a text file of 1,000 otpauth URIs.
func BenchmarkImportURIs(b *testing.B) {
	var sb strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&sb, "otpauth://totp/Clinic%%20%d:user%d@example.org?secret=JBSWY3DPEHPK3PXP&issuer=Clinic%%20%d&digits=8&period=30\n", i, i, i)
	}
	data := []byte(sb.String())
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		res, err := Import(data, Options{})
		if err != nil || len(res.Accounts) != 1000 {
			b.Fatalf("%d accounts, %v", len(res.Accounts), err)
		}
	}
}
