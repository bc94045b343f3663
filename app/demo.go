package app

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/wardkey/wardkey/assets"
	"github.com/wardkey/wardkey/importer/otpauth"
	"github.com/wardkey/wardkey/vault"
)

// demoVault opens the embedded demo accounts in memory: nothing is written.
func demoVault() (*vault.Vault, error) {
	v := vault.NewMemory(vault.State{})
	sc := bufio.NewScanner(strings.NewReader(assets.DemoURIs))
	n := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n++
		a, err := otpauth.Parse(line)
		if err != nil {
			return nil, fmt.Errorf("demo vault line %d: %w", n, err)
		}
		if err := v.Update(func(tx *vault.Tx) error { _, err := tx.Add(a); return err }); err != nil {
			return nil, err
		}
	}
	return v, nil
}
