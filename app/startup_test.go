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
