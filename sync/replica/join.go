package replica

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/wardkey/wardkey/vault"
)

// ErrNoVault: the remote holds no vault that a workstation can join.
var ErrNoVault = errors.New("the remote holds no wardkey vault to join")

// ErrSeveralVaults: the remote holds several vaults and none was named.
var ErrSeveralVaults = errors.New("the remote holds several vaults")

// Joined is what Join found: everything needed to create the vault on a
// new workstation with vault.CreateJoined.
type Joined struct {
	// VaultID is the vault's ID.
	VaultID string
	// Key is the vault key. The caller wipes it after use.
	Key []byte
	// KeyID names it.
	KeyID string
	// Slot is the passphrase slot from key.json.
	Slot vault.Slot
	// State merges every replica that opened.
	State vault.State
	// Replicas counts the replicas that opened; Skipped names the others.
	Replicas int
	Skipped  []string
}

// Format prints the vault ID and counts only: Joined holds the vault key.
func (j Joined) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "replica.Joined{vault %s, key %s, %d replicas}", j.VaultID, j.KeyID, j.Replicas)
}

// LogValue implements slog.LogValuer without the key.
func (j Joined) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(j)) }

// MarshalJSON describes Joined without the key or the state.
func (j Joined) MarshalJSON() ([]byte, error) { return json.Marshal(fmt.Sprint(j)) }

// Vaults lists the IDs of the vaults on the remote that can be joined
// (those with a key.json).
func Vaults(ctx context.Context, r Remote) ([]string, error) {
	ents, err := r.List(ctx, "")
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range ents {
		if !e.Dir || !validID(e.Name) {
			continue
		}
		if _, err := r.Read(ctx, KeyPath(e.Name)); err == nil {
			ids = append(ids, e.Name)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// Join unwraps the key of vault vaultID on the remote (the only vault there
// when vaultID is "") from its key.json with the vault passphrase, and
// reads its replicas. A wrong passphrase is vault.ErrWrongPassphrase. At
// least one replica must open with the key, so a key.json that does not
// belong with the replicas is refused.
func Join(ctx context.Context, r Remote, vaultID string, pass []byte) (Joined, error) {
	if vaultID == "" {
		ids, err := Vaults(ctx, r)
		if err != nil {
			return Joined{}, fmt.Errorf("list vaults on %s: %w", r, err)
		}
		switch len(ids) {
		case 0:
			return Joined{}, fmt.Errorf("%s: %w (a vault is put there by 'wardkey sync' on a workstation whose vault has a passphrase)", r, ErrNoVault)
		case 1:
			vaultID = ids[0]
		default:
			return Joined{}, fmt.Errorf("%s: %w: %s", r, ErrSeveralVaults, strings.Join(ids, ", "))
		}
	}
	if !validID(vaultID) {
		return Joined{}, fmt.Errorf("%q is not a vault ID", vaultID)
	}
	b, err := r.Read(ctx, KeyPath(vaultID))
	if errors.Is(err, fs.ErrNotExist) {
		return Joined{}, fmt.Errorf("%s has no %s for vault %s: %w (sync once from a workstation whose vault has a passphrase)", r, KeyFile, vaultID, ErrNoVault)
	}
	if err != nil {
		return Joined{}, fmt.Errorf("read %s: %w", KeyPath(vaultID), err)
	}
	k, err := parseKey(b, vaultID)
	if err != nil {
		return Joined{}, err
	}
	key, err := vault.OpenSlot(k.slot, vaultID, pass)
	if err != nil {
		return Joined{}, err
	}
	keyID := vault.SlotKeyID(k.slot, key)
	if k.id != "" && keyID != k.id {
		clear(key)
		return Joined{}, fmt.Errorf("%s: %w", KeyFile, vault.ErrTampered)
	}
	j := Joined{VaultID: vaultID, Key: key, KeyID: keyID, Slot: k.slot}
	// Only what was sealed under this key opens: a replica under a newer
	// key (an old key.json left on the remote) is skipped.
	unseal := func(id string, sealed, ad []byte) ([]byte, error) {
		if id != "" && id != keyID {
			return nil, vault.ErrUnknownKey
		}
		return vault.UnsealWithKey(key, sealed, ad)
	}
	var rep Report
	states, _, err := readReplicas(ctx, r, vaultID, "", unseal, time.Now(), &rep)
	if err != nil {
		clear(key)
		return Joined{}, fmt.Errorf("read replicas from %s: %w", r, err)
	}
	if len(states) == 0 {
		clear(key)
		return Joined{}, fmt.Errorf("no replica of vault %s on %s opens with its key (%d skipped): %w", vaultID, r, len(rep.Skipped), ErrNoVault)
	}
	for _, s := range states {
		j.State = vault.Merge(j.State, s)
	}
	j.Replicas, j.Skipped = rep.Replicas, rep.Skipped
	return j, nil
}
