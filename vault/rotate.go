package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
)

// Key rotation (docs/vault-format.md, "Key rotation"). `wardkey passwd`,
// `recovery` and `rekey` give the vault a new random key: every slot is
// rewrapped (the passphrase slot under the passphrase just typed, the
// keyring item rewritten, the recovery slot re-sealed to its public key),
// the payload sealed under the new key keeps the previous keys (so replicas
// still sealed under them are read and merged), and vault.json.bak is
// rewritten. An old passphrase, an old copy of a slot, an old key.json or
// an old recovery code then opens nothing written under the new key.

// RekeyOptions say how the slots of a rotated vault are made.
type RekeyOptions struct {
	Options
	// Passphrase is the passphrase of the new passphrase slot, wiped by
	// Rekey. With NewPassphrase it is a new one (passwd); otherwise it must
	// open the current passphrase slot (Rekey checks, so a typo cannot
	// become the passphrase). Needed when the vault has a passphrase slot.
	Passphrase    []byte
	NewPassphrase bool
	// RecoveryCode, when set, is a new recovery code (or the one just used
	// to open the vault): the recovery slot is made for it. Otherwise an
	// asymmetric recovery slot is re-sealed to its public key, and a
	// format-1 recovery slot, which needs its code, is dropped
	// (RekeyResult.RecoveryDropped).
	RecoveryCode string
	// Keyring is where the keyring slot's item is rewritten; needed when
	// the vault has a keyring slot.
	Keyring Keyring
	// DropKeyring leaves the keyring slot out of the rotated vault and,
	// once the file is written, deletes its item from Keyring (a shared
	// machine: a vault that opened with the keyring gets a passphrase
	// instead). The rotation means the old item opens nothing written
	// from now on, even where it cannot be deleted (RekeyResult.KeyringLeft).
	DropKeyring bool
}

// RekeyResult says what a rotation did.
type RekeyResult struct {
	KeyID           string
	Slots           []string // kinds, in file order
	RecoveryDropped bool     // a format-1 recovery slot could not be re-sealed
	// KeyringLeft is why a dropped keyring slot's item (DropKeyring) could
	// not be deleted: it holds the previous key only.
	KeyringLeft error
}

// ErrPassphraseNeeded: a rotation needs the vault passphrase to rewrap the
// passphrase slot.
var ErrPassphraseNeeded = errors.New("the vault passphrase is needed to give the vault a new key")

// Rekey gives the vault a new key (see the package comment above). On
// failure the vault on disk and in memory is unchanged.
func (v *Vault) Rekey(ctx context.Context, o RekeyOptions) (RekeyResult, error) {
	defer wipe(o.Passphrase)
	if v.dir == "" {
		return RekeyResult{}, errors.New("the demo vault has no key to change")
	}
	var code []byte
	if o.RecoveryCode != "" {
		c, err := NormalizeRecoveryCode(o.RecoveryCode)
		if err != nil {
			return RekeyResult{}, err
		}
		code = []byte(c)
		defer wipe(code)
	}
	v.mu.Lock()
	gen := v.ref.gen
	for _, k := range v.oldKeys {
		gen = max(gen, k.gen)
	}
	v.mu.Unlock()
	newKey := secureBytes(randomBytes(keySize))
	ref := keyRef{id: newKeyID(), gen: gen + 1}
	res := RekeyResult{KeyID: ref.id}
	c := &change{newKey: newKey, newRef: ref}
	dropped := false
	c.slots = func(disk []Slot) ([]Slot, error) {
		var out []Slot
		hasPass := false
		hasRecovery := false
		dropped = false
		for _, s := range disk {
			switch s.Kind {
			case SlotKeyring:
				if o.DropKeyring {
					dropped = true
					continue
				}
				ns, err := v.keyringChange(c, o.Keyring, ref, newKey)
				if err != nil {
					return nil, err
				}
				out = append(out, ns)
			case SlotPassphrase:
				hasPass = true
				if len(o.Passphrase) == 0 {
					return nil, ErrPassphraseNeeded
				}
				if !o.NewPassphrase {
					key, err := s.open(v.id, o.Passphrase)
					if err != nil {
						return nil, err
					}
					same := bytes.Equal(key, v.key)
					wipe(key)
					if !same {
						return nil, fmt.Errorf("the passphrase slot: %w", ErrTampered)
					}
				}
				ns, err := newSecretSlot(SlotPassphrase, v.id, ref, newKey, o.Passphrase, o.kdf())
				if err != nil {
					return nil, err
				}
				out = append(out, ns)
			case SlotRecovery:
				hasRecovery = true
				switch {
				case code != nil:
					ns, err := newRecoverySlot(v.id, ref, newKey, code, o.kdf())
					if err != nil {
						return nil, err
					}
					out = append(out, ns)
				case s.Recipient != nil:
					ns, err := sealRecovery(s, v.id, ref, newKey)
					if err != nil {
						return nil, err
					}
					out = append(out, ns)
				default:
					res.RecoveryDropped = true
				}
			default:
				return nil, fmt.Errorf("a slot of kind %q: %w", s.Kind, ErrTampered)
			}
		}
		if !hasPass && o.NewPassphrase && len(o.Passphrase) > 0 {
			ns, err := newSecretSlot(SlotPassphrase, v.id, ref, newKey, o.Passphrase, o.kdf())
			if err != nil {
				return nil, err
			}
			out = append(out, ns)
		}
		if !hasRecovery && code != nil {
			ns, err := newRecoverySlot(v.id, ref, newKey, code, o.kdf())
			if err != nil {
				return nil, err
			}
			out = append(out, ns)
		}
		if len(out) == 0 {
			return nil, errors.New("the vault would have no slot left to open it")
		}
		return out, nil
	}
	if err := v.update(ctx, nil, c); err != nil {
		if v.KeyID() != c.newRef.id {
			secureFree(newKey) // not taken: the vault keeps its key
		}
		return RekeyResult{}, err
	}
	res.Slots = v.SlotKinds()
	if dropped {
		res.KeyringLeft = errors.New("no keyring to delete the item from")
		if o.Keyring != nil {
			res.KeyringLeft = o.Keyring.Delete(KeyringService, keyringUser(v.id))
			if errors.Is(res.KeyringLeft, ErrKeyringMissing) {
				res.KeyringLeft = nil
			}
		}
	}
	return res, nil
}

// keyringChange returns the keyring slot of the new key and arranges for
// c to rewrite the keyring item just before the file is written (and to
// put the previous item back if the write fails).
func (v *Vault) keyringChange(c *change, k Keyring, ref keyRef, key []byte) (Slot, error) {
	if k == nil {
		return Slot{}, fmt.Errorf("%w: the OS keyring holds this vault's key and must be rewritten", ErrKeyringUnavailable)
	}
	user := keyringUser(v.id)
	c.before = func() error {
		prev, err := k.Get(KeyringService, user)
		if err != nil && !errors.Is(err, ErrKeyringMissing) {
			return err
		}
		if _, err := storeKeyringKey(k, v.id, ref, key); err != nil {
			return err
		}
		c.undo = func() {
			if prev != "" {
				_ = k.Set(KeyringService, user, prev)
			}
		}
		return nil
	}
	return Slot{Kind: SlotKeyring, KeyID: ref.id, KeyGen: ref.gen, Service: KeyringService, User: user}, nil
}

// SetPassphrase gives the vault a new key with a passphrase slot under
// pass (replacing the old one), as `wardkey passwd` does; k is needed when
// the vault has a keyring slot. It wipes pass.
func (v *Vault) SetPassphrase(pass []byte, o Options) error {
	_, err := v.Rekey(context.Background(), RekeyOptions{Options: o, Passphrase: pass, NewPassphrase: true})
	return err
}

// AdoptKeyOptions describe a newer vault key found on a sync remote.
type AdoptKeyOptions struct {
	Options
	// Slot is the passphrase slot of the newer key (the remote's key.json);
	// it becomes this vault's passphrase slot, so the passphrase that opened
	// it opens this vault from now on.
	Slot Slot
	// Key is the newer key, unwrapped from Slot; the caller wipes it.
	Key []byte
	// Keyring rewrites the keyring item when the vault has a keyring slot.
	Keyring Keyring
}

// AdoptKey makes a newer key, made by a rotation on another workstation,
// this vault's key: the payload is re-sealed under it (keeping the current
// key among the previous ones), the passphrase slot becomes the remote's,
// the keyring item is rewritten and an asymmetric recovery slot re-sealed.
// A key the vault already had is left alone.
func (v *Vault) AdoptKey(ctx context.Context, o AdoptKeyOptions) (RekeyResult, error) {
	if v.dir == "" {
		return RekeyResult{}, errors.New("the demo vault has no key to change")
	}
	if len(o.Key) != keySize || o.Slot.Kind != SlotPassphrase || !validKeyID(o.Slot.KeyID) || o.Slot.KDF == nil {
		return RekeyResult{}, fmt.Errorf("adopt key: %w", ErrTampered)
	}
	ref := o.Slot.ref()
	v.mu.Lock()
	known := v.knows(ref.id)
	v.mu.Unlock()
	if known {
		return RekeyResult{KeyID: v.KeyID(), Slots: v.SlotKinds()}, nil
	}
	newKey := secureBytes(o.Key)
	res := RekeyResult{KeyID: ref.id}
	c := &change{newKey: newKey, newRef: ref}
	c.slots = func(disk []Slot) ([]Slot, error) {
		var out []Slot
		for _, s := range disk {
			switch s.Kind {
			case SlotKeyring:
				ns, err := v.keyringChange(c, o.Keyring, ref, newKey)
				if err != nil {
					return nil, err
				}
				out = append(out, ns)
			case SlotRecovery:
				if s.Recipient == nil {
					res.RecoveryDropped = true
					continue
				}
				ns, err := sealRecovery(s, v.id, ref, newKey)
				if err != nil {
					return nil, err
				}
				out = append(out, ns)
			}
		}
		slot := o.Slot
		kdf := *o.Slot.KDF
		slot.KDF = &kdf
		slot.Nonce, slot.Wrapped = slices.Clone(slot.Nonce), slices.Clone(slot.Wrapped)
		return append(out, slot), nil
	}
	if err := v.update(ctx, nil, c); err != nil {
		if v.KeyID() != c.newRef.id {
			secureFree(newKey) // not taken: the vault keeps its key
		}
		return RekeyResult{}, err
	}
	res.Slots = v.SlotKinds()
	return res, nil
}

// AddKeyringSlot stores the vault key in the keyring and adds the slot.
func (v *Vault) AddKeyringSlot(k Keyring) error {
	if v.dir == "" {
		return errors.New("the demo vault has no keyring slot")
	}
	return v.update(context.Background(), nil, &change{slots: func(old []Slot) ([]Slot, error) {
		s, err := storeKeyringKey(k, v.id, v.ref, v.key)
		if err != nil {
			return nil, err
		}
		out := slices.DeleteFunc(old, func(x Slot) bool { return x.Kind == SlotKeyring })
		return append(out, s), nil
	}})
}

// KeyNewer reports whether the key named by slot s (a remote's key.json)
// is newer than this vault's current key and one it never had: the vault
// should adopt it. A key it had before (an old key.json) or an older one
// is not.
func (v *Vault) KeyNewer(s Slot) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if s.KeyID == "" || v.knows(s.KeyID) {
		return false
	}
	return s.ref().newer(v.ref)
}

// KnowsKey reports whether id names this vault's current or a previous key.
func (v *Vault) KnowsKey(id string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.knows(id)
}

// ErrRecoveryExists: the vault already has a recovery slot; a new code
// replaces it only through a key rotation (Rekey), so the old code opens
// nothing written afterwards.
var ErrRecoveryExists = errors.New("the vault already has a recovery code")

// AddRecoverySlot adds a recovery slot for code to a vault that has none,
// under the current key, as [Create] would have made it. The TUI writes a
// new person's recovery slot this way only once the code is acknowledged
// (docs/tui.md). No rotation is needed: no earlier code exists that the
// new key would have to shut out. A vault with a recovery slot refuses
// (ErrRecoveryExists): replacing a code is Rekey's job.
func (v *Vault) AddRecoverySlot(code string, o Options) error {
	if v.dir == "" {
		return errors.New("the demo vault has no recovery code")
	}
	c, err := NormalizeRecoveryCode(code)
	if err != nil {
		return err
	}
	cb := []byte(c)
	defer wipe(cb)
	return v.update(context.Background(), nil, &change{slots: func(old []Slot) ([]Slot, error) {
		if slices.ContainsFunc(old, func(s Slot) bool { return s.Kind == SlotRecovery }) {
			return nil, ErrRecoveryExists
		}
		s, err := newRecoverySlot(v.id, v.ref, v.key, cb, o.kdf())
		if err != nil {
			return nil, err
		}
		return append(old, s), nil
	}})
}
