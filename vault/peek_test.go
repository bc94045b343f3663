//go:build unix

package vault

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
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
	// The header checks Load and Open make before Open asks the keyring.
	edit := func(f func(env map[string]any, h map[string]any)) []byte {
		var env, h map[string]any
		if err := json.Unmarshal(line, &env); err != nil {
			t.Fatal(err)
		}
		hb, _ := json.Marshal(env["header"])
		if err := json.Unmarshal(hb, &h); err != nil {
			t.Fatal(err)
		}
		f(env, h)
		env["header"] = h
		b, err := json.Marshal(env)
		if err != nil {
			t.Fatal(err)
		}
		return append(append(b, '\n'), rest...)
	}
	if _, _, _, ok := PeekKeyringSlot(write(edit(func(map[string]any, map[string]any) {}))); !ok {
		t.Fatal("the header line re-encoded unchanged is refused: the cases below prove nothing")
	}
	earlier := edit(func(env, h map[string]any) {
		for _, s := range env["slots"].([]any) {
			if s.(map[string]any)["kind"] == SlotKeyring {
				s.(map[string]any)["key_id"] = strings.Repeat("0", len(h["key_id"].(string)))
			}
		}
	})
	noID := edit(func(_, h map[string]any) { h["vault_id"] = "" })
	badKeyID := edit(func(_, h map[string]any) { h["key_id"] = "not a key id" })
	shortNonce := edit(func(_, h map[string]any) { h["nonce"] = "AAAA" })
	fifo := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(fifo, VaultFile), 0o600); err != nil {
		t.Fatal(err)
	}
	long := append(append(bytes.Replace(line, []byte(`"slots":[`), []byte(`"slots":[`+strings.Repeat(`{"kind":"x"},`, 6000)), 1), '\n'), rest...)
	for name, dir := range map[string]string{
		"passphrase only":          passOnly,
		"format 1":                 write(v1),
		"a symlink":                link,
		"no vault":                 t.TempDir(),
		"a header beyond 64K":      write(long),
		"not JSON":                 write(append([]byte("{not json\n"), rest...)),
		"no newline":               write(line),
		"a slot of an earlier key": write(earlier),
		"no vault ID":              write(noID),
		"a bad key ID":             write(badKeyID),
		"a short nonce":            write(shortNonce),
		"a FIFO":                   fifo,
		"nothing after the line":   write(append(append([]byte{}, line...), '\n')),
		"another format's name":    write(append(bytes.Replace(line, []byte(FormatName), []byte("other"), 1), append([]byte{'\n'}, rest...)...)),
	} {
		if s, u, _, ok := PeekKeyringSlot(dir); ok {
			t.Errorf("%s: peek named %q %q", name, s, u)
		}
	}
	// Load refuses the FIFO too, without waiting for a writer.
	if _, err := Load(fifo); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Load of a FIFO: %v", err)
	}
	if len(long) < maxPeek {
		t.Fatalf("the long header is only %d bytes", len(long))
	}
}
