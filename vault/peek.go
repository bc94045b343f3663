package vault

import (
	"bytes"
	"encoding/json"
	"io"
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
// overlaps them). It checks what Load and Open check before Open asks
// the keyring: the folder and the file (no symlink, no FIFO, a regular
// file), the header (parseFile's checkHeader, a payload after the line)
// and the slot (it names the header's key, as unwrapSlot requires). ok is
// false for a format-1 file, one without a keyring slot, or one that
// cannot be read or does not pass; Load, which is what opens a vault,
// then says why. Nothing read here is trusted beyond naming the keyring
// item: Load parses the file again.
func PeekKeyringSlot(dir string) (service, user string, info Info, ok bool) {
	if checkDir(dir) != nil {
		return "", "", Info{}, false
	}
	f, err := openNoFollow(filepath.Join(dir, VaultFile))
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
	line, rest, found := bytes.Cut(buf[:n], []byte{'\n'})
	if !found || len(bytes.TrimRight(rest, " \t\r\n")) == 0 {
		return "", "", Info{}, false // format 1 (one JSON object), no header line, or no payload after it
	}
	var env envelope
	var h header
	if json.Unmarshal(line, &env) != nil || len(env.Header) == 0 || json.Unmarshal(env.Header, &h) != nil ||
		h.Version < 2 || checkHeader(h, true, env.Payload != nil) != nil {
		return "", "", Info{}, false
	}
	info = Info{ID: h.VaultID}
	cur := keyRef{h.KeyID, h.KeyGen}
	for _, s := range env.Slots {
		info.Slots = append(info.Slots, s.Kind)
		if s.Kind == SlotKeyring && !ok {
			if s.KeyID != "" && s.ref() != cur {
				return "", "", Info{}, false // a slot of an earlier key: Open refuses it unasked
			}
			service, user, ok = s.Service, s.User, true
		}
	}
	return service, user, info, ok
}
