package vault

import (
	"errors"
	"fmt"
	"slices"
)

// JoinOptions say how a vault joined from a sync remote is made
// (`wardkey sync join`).
type JoinOptions struct {
	Options
	// Slot is the vault's passphrase slot as the remote keeps it
	// (key.json); the joined vault stores it as is, so the same passphrase
	// opens the vault on every workstation.
	Slot Slot
	// Keyring, when non-nil, also stores the key in this machine's keyring.
	Keyring Keyring
	// State is the content merged from the remote's replicas.
	State State
}

// CreateJoined makes, in dir, the vault whose ID is id and whose key is
// key: the same vault another workstation created, joined through sync. The
// caller unwrapped key from o.Slot with the passphrase, and wipes it. The
// device ID is this profile's own (local.json), never the other
// workstation's. It fails with ErrExists if a vault is there.
func CreateJoined(dir, id string, key []byte, o JoinOptions) (*Vault, error) {
	if id == "" || len(key) != keySize {
		return nil, errors.New("join: a vault ID and a 256-bit key are needed")
	}
	if o.Slot.Kind != SlotPassphrase || o.Slot.KDF == nil {
		return nil, fmt.Errorf("join: the remote's key is not a passphrase slot: %w", ErrTampered)
	}
	ref := o.Slot.ref()
	if ref.id == "" {
		ref = keyRef{id: legacyKeyID(key)}
	}
	return create(dir, id, ref, slices.Clone(key), o.Options, o.State, func(v *Vault) ([]Slot, error) {
		slots, err := keyringSlots(o.Keyring, v)
		if err != nil {
			return nil, err
		}
		slot := o.Slot
		kdf := *o.Slot.KDF
		slot.KDF = &kdf
		return append(slots, slot), nil
	})
}
