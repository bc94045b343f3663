//go:build !linux

package vault

// secureAlloc returns n zero bytes from the heap: on Windows and macOS the
// vault's buffers are ordinary memory, wiped on Close.
func secureAlloc(n int) []byte { return make([]byte, n) }

func secureAllocUnlocked(n int) []byte { return make([]byte, n) }

func secureLock([]byte, int, int) {}

func secureRelease([]byte) {}

func secureRelock([]byte) {}
