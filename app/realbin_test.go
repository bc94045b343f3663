package app

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// buildWardkey builds the real wardkey binary (the product, with no test
// hooks) into a temporary folder and returns its path. Tests of what only
// the real process shows (its /proc files, a real terminal, real kills and
// real waits) run it.
func buildWardkey(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the real binary")
	}
	dir := t.TempDir()
	// Readable by another user: the dumpable test runs the binary as nobody.
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "wardkey")
	cmd := exec.Command("go", "build", "-o", bin, "..")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
