package tui

// Backups in tests use scrypt work factor 10 (milliseconds) instead of the
// product's 18 (about a second). This file exists only in the test binary.
func init() { backupWorkFactor = 10 }
