package vault

import (
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// owned records the mappings secureAlloc made, by the address of their
// first byte, so secureRelease unmaps only what it mapped.
var owned sync.Map // uintptr -> []byte (the whole mapping)

// secureAlloc returns n zero bytes in a private anonymous mapping, locked
// into RAM where the OS allows (EPERM and ENOMEM from mlock are ignored: the
// pages are still the vault's own), or from the heap if mmap fails.
func secureAlloc(n int) []byte {
	b := secureAllocUnlocked(n)
	secureRelock(b) // EPERM (no CAP_IPC_LOCK, RLIMIT_MEMLOCK) or ENOMEM: stay unlocked
	return b
}

// secureAllocUnlocked is secureAlloc without the lock, which maps every
// page: for a buffer only parts of which are filled (a format-3 payload
// opened for one account), each part locked with secureLock before it is
// written.
func secureAllocUnlocked(n int) []byte {
	if n == 0 {
		return []byte{}
	}
	page := unix.Getpagesize()
	size := (n + page - 1) / page * page
	m, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return make([]byte, n)
	}
	_ = unix.Madvise(m, unix.MADV_DONTDUMP) // keep the pages out of core dumps
	owned.Store(uintptr(unsafe.Pointer(&m[0])), m)
	return m[:n:n]
}

// secureLock locks the pages holding m[lo:hi] into RAM before they are
// written; m is a buffer from secureAllocUnlocked (its first byte starts
// a page). Errors are ignored as in secureAlloc.
func secureLock(m []byte, lo, hi int) {
	if lo >= hi {
		return
	}
	if _, ok := owned.Load(uintptr(unsafe.Pointer(&m[0]))); !ok {
		return // the heap's (mmap failed): it would stay locked after the buffer is gone
	}
	_ = unix.Mlock(m[lo&^(unix.Getpagesize()-1) : hi])
}

// secureRelock tries again to lock a buffer made by secureAlloc into RAM:
// its lock may have failed while other locked buffers held the process's
// RLIMIT_MEMLOCK (the decrypted payload, while the arena was filled from
// it). Errors are ignored as in secureAlloc.
func secureRelock(b []byte) {
	if cap(b) == 0 {
		return
	}
	if m, ok := owned.Load(uintptr(unsafe.Pointer(&b[:1][0]))); ok {
		_ = unix.Mlock(m.([]byte))
	}
}

// secureRelease unmaps a buffer made by secureAlloc (already wiped).
func secureRelease(b []byte) {
	if cap(b) == 0 {
		return
	}
	p := uintptr(unsafe.Pointer(&b[:1][0]))
	m, ok := owned.LoadAndDelete(p)
	if !ok {
		return
	}
	mm := m.([]byte)
	_ = unix.Munlock(mm)
	_ = unix.Munmap(mm)
}
