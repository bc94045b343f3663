// Package vaulttest holds test doubles for code above package vault. Only
// tests import it.
package vaulttest

import "github.com/wardkey/wardkey/vault"

// MemoryKeyring is an in-memory Keyring for tests of code above the vault.
type MemoryKeyring map[string]string

// Get implements vault.Keyring.
func (m MemoryKeyring) Get(service, user string) (string, error) {
	v, ok := m[service+"\x00"+user]
	if !ok {
		return "", vault.ErrKeyringMissing
	}
	return v, nil
}

// Set implements vault.Keyring.
func (m MemoryKeyring) Set(service, user, secret string) error {
	m[service+"\x00"+user] = secret
	return nil
}

// Delete implements vault.Keyring.
func (m MemoryKeyring) Delete(service, user string) error {
	delete(m, service+"\x00"+user)
	return nil
}
