package replica

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
	// At is when the sync finished (zero if it failed).
	At time.Time
}

// String is the report as one line: "2 changes pulled, 1 pushed (3 replicas)".
func (r Report) String() string {
	s := fmt.Sprintf("%s pulled, %d pushed (%s)", plural(r.Pulled, "change"), r.Pushed, plural(r.Replicas, "replica"))
	if len(r.Skipped) > 0 {
		s += fmt.Sprintf("; %d skipped", len(r.Skipped))
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

// Sync exchanges the vault with the remote: it reads every replica of the
// vault, merges them into the local vault with vault.Merge and saves it,
// then writes this workstation's own replica (and key.json, the vault's
// passphrase slot, when it is missing or this workstation's passphrase
// changed). It records the time in local.json (LastSync).
//
// A remote that cannot be read, or fails part-way, leaves the local vault
// as it was or merged and saved: never damaged. A replica that does not
// open with the vault key (altered, foreign, or cut short) is skipped and
// named in Report.Skipped; the others are still used.
func Sync(ctx context.Context, v *vault.Vault, r Remote) (Report, error) {
	rep := Report{Remote: r.String()}
	if v.Dir() == "" {
		return rep, ErrNoDir
	}
	vid, dev := v.ID(), v.Device()
	if !validID(vid) || !validID(dev) {
		return rep, fmt.Errorf("vault ID %q or device ID %q cannot name a file on the remote", vid, dev)
	}
	if err := v.Reload(); err != nil {
		return rep, fmt.Errorf("read the local vault: %w", err)
	}
	states, own, err := readReplicas(ctx, r, vid, dev, v.Unseal, &rep)
	if err != nil {
		return rep, fmt.Errorf("read replicas from %s (the local vault is unchanged): %w", r, err)
	}

	before := v.State()
	merged := before
	for _, s := range states {
		merged = vault.Merge(merged, s)
	}
	if n := changes(&before, merged); n > 0 {
		err := v.Update(func(tx *vault.Tx) error {
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
	rep.Pushed = changes(own, after)
	if own == nil || rep.Pushed > 0 {
		b, err := encodeReplica(v.Seal, Header{VaultID: vid, DeviceID: dev, Written: time.Now()}, after)
		if err != nil {
			return rep, err
		}
		if err := r.Write(ctx, ReplicaPath(vid, dev), b); err != nil {
			return rep, fmt.Errorf("write this workstation's replica to %s (the local vault is saved; sync again later): %w", r, err)
		}
	}
	if err := pushKey(ctx, v, r); err != nil {
		return rep, fmt.Errorf("write %s to %s (the local vault is saved): %w", KeyFile, r, err)
	}
	rep.At = time.Now()
	if _, err := vault.UpdateLocal(v.Dir(), func(l *vault.Local) { l.LastSync = rep.At.UTC() }); err != nil {
		return rep, fmt.Errorf("record the sync time: %w", err)
	}
	return rep, nil
}

// readReplicas reads and opens every replica of vault vid. own is this
// device's previous replica, nil if there is none. A replica that cannot
// be opened is noted in rep.Skipped; a remote that cannot be read is an
// error.
func readReplicas(ctx context.Context, r Remote, vid, dev string, unseal func(sealed, ad []byte) ([]byte, error), rep *Report) ([]vault.State, *vault.State, error) {
	dir := path.Join(vid, ReplicaDir)
	ents, err := r.List(ctx, dir)
	if err != nil {
		return nil, nil, err
	}
	var states []vault.State
	var own *vault.State
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
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("%s: %v", e.Name, why(err)))
			continue
		}
		rep.Replicas++
		states = append(states, s)
		if h.DeviceID == dev && e.Name == dev+Ext {
			own = &s
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
	if a.Settings.Stamp != b.Settings.Stamp {
		n++
	}
	return n
}

// Fingerprint identifies a passphrase slot (a hash of its public fields:
// salt, nonce and wrapped key), to notice when it changed.
func Fingerprint(s vault.Slot) string {
	b, _ := json.Marshal(s)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16])
}

// pushKey keeps <vault-id>/key.json: written when missing, and replaced
// only when this workstation's passphrase changed since it last wrote or
// read it, so that the last passphrase change on any workstation wins and
// two workstations with different passphrases do not take turns.
func pushKey(ctx context.Context, v *vault.Vault, r Remote) error {
	slot, ok := v.PassphraseSlot()
	if !ok {
		return nil // keyring-only: nothing to join with (docs/sync.md)
	}
	local, err := vault.LoadLocal(v.Dir())
	if err != nil {
		return err
	}
	fp := Fingerprint(slot)
	b, err := r.Read(ctx, KeyPath(v.ID()))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	default:
		remote, perr := parseKey(b, v.ID())
		switch {
		case perr == nil && Fingerprint(remote) == fp:
			if local.SyncKeySlot != fp {
				_, err = vault.UpdateLocal(v.Dir(), func(l *vault.Local) { l.SyncKeySlot = fp })
			}
			return err
		case perr == nil && local.SyncKeySlot == fp:
			return nil // another workstation's newer passphrase: leave it
		}
	}
	kb, err := encodeKey(v.ID(), slot)
	if err != nil {
		return err
	}
	if err := r.Write(ctx, KeyPath(v.ID()), kb); err != nil {
		return err
	}
	_, err = vault.UpdateLocal(v.Dir(), func(l *vault.Local) { l.SyncKeySlot = fp })
	return err
}
