package replica

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/wardkey/wardkey/vault"
)

// Report says what one sync did. It is small enough for one status line.
type Report struct {
	// Remote names the remote (no password).
	Remote string
	// Pulled counts accounts, deletions and settings this workstation took
	// from the others.
	Pulled int
	// Pushed counts those that this workstation's replica now carries and
	// its previous replica did not.
	Pushed int
	// Changed says the local vault changed (Pulled > 0).
	Changed bool
	// Replicas counts the replicas read, this workstation's own included.
	Replicas int
	// Skipped names the replicas that could not be used, each with why.
	Skipped []string
	// SetAside names the replicas part of which was not taken (vault.Vet:
	// settings out of range, entries stamped more than 24 h ahead), with
	// what; a later sync takes the future entries once the clock has
	// caught up.
	SetAside []string
	// At is when the sync finished (zero if it failed).
	At time.Time
	// NewKey says this workstation took a newer vault key from key.json.
	NewKey bool
}

// String is the report as one line: "2 changes pulled, 1 pushed (3 replicas)".
func (r Report) String() string {
	s := fmt.Sprintf("%s pulled, %d pushed (%s)", plural(r.Pulled, "change"), r.Pushed, plural(r.Replicas, "replica"))
	if len(r.Skipped) > 0 {
		s += fmt.Sprintf("; %d skipped", len(r.Skipped))
	}
	if len(r.SetAside) > 0 {
		s += fmt.Sprintf("; part of %s set aside", plural(len(r.SetAside), "replica"))
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// ErrNoDir: a vault without a directory (the demo) does not sync.
var ErrNoDir = errors.New("the demo vault does not sync")

// maxKeyAttempts bounds the passphrases tried on a newer key.
const maxKeyAttempts = 3

// ErrNewKey: the remote's key.json holds a newer vault key, made by a
// rotation on another workstation (passwd, recovery, rekey), and no
// passphrase was given to open it.
var ErrNewKey = errors.New("the vault was given a new key on another workstation")

// SyncOption tunes a sync.
type SyncOption func(*syncOptions)

type syncOptions struct {
	passphrase func(ctx context.Context) ([]byte, error)
	keyring    vault.Keyring
}

// WithPassphrase gives the sync a way to ask for the vault passphrase that
// opens a newer key found in key.json (the one set on the workstation that
// rotated the key). It is asked again after a wrong passphrase, up to
// three times, until it returns an error. The returned bytes are wiped
// after use. Without it such a sync fails with ErrNewKey and changes
// nothing.
func WithPassphrase(f func(ctx context.Context) ([]byte, error)) SyncOption {
	return func(o *syncOptions) { o.passphrase = f }
}

// WithKeyring is the keyring whose item is rewritten when this workstation
// takes a newer key and its vault has a keyring slot.
func WithKeyring(k vault.Keyring) SyncOption {
	return func(o *syncOptions) { o.keyring = k }
}

// Sync exchanges the vault with the remote: it reads every replica of the
// vault, merges them into the local vault with vault.Merge and saves it,
// then writes this workstation's own replica (and key.json, the vault's
// passphrase slot, when it is missing or holds an older key). It records
// the time in local.json (LastSync).
//
// When key.json holds a newer key (a rotation on another workstation), the
// vault takes it first: the passphrase from WithPassphrase opens it, the
// local vault is re-sealed under it (keeping the old key for replicas still
// sealed under it), and this workstation's replica is re-sealed: no
// re-join.
//
// A remote that cannot be read, or fails part-way, leaves the local vault
// as it was or merged and saved: never damaged. A replica that does not
// open with the vault key (altered, foreign, or cut short) is skipped and
// named in Report.Skipped; the others are still used. ctx cancels the
// sync; once it is done (a lock), nothing more is sealed or written.
func Sync(ctx context.Context, v *vault.Vault, r Remote, opts ...SyncOption) (Report, error) {
	var o syncOptions
	for _, f := range opts {
		f(&o)
	}
	rep := Report{Remote: r.String()}
	if v.Dir() == "" {
		return rep, ErrNoDir
	}
	vid, dev := v.ID(), v.Device()
	if !validID(vid) || !validID(dev) {
		return rep, fmt.Errorf("vault ID %q or device ID %q cannot name a file on the remote", vid, dev)
	}
	if err := v.ReloadContext(ctx); err != nil {
		return rep, fmt.Errorf("read the local vault: %w", err)
	}
	remoteKey, err := takeNewerKey(ctx, v, r, &o, &rep)
	if err != nil {
		return rep, err
	}
	states, own, err := readReplicas(ctx, r, vid, dev, v.UnsealKey, v.Now(), &rep)
	if err != nil {
		return rep, fmt.Errorf("read replicas from %s (the local vault is unchanged): %w", r, err)
	}

	before := v.State()
	merged := before
	for _, s := range states {
		merged = vault.Merge(merged, s)
	}
	if n := changes(&before, merged); n > 0 {
		err := v.UpdateContext(ctx, func(tx *vault.Tx) error {
			for _, s := range states {
				tx.Merge(s)
			}
			return nil
		})
		if err != nil {
			return rep, fmt.Errorf("save the merged vault (the local vault is unchanged): %w", err)
		}
		rep.Pulled, rep.Changed = n, true
	}

	after := v.State()
	keyID := v.KeyID()
	var ownState *vault.State
	if own != nil {
		ownState = &own.state
	}
	rep.Pushed = changes(ownState, after)
	if own == nil || rep.Pushed > 0 || own.keyID != keyID {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if v.Locked() {
			return rep, vault.ErrLocked
		}
		b, err := encodeReplica(v.SealCurrent, Header{VaultID: vid, DeviceID: dev, Written: time.Now()}, after)
		if err != nil {
			return rep, err
		}
		if err := r.Write(ctx, ReplicaPath(vid, dev), b); err != nil {
			return rep, fmt.Errorf("write this workstation's replica to %s (the local vault is saved; sync again later): %w", r, err)
		}
	}
	if err := pushKey(ctx, v, r, remoteKey); err != nil {
		return rep, fmt.Errorf("write %s to %s (the local vault is saved): %w", KeyFile, r, err)
	}
	rep.At = time.Now()
	if _, err := vault.UpdateLocal(v.Dir(), func(l *vault.Local) { l.LastSync = rep.At.UTC() }); err != nil {
		return rep, fmt.Errorf("record the sync time: %w", err)
	}
	return rep, nil
}

// takeNewerKey reads key.json and, when it holds a newer key than the
// vault's, opens it with the passphrase and makes it the vault's key. It
// returns what key.json held (nil: none, or none this wardkey can use).
func takeNewerKey(ctx context.Context, v *vault.Vault, r Remote, o *syncOptions, rep *Report) (*remoteKey, error) {
	b, err := r.Read(ctx, KeyPath(v.ID()))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s from %s (the local vault is unchanged): %w", KeyFile, r, err)
	}
	k, err := parseKey(b, v.ID())
	if err != nil {
		// A damaged key.json is replaced by this workstation's.
		return nil, nil
	}
	if !v.KeyNewer(k.slot) {
		return &k, nil
	}
	if o.passphrase == nil {
		return nil, fmt.Errorf("%s on %s: %w (the local vault is unchanged)", KeyFile, r, ErrNewKey)
	}
	var key []byte
	for attempt := 1; ; attempt++ {
		pass, err := o.passphrase(ctx)
		if err != nil {
			return nil, fmt.Errorf("the passphrase of the vault's new key (the local vault is unchanged): %w", err)
		}
		key, err = vault.OpenSlot(k.slot, v.ID(), pass)
		clear(pass)
		if err == nil {
			break
		}
		if !errors.Is(err, vault.ErrWrongPassphrase) || attempt == maxKeyAttempts {
			return nil, fmt.Errorf("open the vault's new key from %s (the local vault is unchanged): %w", KeyFile, err)
		}
	}
	defer clear(key)
	if _, err := v.AdoptKey(ctx, vault.AdoptKeyOptions{Slot: k.slot, Key: key, Keyring: o.keyring}); err != nil {
		return nil, fmt.Errorf("take the vault's new key (the local vault is unchanged): %w", err)
	}
	rep.NewKey = true
	return &k, nil
}

// ownReplica is this device's replica as the remote holds it.
type ownReplica struct {
	state vault.State
	keyID string
}

// readReplicas reads and opens every replica of vault vid, vetted at now. own is this
// device's previous replica, nil if there is none. A replica that cannot
// be opened is noted in rep.Skipped; a remote that cannot be read is an
// error.
func readReplicas(ctx context.Context, r Remote, vid, dev string, unseal Unsealer, now time.Time, rep *Report) ([]vault.State, *ownReplica, error) {
	dir := path.Join(vid, ReplicaDir)
	ents, err := r.List(ctx, dir)
	if err != nil {
		return nil, nil, err
	}
	var states []vault.State
	var own *ownReplica
	for _, e := range ents {
		if e.Dir || !strings.HasSuffix(e.Name, Ext) {
			continue
		}
		b, err := r.Read(ctx, path.Join(dir, e.Name))
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed since the listing
		}
		if errors.Is(err, ErrTooLarge) {
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("%s: %v", e.Name, err))
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		h, s, err := decodeReplica(unseal, b, vid, e.Name)
		if err != nil {
			if errors.Is(err, vault.ErrLocked) || errors.Is(err, vault.ErrKeyRotated) {
				return nil, nil, err
			}
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("%s: %v", e.Name, why(err)))
			continue
		}
		// Vetted before any merge (sync and join never ask): what a
		// replica cannot carry is set aside and reported, the rest used.
		s, aside := vault.Vet(s, now)
		if !aside.Empty() {
			rep.SetAside = append(rep.SetAside, fmt.Sprintf("%s: %s", e.Name, aside))
		}
		rep.Replicas++
		states = append(states, s)
		if h.DeviceID == dev && e.Name == dev+Ext {
			own = &ownReplica{state: s, keyID: h.KeyID}
		}
	}
	return states, own, nil
}

// why words a replica's failure for the person.
func why(err error) string {
	switch {
	case errors.Is(err, vault.ErrTampered):
		return "it does not open with this vault's key (altered, cut short, or written with another key)"
	case errors.Is(err, ErrWrongVault):
		return "it belongs to another vault"
	case errors.Is(err, ErrMisplaced):
		return "its content names another device"
	case errors.Is(err, vault.ErrUnsupportedVersion):
		return "it was written by a newer wardkey"
	case errors.Is(err, vault.ErrUnknownKey):
		return "it does not open with any key of this vault (sealed under a key this workstation does not have; after a key change, each workstation takes the newest key at its next sync)"
	}
	return err.Error()
}

// changes counts the accounts, tombstones and settings in b that a lacks
// or holds older (by stamp, or by HOTP counter). a nil means none.
func changes(a *vault.State, b vault.State) int {
	if a == nil {
		a = &vault.State{}
	}
	type ver struct {
		stamp   vault.Stamp
		counter uint64
	}
	acc := make(map[string]ver, len(a.Accounts))
	for _, x := range a.Accounts {
		acc[x.ID] = ver{x.Stamp, x.Counter}
	}
	dead := make(map[string]vault.Stamp, len(a.Tombstones))
	for _, t := range a.Tombstones {
		dead[t.ID] = t.Stamp
	}
	n := 0
	for _, x := range b.Accounts {
		if old, ok := acc[x.ID]; !ok || old != (ver{x.Stamp, x.Counter}) {
			n++
		}
	}
	for _, t := range b.Tombstones {
		if old, ok := dead[t.ID]; !ok || old != t.Stamp {
			n++
		}
	}
	as, bs := a.Settings, b.Settings
	for _, d := range []bool{as.Stamp != bs.Stamp, as.ReauthAfterStamp != bs.ReauthAfterStamp, as.ClipboardClearStamp != bs.ClipboardClearStamp} {
		if d {
			n++
		}
	}
	return n
}

// pushKey keeps <vault-id>/key.json: written when missing, unreadable, of
// version 1, or holding an older key than this vault's (a key this vault
// had before, or the loser of two concurrent rotations: generation, then
// key ID). A newer key was taken before (takeNewerKey), so after a
// rotation the newest key spreads and an old key.json never comes back.
func pushKey(ctx context.Context, v *vault.Vault, r Remote, remote *remoteKey) error {
	slot, ok := v.PassphraseSlot()
	if !ok {
		return nil // keyring-only: nothing to join with (docs/sync.md)
	}
	// A slot of format 2 names its key; one kept from format 1 wraps the
	// first key, whose ID is derived (generation 0).
	keyID, gen := slot.KeyID, slot.KeyGen
	if keyID == "" {
		keyID, gen = v.KeyID(), 0
	}
	if remote != nil && remote.id == keyID {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	kb, err := encodeKey(v.ID(), keyID, gen, slot)
	if err != nil {
		return err
	}
	return r.Write(ctx, KeyPath(v.ID()), kb)
}
