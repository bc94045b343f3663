package vault

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayering keeps the house's arrows pointing one way: the core packages
// and everything that only parses or syncs link no OS keyring (go-keyring,
// godbus), no age, no terminal UI and nothing of app, so their fuzzers and
// their start-up stay small (docs/developing.md).
func TestLayering(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("SKIPPED: no go command to list dependencies")
	}
	forbidden := []string{
		"github.com/zalando/go-keyring", "github.com/godbus/dbus", "filippo.io/age",
		"charm.land/", "github.com/wardkey/wardkey/app",
	}
	for _, pkg := range []string{"../vault", "../importer/...", "../sync/..."} {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range forbidden {
				if strings.HasPrefix(dep, f) {
					t.Errorf("%s links %s", pkg, dep)
				}
			}
		}
	}
}
