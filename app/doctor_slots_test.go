package app

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardkey/wardkey/vault"
)

// doctor checks the structure of every slot, not only the one that opened
// the vault: a damaged recovery slot fails it, naming the slot.
func TestDoctorFindsDamagedSlot(t *testing.T) {
	tests := []struct {
		name, want string
		damage     func(slot map[string]any)
	}{
		{"wrapped key cut short", "its wrapped key is", func(s map[string]any) { s["wrapped"] = "AAAA" }},
		{"nonce cut short", "its nonce is 3 bytes", func(s map[string]any) { s["nonce"] = "AAAA" }},
		{"recipient cut short", "its recipient is 3 bytes", func(s map[string]any) { s["recipient"] = "AAAA" }},
		{"kdf out of range", "key derivation", func(s map[string]any) { s["kdf"].(map[string]any)["alg"] = "md5" }},
		{"kind unknown", `the kind "recovrey" is not known`, func(s map[string]any) { s["kind"] = "recovrey" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			pass := filepath.Join(home, "pass")
			must(t, os.WriteFile(pass, []byte("a long enough passphrase\n"), 0o600))
			t.Setenv("WARDKEY_HOME", home)
			t.Setenv("WARDKEY_PASSPHRASE_FILE", pass)
			t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
			wardkey(t, "init", "--recovery-out", filepath.Join(home, "code.txt"))
			if code, out, errs := runHere("doctor"); !strings.Contains(out, "ok    vault") {
				t.Fatalf("a sound vault: exit %d\n%s%s", code, out, errs)
			}
			file := filepath.Join(home, "default", vault.VaultFile)
			b, err := os.ReadFile(file)
			must(t, err)
			// Format 2: a JSON line (header and slots), then the payload.
			line, payload, _ := bytes.Cut(b, []byte("\n"))
			var env map[string]json.RawMessage
			must(t, json.Unmarshal(line, &env))
			var slots []map[string]any
			must(t, json.Unmarshal(env["slots"], &slots))
			for _, s := range slots {
				if s["kind"] == vault.SlotRecovery {
					tt.damage(s)
				}
			}
			env["slots"], err = json.Marshal(slots)
			must(t, err)
			line, err = json.Marshal(env)
			must(t, err)
			must(t, os.WriteFile(file, append(append(line, '\n'), payload...), 0o600))
			code, out, _ := runHere("doctor")
			if code != 1 || !strings.Contains(out, "FAIL  vault") || !strings.Contains(out, tt.want) {
				t.Fatalf("doctor over a damaged recovery slot: exit %d\n%s", code, out)
			}
		})
	}
}
