package vault

// Memory the vault owns. The vault key, the audit key, previous keys and
// the decrypted secrets are kept in buffers from secureAlloc: on Linux
// anonymous pages of their own (mmap), locked into RAM (mlock)
// where the process may, so they are not swapped out, not in core dumps,
// and not mixed with the garbage collector's heap; elsewhere (Windows, macOS), or when the OS refuses, the
// heap. Every buffer is wiped before it is given back (secureFree), and
// Close gives back all of them.

// secureBytes returns a buffer the vault owns holding a copy of b.
func secureBytes(b []byte) []byte {
	out := secureAlloc(len(b))
	copy(out, b)
	return out
}

// secureFree wipes b and gives it back. Buffers not made by secureAlloc
// are only wiped.
func secureFree(b []byte) {
	if b == nil {
		return
	}
	clear(b[:cap(b)])
	secureRelease(b)
}
