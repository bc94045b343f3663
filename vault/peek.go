package vault

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
)

// maxPeek bounds what PeekKeyringSlot reads: a header line with its slots
// is well under 4 KiB.
const maxPeek = 64 << 10

// PeekKeyringSlot reads the first line of a format-2 vault file in dir,
// its header and slots, without the payload, and returns its keyring
// slot's service and user and the file's slot kinds: a caller can ask the
// OS keyring for the key while Load reads the rest (app: a code's time is
// mostly the Secret Service's round trips, and a large vault's read
// overlaps them). The folder and the file are checked as Load checks them
// (no symlink, not another user's folder). ok is false for a format-1
// file, one without a keyring slot, or one that cannot be read or parsed;
// Load, which is what opens a vault, then says why. Nothing read here is
// trusted beyond naming the keyring item: Load parses the file again.
func PeekKeyringSlot(dir string) (service, user string, info Info, ok bool) {
	if checkDir(dir) != nil {
		return "", "", Info{}, false
	}
	f, err := os.OpenFile(filepath.Join(dir, VaultFile), os.O_RDONLY|oNoFollow, 0)
	if err != nil {
		return "", "", Info{}, false
	}
	defer f.Close()
	buf := make([]byte, 4096)
	n, err := io.ReadFull(f, buf)
	for err == nil && bytes.IndexByte(buf[:n], '\n') < 0 && len(buf) < maxPeek {
		buf = append(buf, make([]byte, len(buf))...)
		var m int
		m, err = io.ReadFull(f, buf[n:])
		n += m
	}
	line, _, found := bytes.Cut(buf[:n], []byte{'\n'})
	if !found {
		return "", "", Info{}, false // format 1 (one JSON object), or no header line
	}
	var env envelope
	var h header
	if json.Unmarshal(line, &env) != nil || json.Unmarshal(env.Header, &h) != nil || h.Format != FormatName || h.Version != 2 {
		return "", "", Info{}, false
	}
	info = Info{ID: h.VaultID}
	for _, s := range env.Slots {
		info.Slots = append(info.Slots, s.Kind)
		if s.Kind == SlotKeyring && !ok {
			service, user, ok = s.Service, s.User, true
		}
	}
	return service, user, info, ok
}
