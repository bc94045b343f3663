package app

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBinaryLinksNoHeavyInits: every package the wardkey binary links runs
// its init before main, in every `wardkey code` (docs/performance.md,
// "Start-up"). These were taken out for it and must not come back through
// a new import: modernc.org/sqlite (libc's tables: start-up doubled; the
// importer reads SQLite files with importer/internal/sqlitefile),
// google.golang.org/protobuf (reads the executable at init; migration has
// its own codec), BurntSushi/toml (loads the local time zone at init).
func TestBinaryLinksNoHeavyInits(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/wardkey/wardkey").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		for _, heavy := range []string{"modernc.org/", "google.golang.org/protobuf/", "github.com/BurntSushi/toml"} {
			if strings.HasPrefix(p, heavy) {
				t.Errorf("the binary links %s again: its init runs in every command (see docs/performance.md)", p)
			}
		}
	}
}

// TestLeanBuildLinksOnlyWhatCodeNeeds: the lean build (-tags wardkey_lean,
// installed as `wardkey`) exists so that `wardkey code` pays for no package
// it does not use (app/lean.go). None of these may come back into it
// through an import from a file the lean build compiles: the TUI stack
// (charm, its ANSI parser and width tables, the clipboard), QR decoding
// (gozxing, x/text's character sets, image decoders), screen capture (X11),
// age (backups), net/http (WebDAV sync), the passphrase scorer.
func TestLeanBuildLinksOnlyWhatCodeNeeds(t *testing.T) {
	out, err := exec.Command("go", "list", "-tags", "wardkey_lean", "-deps", "github.com/wardkey/wardkey").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	heavy := []string{
		"charm.land/", "github.com/charmbracelet/", "github.com/atotto/clipboard", "github.com/mattn/go-runewidth",
		"github.com/makiuchi-d/gozxing", "golang.org/x/text/", "golang.org/x/image/", "image/png", "image/jpeg", "image/gif",
		"github.com/jezek/xgb", "filippo.io/age", "net/http", "encoding/xml",
		"github.com/wardkey/wardkey/app/tui", "github.com/wardkey/wardkey/app/capture", "github.com/wardkey/wardkey/app/strength",
		"github.com/wardkey/wardkey/importer", "github.com/wardkey/wardkey/vault/backup", "github.com/wardkey/wardkey/sync/replica",
	}
	// The demo vault's otpauth URIs are parsed by importer/otpauth: parsing
	// only, none of the importer's formats.
	allowed := map[string]bool{"github.com/wardkey/wardkey/importer/otpauth": true, "github.com/wardkey/wardkey/importer/internal/jsondepth": true}
	deps := strings.Fields(string(out))
	for _, p := range deps {
		for _, h := range heavy {
			if !allowed[p] && (p == h || strings.HasPrefix(p, strings.TrimSuffix(h, "/")+"/")) {
				t.Errorf("the lean build links %s (%s): its init would run in every `wardkey code` (app/lean.go)", p, h)
			}
		}
	}
	if len(deps) < 20 {
		t.Fatalf("go list -deps printed only %d packages: %q", len(deps), out)
	}
}
