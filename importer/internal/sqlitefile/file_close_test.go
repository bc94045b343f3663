package sqlitefile

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCloseWipesThePaddedCopy: a file cut short of a whole page is read
// through a padded copy, which holds every row (an authenticator's
// secrets): Close wipes it, and leaves the caller's bytes alone.
func TestCloseWipesThePaddedCopy(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/*/*.db")
	if len(files) == 0 {
		t.Fatal("no fixture database under importer/testdata")
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	cut := append([]byte(nil), data[:len(data)-1]...) // the last page short by a byte
	d, err := Open(cut)
	if err != nil {
		t.Fatalf("%s cut by a byte: %v", files[0], err)
	}
	if !d.padded {
		t.Fatal("a file cut short of a page was not read through a copy")
	}
	copyOf := d.data
	d.Close()
	if bytes.Count(copyOf, []byte{0}) != len(copyOf) {
		t.Error("Close left the padded copy's bytes")
	}
	if !bytes.Equal(cut, data[:len(data)-1]) {
		t.Error("Close wiped the caller's bytes")
	}
}
