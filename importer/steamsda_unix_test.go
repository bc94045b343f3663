//go:build unix

package importer

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestSteamSDAFIFO: a maFile that is a FIFO is never opened (opening it
// would block); it is reported and the other accounts read.
func TestSteamSDAFIFO(t *testing.T) {
	dir := writeSDA(t, "", sdaAccounts)
	fifo := filepath.Join(dir, sdaAccounts[0].file)
	os.Remove(fifo)
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	res, err := ImportFile(filepath.Join(dir, sdaManifest), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkAccounts(t, res.Accounts, sdaWant[1:])
	if len(res.Skipped) != 1 {
		t.Errorf("skipped %+v", res.Skipped)
	}
}
