package replica

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wardkey/wardkey/vault/atomicfile"
)

// Folder is a remote that is a folder: a network share, or a folder that
// Syncthing or Nextcloud keeps in step between machines. Writes go through
// a temporary file in the same folder, fsync and rename.
type Folder struct {
	root string
}

// String is the folder's absolute path.
func (f *Folder) String() string { return f.root }

func (f *Folder) path(name string) (string, error) {
	c, err := cleanName(name)
	if err != nil {
		return "", err
	}
	return filepath.Join(f.root, filepath.FromSlash(c)), nil
}

// ErrSymlink: a name inside the folder remote is a symlink. Anyone who can
// write to a shared folder could plant one to redirect where a replica is
// written or read from, so none is followed below the remote's root.
var ErrSymlink = errors.New("is a symlink inside the remote folder, which wardkey does not follow")

// noSymlinks checks every existing component of p below the root with
// Lstat: a symlink fails with ErrSymlink. Missing components are fine.
func (f *Folder) noSymlinks(p string) error {
	rel, err := filepath.Rel(f.root, p)
	if err != nil || rel == "." {
		return err
	}
	cur := f.root
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		cur = filepath.Join(cur, part)
		st, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if st.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s %w", cur, ErrSymlink)
		}
	}
	return nil
}

// List implements Remote.
func (f *Folder) List(ctx context.Context, dir string) ([]Entry, error) {
	p, err := f.path(dir)
	if err != nil {
		return nil, err
	}
	if err := f.noSymlinks(p); err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", p, err)
	}
	out := make([]Entry, 0, len(ents))
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		out = append(out, Entry{Name: e.Name(), Dir: e.IsDir()})
	}
	return out, nil
}

// Read implements Remote.
func (f *Folder) Read(ctx context.Context, name string) ([]byte, error) {
	p, err := f.path(name)
	if err != nil {
		return nil, err
	}
	if err := f.noSymlinks(p); err != nil {
		return nil, err
	}
	fh, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("%s: %w", p, ErrTooLarge)
	}
	return b, nil
}

// staleTemp is the age after which a temporary file left by a killed
// writer of the same name is removed.
const staleTemp = time.Hour

// Write implements Remote: temporary file, fsync, rename, fsync the folder.
// A done ctx (a lock) writes nothing.
// No folder below the root may be a symlink; a symlink at the file itself
// is replaced by the rename, never written through.
func (f *Folder) Write(ctx context.Context, name string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := f.path(name)
	if err != nil {
		return err
	}
	dir := filepath.Dir(p)
	if err := f.noSymlinks(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	// Checked again: a symlink planted while the folders were made.
	if err := f.noSymlinks(dir); err != nil {
		return err
	}
	atomicfile.RemoveStale(dir, filepath.Base(p), staleTemp)
	if err := atomicfile.Replace(p, data, ""); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}
