package vault

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// PeekKeyringSlot names the keyring item of a format-2 file from its first
// line alone, with the slot kinds Load sees, and names nothing for a
// format-1 file, a file without a keyring slot, a symlink, a header line
// beyond its bound, or what is not a vault.
func TestPeekKeyringSlot(t *testing.T) {
	cheap := Options{KDF: &KDFParams{Alg: "argon2id", Memory: 64, Time: 1, Threads: 1}}
	kr := memKeyring{}
	withKeyring := t.TempDir()
	v, err := Create(withKeyring, CreateOptions{Options: cheap, Keyring: kr, Passphrase: []byte("pw")})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	service, user, info, ok := PeekKeyringSlot(withKeyring)
	f, err := Load(withKeyring)
	if err != nil {
		t.Fatal(err)
	}
	var slot Slot
	for _, s := range f.p.env.Slots {
		if s.Kind == SlotKeyring {
			slot = s
		}
	}
	if !ok || service != slot.Service || user != slot.User || service == "" || user == "" || info.ID != f.Info().ID || !slices.Equal(info.Slots, f.Info().Slots) {
		t.Errorf("peek: %q %q %+v %v; Load: slot %q %q, %+v", service, user, info, ok, slot.Service, slot.User, f.Info())
	}

	passOnly := t.TempDir()
	v, err = Create(passOnly, CreateOptions{Options: cheap, Passphrase: []byte("pw")})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	raw, err := os.ReadFile(filepath.Join(withKeyring, VaultFile))
	if err != nil {
		t.Fatal(err)
	}
	line, rest, _ := bytes.Cut(raw, []byte{'\n'})
	write := func(b []byte) string {
		d := t.TempDir()
		if err := os.WriteFile(filepath.Join(d, VaultFile), b, 0o600); err != nil {
			t.Fatal(err)
		}
		return d
	}
	v1, err := os.ReadFile(filepath.Join("testdata", "vault-v1-json.json"))
	if err != nil {
		t.Fatal(err)
	}
	link := t.TempDir()
	if err := os.Symlink(filepath.Join(withKeyring, VaultFile), filepath.Join(link, VaultFile)); err != nil {
		t.Fatal(err)
	}
	long := append(append(bytes.Replace(line, []byte(`"slots":[`), []byte(`"slots":[`+strings.Repeat(`{"kind":"x"},`, 6000)), 1), '\n'), rest...)
	for name, dir := range map[string]string{
		"passphrase only":       passOnly,
		"format 1":              write(v1),
		"a symlink":             link,
		"no vault":              t.TempDir(),
		"a header beyond 64K":   write(long),
		"not JSON":              write(append([]byte("{not json\n"), rest...)),
		"no newline":            write(line),
		"another format's name": write(append(bytes.Replace(line, []byte(FormatName), []byte("other"), 1), append([]byte{'\n'}, rest...)...)),
	} {
		if s, u, _, ok := PeekKeyringSlot(dir); ok {
			t.Errorf("%s: peek named %q %q", name, s, u)
		}
	}
	if len(long) < maxPeek {
		t.Fatalf("the long header is only %d bytes", len(long))
	}
}
