package app

// Backups in tests use scrypt work factor 10 (milliseconds) instead of the
// product's 18 (about a second). This file exists only in the test binary,
// which is also the `wardkey` of the CLI scripts.
func init() { backupWorkFactor = 10 }
