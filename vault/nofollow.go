package vault

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrSymlink: a profile folder or one of its files is a symlink. wardkey
// never follows one there: a symlink planted under WARDKEY_HOME would
// redirect where the vault is read from or written to.
var ErrSymlink = errors.New("is a symlink, which wardkey does not follow")

// checkDir refuses a profile folder that is a symlink (or not a folder).
// A missing one is fine (it is created).
func checkDir(dir string) error {
	st, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case st.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("the profile folder %s %w", dir, ErrSymlink)
	case !st.IsDir():
		return fmt.Errorf("the profile folder %s is not a folder", dir)
	}
	return nil
}

// openNoFollow opens a file of the profile for reading without following
// a symlink and without waiting on a FIFO planted in its place (O_NONBLOCK,
// which a regular file ignores), and refuses anything but a regular file.
func openNoFollow(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|oNoFollow|oNonBlock, 0)
	if err != nil {
		if isSymlinkErr(err) {
			return nil, fmt.Errorf("%s %w", path, ErrSymlink)
		}
		return nil, err
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = fmt.Errorf("%s is not a regular file", path)
		}
		return nil, err
	}
	return f, nil
}

// readNoFollow reads a file of the profile without following a symlink
// (the profile folder itself checked too), at most max bytes.
func readNoFollow(path string, max int64) ([]byte, error) {
	f, err := openNoFollow(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readOpen(f, path, max)
}

// readOpen reads f, opened from path by openNoFollow, from where it is to
// its end, at most max bytes.
func readOpen(f *os.File, path string, max int64) ([]byte, error) {
	// Sized from the file, as os.ReadFile does: io.ReadAll's growing
	// buffer copied a 10,000-account vault several times over.
	size := 512
	if st, err := f.Stat(); err == nil && st.Size() > 0 && st.Size() <= max {
		size = int(st.Size()) + 1 // one more byte, to see the end without growing
	}
	b := make([]byte, 0, size)
	r := io.LimitReader(f, max+1)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, max)
	}
	return b, nil
}
