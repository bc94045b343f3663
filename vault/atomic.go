package vault

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

const tmpPrefix = ".tmp-"

// WriteFileAtomic writes data to path through a temporary file in the same
// directory: write, fsync, rename over path, fsync the directory. The file
// is created 0600; a crash leaves either the old or the new content.
func WriteFileAtomic(path string, data []byte) error {
	return writeAtomic(path, data, "")
}

// writeAtomic is WriteFileAtomic that, when bak is not empty, first
// hard-links the current file to bak (replacing it), so bak always holds the
// previous good version.
func writeAtomic(path string, data []byte, bak string) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tmpPrefix+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if bak != "" {
		if _, err := os.Lstat(path); err == nil {
			if err := os.Remove(bak); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("replace %s: %w", filepath.Base(bak), err)
			}
			if err := os.Link(path, bak); err != nil {
				return fmt.Errorf("keep %s: %w", filepath.Base(bak), err)
			}
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	return syncDir(dir)
}

// removeStaleTemps removes temporary files a killed writer left behind.
// Call it only while holding the lock that guards the writers.
func removeStaleTemps(dir, base string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), tmpPrefix+base+"-") {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// mkdirPrivate creates dir (and parents) with mode 0700 and tightens an
// existing dir to 0700.
func mkdirPrivate(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.Chmod(dir, 0o700)
}
