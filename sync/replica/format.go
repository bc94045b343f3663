package replica

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wardkey/wardkey/vault"
)

// File formats on the remote (docs/sync.md).
const (
	// ReplicaFormat names a replica file, <vault-id>/replicas/<device-id>.wkr.
	ReplicaFormat = "wardkey-replica"
	// KeyFormat names <vault-id>/key.json, the vault's passphrase slot.
	KeyFormat = "wardkey-key"
	// Version is the version of both formats this wardkey writes; it reads
	// 1 and 2. Version 2 names the vault key (key_id) in replicas and
	// key.json and seals the binary state.
	Version = 2
	// Ext is a replica file's extension.
	Ext = ".wkr"
	// KeyFile is the name of the key file inside a vault's folder.
	KeyFile = "key.json"
	// ReplicaDir is the folder of replicas inside a vault's folder.
	ReplicaDir = "replicas"
)

// Errors about files on the remote.
var (
	// ErrNotReplica: the file is not a wardkey replica (or key file).
	ErrNotReplica = errors.New("not a wardkey replica file")
	// ErrWrongVault: the replica belongs to another vault.
	ErrWrongVault = errors.New("the replica belongs to another vault")
	// ErrMisplaced: the replica's device does not match its file name.
	ErrMisplaced = errors.New("the replica was moved from another device's name")
)

// Header is a replica's cleartext header. Its exact bytes are authenticated
// with the sealed state, so none of it can be changed or moved.
type Header struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	VaultID string `json:"vault_id"`
	// KeyID names the vault key the state is sealed with (version 2).
	KeyID    string    `json:"key_id,omitempty"`
	DeviceID string    `json:"device_id"`
	Written  time.Time `json:"written"`
}

type replicaFile struct {
	Header json.RawMessage `json:"header"`
	Sealed []byte          `json:"sealed"`
}

// validID reports whether a vault or device ID is safe to use as a name on
// the remote: ^[A-Za-z0-9_-]{1,128}$, checked by hand (a package-level
// regexp of this size cost every wardkey process ~0.5 ms and 1,700
// allocations at start).
func validID(id string) bool {
	if len(id) < 1 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// replicaAD is the associated data of a replica's sealed state: a domain
// label and the header bytes exactly as stored.
func replicaAD(version int, header []byte) []byte {
	return append([]byte(fmt.Sprintf("wardkey replica v%d\x00", version)), header...)
}

// validKeyID reports whether s is a key ID: ^[0-9a-f]{32}$, checked by
// hand (no regexp compiled at every start).
func validKeyID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Sealer seals a replica's state under the vault's current key, with the
// associated data ad makes for that key's ID (vault.Vault.SealCurrent).
type Sealer func(plain []byte, ad func(keyID string) ([]byte, error)) (string, []byte, error)

// Unsealer opens a replica's state with the key named keyID ("" for a
// replica of version 1: any key the vault has).
type Unsealer func(keyID string, sealed, ad []byte) ([]byte, error)

// ReplicaPath is where a device's replica of a vault lives on the remote.
func ReplicaPath(vaultID, deviceID string) string {
	return vaultID + "/" + ReplicaDir + "/" + deviceID + Ext
}

// KeyPath is where a vault's key file lives on the remote.
func KeyPath(vaultID string) string { return vaultID + "/" + KeyFile }

// encodeReplica seals a state into a replica file (version 2) under the
// vault's current key, which the header names.
func encodeReplica(seal Sealer, h Header, s vault.State) ([]byte, error) {
	h.Format, h.Version = ReplicaFormat, Version
	h.Written = h.Written.UTC().Truncate(time.Second)
	plain := vault.MarshalStateBinary(s)
	defer clear(plain)
	var hb []byte
	_, sealed, err := seal(plain, func(keyID string) ([]byte, error) {
		if !validKeyID(keyID) {
			return nil, fmt.Errorf("key ID %q cannot name a replica's key", keyID)
		}
		h.KeyID = keyID
		var err error
		hb, err = json.Marshal(h)
		return replicaAD(Version, hb), err
	})
	if err != nil {
		return nil, err
	}
	out, err := json.Marshal(replicaFile{Header: hb, Sealed: sealed})
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// ParseHeader reads a replica file's header without any key. It checks the
// format and version only: nothing in it is trusted until the state opens.
func ParseHeader(b []byte) (Header, error) {
	h, _, _, err := parseReplica(b)
	return h, err
}

func parseReplica(b []byte) (Header, []byte, []byte, error) {
	var f replicaFile
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&f); err != nil || len(f.Header) == 0 {
		return Header{}, nil, nil, ErrNotReplica
	}
	var h Header
	if err := json.Unmarshal(f.Header, &h); err != nil || h.Format != ReplicaFormat {
		return Header{}, nil, nil, ErrNotReplica
	}
	if h.Version < 1 || h.Version > Version {
		return Header{}, nil, nil, fmt.Errorf("replica format version %d (this wardkey reads 1 to %d): %w", h.Version, Version, vault.ErrUnsupportedVersion)
	}
	if !validID(h.VaultID) || !validID(h.DeviceID) {
		return Header{}, nil, nil, ErrNotReplica
	}
	if (h.Version == 1) != (h.KeyID == "") || h.KeyID != "" && !validKeyID(h.KeyID) {
		return Header{}, nil, nil, ErrNotReplica
	}
	return h, f.Header, f.Sealed, nil
}

// decodeReplica opens a replica file named name (its base name) of vault
// vaultID. The header must name this vault, and the file name must start
// with the header's device ID (conflict copies made by Syncthing or
// Nextcloud keep that prefix), so a replica cannot pass for another
// device's. Then the state must open with the key the header names, and
// its settings must be in range.
func decodeReplica(unseal Unsealer, b []byte, vaultID, name string) (Header, vault.State, error) {
	h, hb, sealed, err := parseReplica(b)
	if err != nil {
		return h, vault.State{}, err
	}
	if h.VaultID != vaultID {
		return h, vault.State{}, ErrWrongVault
	}
	if !strings.HasPrefix(name, h.DeviceID) {
		return h, vault.State{}, ErrMisplaced
	}
	plain, err := unseal(h.KeyID, sealed, replicaAD(h.Version, hb))
	if err != nil {
		return h, vault.State{}, err
	}
	defer clear(plain)
	s, err := vault.UnmarshalStateAny(plain)
	if err != nil {
		return h, vault.State{}, fmt.Errorf("%w: %w", vault.ErrTampered, err)
	}
	return h, s, nil
}

// keyFile is <vault-id>/key.json: a copy of the vault's passphrase slot,
// and (version 2) the ID and generation of the key it wraps.
type keyFile struct {
	Format  string     `json:"format"`
	Version int        `json:"version"`
	VaultID string     `json:"vault_id"`
	KeyID   string     `json:"key_id,omitempty"`
	KeyGen  uint64     `json:"key_gen,omitempty"`
	Slot    vault.Slot `json:"slot"`
}

func encodeKey(vaultID, keyID string, keyGen uint64, s vault.Slot) ([]byte, error) {
	b, err := json.MarshalIndent(keyFile{Format: KeyFormat, Version: Version, VaultID: vaultID, KeyID: keyID, KeyGen: keyGen, Slot: s}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// remoteKey is a parsed key.json.
type remoteKey struct {
	id   string // "" for version 1 (the key was never named)
	gen  uint64
	slot vault.Slot
}

// parseKey reads a key file; the slot itself is checked when it opens (its
// associated data binds the vault ID and, in version 2, the key ID and
// generation).
func parseKey(b []byte, vaultID string) (remoteKey, error) {
	var k keyFile
	if err := json.Unmarshal(b, &k); err != nil || k.Format != KeyFormat {
		return remoteKey{}, fmt.Errorf("%s: %w", KeyFile, ErrNotReplica)
	}
	if k.Version < 1 || k.Version > Version {
		return remoteKey{}, fmt.Errorf("%s version %d (this wardkey reads 1 to %d): %w", KeyFile, k.Version, Version, vault.ErrUnsupportedVersion)
	}
	if k.VaultID != vaultID {
		return remoteKey{}, fmt.Errorf("%s: %w", KeyFile, ErrWrongVault)
	}
	if k.Slot.Kind != vault.SlotPassphrase || k.Slot.KDF == nil {
		return remoteKey{}, fmt.Errorf("%s holds no passphrase slot: %w", KeyFile, vault.ErrTampered)
	}
	switch {
	case k.Version == 1 && (k.KeyID != "" || k.Slot.KeyID != ""):
		return remoteKey{}, fmt.Errorf("%s: %w", KeyFile, ErrNotReplica)
	case k.Version == 2 && !validKeyID(k.KeyID):
		return remoteKey{}, fmt.Errorf("%s: %w", KeyFile, ErrNotReplica)
	case k.Slot.KeyID != "" && (k.Slot.KeyID != k.KeyID || k.Slot.KeyGen != k.KeyGen):
		return remoteKey{}, fmt.Errorf("%s names another key than its slot: %w", KeyFile, vault.ErrTampered)
	case k.Slot.KeyID == "" && k.KeyGen != 0:
		return remoteKey{}, fmt.Errorf("%s: %w", KeyFile, vault.ErrTampered)
	}
	return remoteKey{id: k.KeyID, gen: k.KeyGen, slot: k.Slot}, nil
}
