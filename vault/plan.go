package vault

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// RestorePlan says what restoring a backup into a state does, account by
// account. Every list holds the backup's version of the account (Undeleted:
// with the new ID it gets; Removed: the account here), sorted as `list` is.
type RestorePlan struct {
	Added       []Account // not here yet
	Updated     []Account // here, and newer in the backup (fields or HOTP counter)
	Unchanged   []Account // here already, as new as in the backup
	Duplicates  []Account // the same issuer, name and secret as an account here: kept once
	KeptDeleted []Account // deleted here: stays deleted (restore --undelete brings it back)
	Undeleted   []Account // deleted here, back under a new ID (--undelete)
	Removed     []Account // live here, deleted in the backup: the delete wins
	Settings    bool      // the backup's vault settings are newer and replace these

	changed bool // applying it changes the state at all
}

// Changes reports whether applying the plan changes the vault. Restoring a
// backup a second time plans no change.
func (p RestorePlan) Changes() bool { return p.changed || len(p.Undeleted) > 0 }

// PlanRestore compares a backup's state with the current one. It changes
// neither; [ApplyRestore] carries the plan out.
func PlanRestore(current, backup State, undelete bool) RestorePlan {
	p, _ := planRestore(current, backup, undelete, false)
	for _, l := range [][]Account{p.Added, p.Updated, p.Unchanged, p.Duplicates, p.KeptDeleted, p.Undeleted, p.Removed} {
		SortAccounts(l)
	}
	return p
}

// planRestore is PlanRestore, its lists in the order met (the backup's,
// then the current state's), and the merge of the two states it compared
// against: what applying the plan makes the state, but for the accounts
// brought back. Unless clone is set the merge is merge's view, sharing the
// inputs' secrets (PlanRestore only compares with it).
func planRestore(current, backup State, undelete, clone bool) (RestorePlan, State) {
	merged := merge(current, backup, clone)
	dead := make(map[string]bool, len(current.Tombstones))
	for _, t := range current.Tombstones {
		dead[t.ID] = true
	}
	curByID := make(map[string]Account, len(current.Accounts))
	for _, a := range current.Accounts {
		if !dead[a.ID] {
			if old, ok := curByID[a.ID]; !ok || newer(a, old) {
				curByID[a.ID] = a
			}
		}
	}
	backupDead := make(map[string]bool, len(backup.Tombstones))
	for _, t := range backup.Tombstones {
		backupDead[t.ID] = true
	}
	// merged is Merge's: in ID order, each ID once.
	mergedByID := func(id string) Account {
		i, ok := slices.BinarySearchFunc(merged.Accounts, id, func(a Account, id string) int { return strings.Compare(a.ID, id) })
		if !ok {
			return Account{}
		}
		return merged.Accounts[i]
	}
	here := newContentSet(len(current.Accounts) + len(backup.Accounts))
	for _, a := range current.Live() {
		if !dead[a.ID] {
			here.add(a)
		}
	}
	var p RestorePlan
	for _, a := range backup.Live() {
		if backupDead[a.ID] {
			continue
		}
		switch cur, ok := curByID[a.ID]; {
		case dead[a.ID]:
			switch {
			case here.has(a):
				p.Duplicates = append(p.Duplicates, a)
			case undelete:
				b := a.Clone()
				b.ID = NewID()
				p.Undeleted = append(p.Undeleted, b)
				here.add(a)
			default:
				p.KeptDeleted = append(p.KeptDeleted, a)
			}
		case ok:
			if sameVersion(mergedByID(a.ID), cur) {
				p.Unchanged = append(p.Unchanged, a)
			} else {
				p.Updated = append(p.Updated, a)
			}
		case here.has(a):
			p.Duplicates = append(p.Duplicates, a)
		default:
			p.Added = append(p.Added, a)
			here.add(a)
		}
	}
	for _, a := range current.Live() {
		if backupDead[a.ID] && !dead[a.ID] {
			p.Removed = append(p.Removed, a)
		}
	}
	p.Settings = merged.Settings != current.Settings
	// A state that came out of Merge (a vault's, a transaction's) compares
	// directly; any other is at worst reported as changed.
	p.changed = !sameState(merged, current)
	return p, merged
}

// ApplyRestore merges a backup into the vault in a transaction, brings back
// the accounts deleted here when undelete is set (under new IDs: a
// tombstone is forever), and returns the plan it carried out, computed
// against the state inside the transaction (under the vault's lock, after
// what other processes saved was merged in: a plan shown before may be
// out of date). What Vet sets aside is left out (callers vet first to
// report it).
//
// The plan's lists are not sorted (callers count them; PlanRestore's are
// for showing), and the merge that planned is the one applied.
func ApplyRestore(tx *Tx, backup State, undelete bool) (RestorePlan, error) {
	backup, _ = Vet(backup, tx.v.now())
	p, merged := planRestore(*tx.state, backup, undelete, true)
	// Removed holds the transaction's own accounts, whose secrets set
	// wipes.
	for i, a := range p.Removed {
		p.Removed[i] = a.Clone()
	}
	tx.v.clock.Observe(backup.MaxStamp())
	tx.set(merged)
	if len(p.Undeleted) == 0 {
		return p, nil
	}
	added, err := tx.AddAll(p.Undeleted)
	if err != nil {
		var be *BatchError
		if errors.As(err, &be) {
			return RestorePlan{}, fmt.Errorf("bring back %s: %w", p.Undeleted[be.Index].Label(), be.Err)
		}
		return RestorePlan{}, err
	}
	copy(p.Undeleted, added)
	return p, nil
}

// contentSet holds accounts by issuer, name and secret (duplicates in
// Merge's sense) without a string copy of any secret: one would outlive
// every wipe, and was an allocation an account.
type contentSet struct {
	first map[names]Secret
	more  map[names][]Secret // the second and later secrets under a name, rare
}

type names struct{ issuer, name string }

func newContentSet(n int) contentSet { return contentSet{first: make(map[names]Secret, n)} }

func (c contentSet) has(a Account) bool {
	k := names{a.Issuer, a.Name}
	s, ok := c.first[k]
	if !ok {
		return false
	}
	if bytes.Equal(s.raw(), a.Secret.raw()) {
		return true
	}
	return slices.ContainsFunc(c.more[k], func(s Secret) bool { return bytes.Equal(s.raw(), a.Secret.raw()) })
}

func (c *contentSet) add(a Account) {
	if c.has(a) {
		return
	}
	k := names{a.Issuer, a.Name}
	if _, ok := c.first[k]; !ok {
		c.first[k] = a.Secret
		return
	}
	if c.more == nil {
		c.more = map[names][]Secret{}
	}
	c.more[k] = append(c.more[k], a.Secret)
}

// sameVersion reports whether two versions of one account are identical.
func sameVersion(a, b Account) bool {
	return a.ID == b.ID && a.Stamp == b.Stamp && a.Counter == b.Counter && compareContent(a, b) == 0
}

// sameState compares two states that came out of Merge (sorted by ID).
func sameState(a, b State) bool {
	return a.Settings == b.Settings &&
		slices.Equal(a.Tombstones, b.Tombstones) &&
		slices.EqualFunc(a.Accounts, b.Accounts, sameVersion)
}
