//go:build unix

package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// checkTrusted reports why name is not trusted: the file and every
// directory above it, up to the root, must be owned by root and writable by
// no group or other user. A symbolic link is followed, and both the
// directories holding the link and those holding its target are checked.
func checkTrusted(name string) error {
	abs, err := filepath.Abs(name)
	if err != nil {
		return fmt.Errorf("is not trusted: %w", err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return fmt.Errorf("is not trusted: %w", err)
	}
	if err := checkOwner(real, true); err != nil {
		return err
	}
	for _, start := range []string{filepath.Dir(abs), filepath.Dir(real)} {
		for dir := start; ; dir = filepath.Dir(dir) {
			if err := checkOwner(dir, false); err != nil {
				return err
			}
			if dir == filepath.Dir(dir) {
				break
			}
		}
	}
	return nil
}

// checkOwner checks one file or directory (followed if a link).
func checkOwner(name string, regular bool) error {
	st, err := os.Stat(name)
	if err != nil {
		return fmt.Errorf("is not trusted: %w", err)
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("is not trusted: the owner of %s cannot be read", name)
	}
	if regular && !st.Mode().IsRegular() {
		return fmt.Errorf("is not trusted: it is not a regular file")
	}
	if sys.Uid != 0 {
		return fmt.Errorf("is not trusted: %s is owned by uid %d, not root", name, sys.Uid)
	}
	if st.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("is not trusted: %s is writable by its group or others (mode %04o)", name, st.Mode().Perm())
	}
	return nil
}
