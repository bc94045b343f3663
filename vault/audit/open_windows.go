//go:build windows

package audit

// oNoBlockNoFollow: Windows has neither FIFOs at a path nor O_NOFOLLOW;
// the Lstat before the open still refuses a symlink.
const oNoBlockNoFollow = 0
