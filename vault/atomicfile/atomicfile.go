// Package atomicfile writes files so that a crash, a kill or a concurrent
// writer leaves either the old content or the new, never a mix, and never a
// file anyone else can read.
//
// Every write goes through a temporary file in the destination's folder,
// named ".tmp-<name>-<random>", created 0600 with O_EXCL, written, fsynced,
// then renamed over the destination ([Replace]) or hard-linked to it
// ([Create], which never replaces an existing file), and the folder is
// fsynced. A writer killed between create and rename leaves its temporary
// file behind: [RemoveStale] removes those, called by whoever holds the lock
// that guards the writers.
//
// Package vault (vault.json and its .bak), the backup export and the folder
// sync remote all write through it. [ReplaceUnsynced] is the one write
// without the fsyncs, for a file whose loss costs nothing but a preference.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// tempPrefix starts the name of every temporary file.
const tempPrefix = ".tmp-"

// Replace writes data to path, 0600, replacing what is there. When bak is
// not empty, the current file (if any) is first hard-linked to bak,
// replacing bak, so bak always holds the previous good version.
func Replace(path string, data []byte, bak string) error {
	tmp, err := writeTemp(path, data)
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			os.Remove(tmp)
		}
	}()
	if bak != "" {
		if _, err := os.Lstat(path); err == nil {
			if err := os.Remove(bak); err != nil && !errors.Is(err, fs.ErrNotExist) {
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
	return SyncDir(filepath.Dir(path))
}

// ReplaceUnsynced is Replace (no bak) for a file whose loss costs nothing
// but a preference (the code screen's recent.json): the temporary file is
// renamed over path without an fsync of it or of the folder. A kill leaves
// the old content or the new, never a mix; a power cut may also leave the
// file empty, which its reader must take as no file.
func ReplaceUnsynced(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), tempPrefix+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// Create writes data to a new file at path, 0600, and fails with an error
// wrapping fs.ErrExist when path exists, even if it appeared while the data
// was being written (the temporary file is hard-linked to path, which never
// replaces). Where the file system has no hard links (FAT on a USB stick), a
// rename after a last check stands in for the link.
func Create(path string, data []byte) error {
	tmp, err := writeTemp(path, data)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return &fs.PathError{Op: "create", Path: path, Err: fs.ErrExist}
		}
		if _, err := os.Lstat(path); err == nil {
			return &fs.PathError{Op: "create", Path: path, Err: fs.ErrExist}
		}
		if err := os.Rename(tmp, path); err != nil {
			return err
		}
	}
	return SyncDir(filepath.Dir(path))
}

// writeTemp writes data to a new temporary file beside path and returns its
// name. On error nothing is left behind.
func writeTemp(path string, data []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), tempPrefix+filepath.Base(path)+"-*")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return "", err
	}
	return tmp, nil
}

// RemoveStale removes the temporary files of name in dir that are older
// than age (0: all of them), left by writers killed before their rename.
// Call it only while no writer of that name can be running: under the lock
// that guards the writers, or with an age no write lasts.
func RemoveStale(dir, name string, age time.Duration) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), tempPrefix+name+"-") {
			continue
		}
		if age > 0 {
			info, err := e.Info()
			if err != nil || time.Since(info.ModTime()) <= age {
				continue
			}
		}
		os.Remove(filepath.Join(dir, e.Name()))
	}
}

// MkdirPrivate creates dir (and its parents) with mode 0700 and tightens an
// existing dir to 0700.
func MkdirPrivate(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.Chmod(dir, 0o700)
}
