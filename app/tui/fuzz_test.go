package tui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/wardkey/wardkey/assets"
)

var secretRE = regexp.MustCompile(`(?i)secret=([^&#" \n]*)`)

// FuzzAddSource types anything into the enrollment screen's source field:
// it must never panic, and what it says must never echo a secret.
func FuzzAddSource(f *testing.F) {
	for _, l := range strings.Split(assets.DemoURIs, "\n") {
		f.Add(l)
	}
	for _, s := range []string{"'/a b/c.png'", `/a\ b/c.png`, "file:///x%20y.png", "~/qr.png", "C:\\qr.png", "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SEgoIZXhhbXBsZRIGSXNzdWVyGgEx", "otpauth://totp/a?secret=", "\"unterminated"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		c := &common{keys: DefaultKeyMap(), styles: NewStyles(true), width: 80, height: 24, sess: newSession(Profile{Name: "default"}), barModel: newBar()}
		m, _ := newAdd(c)
		m.fields[fieldSource].SetValue(src)
		m = m.revalidate()
		_ = m.View()
		_ = cleanPath(src, "/home/nurse")
		_ = looksLikePath(src)
		for _, mm := range secretRE.FindAllStringSubmatch(src, -1) {
			if sec := mm[1]; len(sec) >= 8 && strings.Contains(m.err, sec) {
				t.Fatalf("the error %q echoes the secret", m.err)
			}
		}
	})
}
