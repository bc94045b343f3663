//go:build windows

package vault

// Windows has no O_NOFOLLOW; checkDir's Lstat still refuses a symlinked
// profile folder.
const oNoFollow = 0

// oNonBlock: Windows has no FIFOs in the file system.
const oNonBlock = 0

func isSymlinkErr(error) bool { return false }
