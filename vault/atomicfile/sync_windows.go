//go:build windows

package atomicfile

// SyncDir is a no-op: Windows cannot fsync a folder (its renames are
// journalled by NTFS).
func SyncDir(string) error { return nil }
