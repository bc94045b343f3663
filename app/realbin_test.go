package app

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// buildWardkey builds the real wardkey as packages install it (the product,
// with no test hooks) into a temporary folder and returns the path of
// `wardkey`: the lean build (-tags wardkey_lean), with wardkey-full (the
// default build) beside it, so that every command these tests run goes
// through the lean front door and, for what it does not have, its
// hand-over. Tests of what only the real process shows (its /proc files, a
// real terminal, real kills and real waits) run it.
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
	goBuild(t, bin, "-tags", "wardkey_lean")
	goBuild(t, filepath.Join(dir, "wardkey-full"))
	return bin
}

// goBuild builds wardkey's main package, statically, into out.
func goBuild(t *testing.T, out string, flags ...string) {
	t.Helper()
	cmd := exec.Command("go", append(append([]string{"build"}, flags...), "-o", out, "..")...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
}
