//go:build !wardkey_lean

package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/wardkey/wardkey/app/tui"
	"github.com/wardkey/wardkey/vault"
)

// listProfiles is every profile in home that has a vault, sorted by name,
// with what the picker shows and the unlock screen needs: display name and
// slot kinds (read from the vault's header; nothing is decrypted). Named
// profiles never open from a passphrase file or by default with the
// keyring: each person types their own passphrase.
func listProfiles(home string) ([]tui.Profile, error) {
	ents, err := os.ReadDir(home)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list the profiles in %s: %w", home, err)
	}
	var out []tui.Profile
	for _, ent := range ents {
		dir := filepath.Join(home, ent.Name())
		if !ent.IsDir() || vault.CheckProfile(ent.Name()) != nil || !vault.Exists(dir) {
			continue
		}
		info, err := vault.ReadInfo(dir)
		if err != nil {
			continue // a damaged vault is for 'wardkey doctor', not the picker
		}
		out = append(out, tui.Profile{Name: ent.Name(), DisplayName: displayName(dir), HasVault: true, Slots: info.Slots})
	}
	// Display names are unique when set through wardkey; profile.json is
	// plaintext, though, and two people shown by one name could type their
	// passphrase into the other's profile: such names are not shown (the
	// picker shows the profile names).
	seen := map[string]int{}
	for _, p := range out {
		if p.DisplayName != "" {
			seen[strings.ToLower(p.DisplayName)]++
		}
	}
	for i, p := range out {
		if seen[strings.ToLower(p.DisplayName)] > 1 {
			out[i].DisplayName = ""
		}
	}
	return out, nil
}

// displayName is the display name in the profile folder dir's
// profile.json (vault.LoadProfileInfo: cleaned, or dropped when someone
// wrote one that is not plain text), or "".
func displayName(dir string) string {
	p, err := vault.LoadProfileInfo(dir)
	if err != nil {
		return ""
	}
	return p.DisplayName
}
