package vault

import (
	"encoding/base64"
	"fmt"
)

// Keyring stores small secrets under a service and user name: the OS keyring
// (Secret Service, Keychain, Credential Manager) or a stand-in in tests.
// The OS keyring's adapter is package vault/keyring; vault only needs this.
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// Probe checks that the keyring can be written and read, with a throwaway
// item. It returns nil when a keyring slot would work.
func Probe(k Keyring) error {
	user := "probe:" + NewID()
	if err := k.Set(KeyringService, user, "ok"); err != nil {
		return err
	}
	defer func() { _ = k.Delete(KeyringService, user) }()
	v, err := k.Get(KeyringService, user)
	if err != nil {
		return err
	}
	if v != "ok" {
		return fmt.Errorf("%w: it returned something else than was stored", ErrKeyringUnavailable)
	}
	return nil
}

func keyringUser(vaultID string) string { return "vault:" + vaultID }

// storeKeyringKey writes key to the keyring item of vault vaultID and
// returns the slot naming it. The keyring API takes strings, so the key
// passes through one base64 string here (go-keyring keeps its own copies
// until the process exits: docs/threat-model.md).
func storeKeyringKey(k Keyring, vaultID string, ref keyRef, key []byte) (Slot, error) {
	user := keyringUser(vaultID)
	if err := k.Set(KeyringService, user, base64.StdEncoding.EncodeToString(key)); err != nil {
		return Slot{}, err
	}
	return Slot{Kind: SlotKeyring, KeyID: ref.id, KeyGen: ref.gen, Service: KeyringService, User: user}, nil
}

func loadKeyringKey(k Keyring, s Slot) ([]byte, error) {
	v, err := k.Get(s.Service, s.User)
	if err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(key) != keySize {
		return nil, fmt.Errorf("the keyring item %s/%s is not a wardkey key: %w", s.Service, s.User, ErrTampered)
	}
	return key, nil
}
