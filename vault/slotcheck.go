package vault

import (
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// CheckSlots reports every slot of the file whose structure is damaged,
// without opening any (doctor runs it: a damaged recovery slot is found
// before the day it is needed, not on it). The checks are generic, so a
// new kind of slot is covered as long as it follows them: a known kind;
// for a keyring slot, the item it names; for every other slot, key
// derivation parameters within the caps when it has any, X25519 keys of
// 32 bytes (an asymmetric recovery slot), a nonce of XChaCha20's size when
// it has one, and a wrapped key at least an AEAD
// seal of a 256-bit key long. One error per damaged slot, joined.
func (f *File) CheckSlots() error {
	var errs []error
	seen := map[string]bool{}
	for i, s := range f.p.env.Slots {
		if err := s.checkStructure(); err != nil {
			errs = append(errs, fmt.Errorf("slot %d (%s): %w", i+1, s.Kind, err))
		}
		if seen[s.Kind] {
			errs = append(errs, fmt.Errorf("slot %d: a second %s slot", i+1, s.Kind))
		}
		seen[s.Kind] = true
	}
	if len(f.p.env.Slots) == 0 {
		errs = append(errs, errors.New("the vault has no slot: nothing opens it"))
	}
	return errors.Join(errs...)
}

// checkStructure is CheckSlots for one slot.
func (s Slot) checkStructure() error {
	switch s.Kind {
	case SlotKeyring:
		if s.Service == "" || s.User == "" {
			return errors.New("it names no keyring item")
		}
		return nil
	case SlotPassphrase, SlotRecovery:
	default:
		return fmt.Errorf("the kind %q is not known", s.Kind)
	}
	if s.KDF != nil {
		if err := s.KDF.check(); err != nil {
			return err
		}
	}
	for _, k := range []struct {
		name string
		b    []byte
	}{{"recipient", s.Recipient}, {"share", s.Share}} {
		if k.b != nil && len(k.b) != 32 {
			return fmt.Errorf("its %s is %d bytes, not an X25519 key's 32", k.name, len(k.b))
		}
	}
	if s.Nonce != nil && len(s.Nonce) != chacha20poly1305.NonceSizeX {
		return fmt.Errorf("its nonce is %d bytes, not %d", len(s.Nonce), chacha20poly1305.NonceSizeX)
	}
	if min := keySize + chacha20poly1305.Overhead; len(s.Wrapped) < min {
		return fmt.Errorf("its wrapped key is %d bytes, fewer than %d", len(s.Wrapped), min)
	}
	if s.KDF == nil && s.Nonce == nil {
		return errors.New("it has neither key derivation nor nonce")
	}
	return nil
}
