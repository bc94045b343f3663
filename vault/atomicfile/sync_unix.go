//go:build !windows

package atomicfile

import "os"

// SyncDir fsyncs a folder, so a rename or link in it survives a crash.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
