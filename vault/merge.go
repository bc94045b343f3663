package vault

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
)

// State is everything a vault holds besides its keys: the accounts, the
// tombstones of deleted accounts, and the vault settings. Backups, replicas
// and the vault payload all carry a State.
type State struct {
	Accounts   []Account
	Tombstones []Tombstone
	Settings   Settings
}

// Tombstone records that an account was deleted. A tombstone always wins
// over the account it names, so a deleted account never comes back through
// sync or restore.
type Tombstone struct {
	ID    string `json:"id"`
	Stamp Stamp  `json:"stamp"`
}

// Merge joins two states. It is a pure function of the union of its inputs:
// commutative, associative and idempotent, so restore, import, concurrent
// saves and sync may apply it in any order, any number of times, and every
// device ends with the same state.
//
//   - Same account ID: the fields of the higher [Stamp] win; a HOTP counter
//     takes the maximum of both, so a used code is never shown again.
//   - A tombstone wins over its account, whatever the stamps.
//   - Settings: per key, the higher stamp wins.
//
// Duplicates (the same issuer, name and secret under two IDs) are kept in the
// state and hidden by [State.Live], which keeps the smaller ID; a save turns
// hidden duplicates into tombstones ([State.Dedupe]).
//
// Merge does not modify its inputs; the result shares no slices with them.
func Merge(a, b State) State { return merge(a, b, true) }

// merge is Merge; with clone unset its accounts share their tags and
// secrets with the inputs' (a view for comparing, never to keep: nothing
// may wipe it, nor keep it past the inputs).
func merge(a, b State, clone bool) State {
	dead := make(map[string]Tombstone, len(a.Tombstones)+len(b.Tombstones))
	for _, ts := range [][]Tombstone{a.Tombstones, b.Tombstones} {
		for _, t := range ts {
			if old, ok := dead[t.ID]; !ok || t.Stamp.Compare(old.Stamp) > 0 {
				dead[t.ID] = t
			}
		}
	}
	live := make(map[string]Account, len(a.Accounts)+len(b.Accounts))
	for _, as := range [][]Account{a.Accounts, b.Accounts} {
		for _, x := range as {
			if _, gone := dead[x.ID]; gone {
				continue
			}
			old, ok := live[x.ID]
			if !ok {
				live[x.ID] = x
				continue
			}
			win := old
			if newer(x, old) {
				win = x
			}
			win.Counter = max(old.Counter, x.Counter)
			live[x.ID] = win
		}
	}
	out := State{
		Accounts:   make([]Account, 0, len(live)),
		Tombstones: make([]Tombstone, 0, len(dead)),
		Settings:   mergeSettings(a.Settings, b.Settings),
	}
	// In ID order: the IDs are sorted, not the accounts (an Account is
	// about 200 bytes, and every swap of a sort of them moved one).
	ids := make([]string, 0, len(live))
	for id := range live {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if clone {
			out.Accounts = append(out.Accounts, live[id].Clone())
		} else {
			out.Accounts = append(out.Accounts, live[id])
		}
	}
	for _, t := range dead {
		out.Tombstones = append(out.Tombstones, t)
	}
	slices.SortFunc(out.Tombstones, func(x, y Tombstone) int { return strings.Compare(x.ID, y.ID) })
	return out
}

// newer reports whether x should win over y for the same ID: the higher
// stamp, and for equal stamps (which a correct clock never issues for two
// different edits) a fixed order on the content, so Merge stays commutative.
func newer(x, y Account) bool {
	if c := x.Stamp.Compare(y.Stamp); c != 0 {
		return c > 0
	}
	return compareContent(x, y) > 0
}

func compareContent(x, y Account) int {
	return cmp.Or(
		strings.Compare(x.Issuer, y.Issuer),
		strings.Compare(x.Name, y.Name),
		strings.Compare(string(x.Type), string(y.Type)),
		bytes.Compare(x.Secret.raw(), y.Secret.raw()),
		strings.Compare(string(x.Algorithm), string(y.Algorithm)),
		cmp.Compare(x.Digits, y.Digits),
		cmp.Compare(x.Period, y.Period),
		slices.Compare(x.Tags, y.Tags),
		strings.Compare(x.Note, y.Note),
		cmpBool(x.Favorite, y.Favorite),
	)
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// duplicateOf maps each hidden duplicate's ID to the ID that is kept.
// Duplicates share an issuer and a name, so one map groups the accounts by
// those (its keys are the accounts' own strings, not copies), and only
// groups of more than one are sorted, by secret bytes then ID: linear in
// the accounts where sorting them all was n log n comparisons of strings
// (most of State.Live). No string copy of a secret is made (one would
// outlive every wipe).
func (s State) duplicateOf() map[string]string {
	dup := map[string]string{}
	if len(s.Accounts) < 2 {
		return dup
	}
	type names struct{ issuer, name string }
	first := make(map[names]int, len(s.Accounts))
	var groups map[int][]int // by the index of a group's first account
	for i := range s.Accounts {
		a := &s.Accounts[i]
		k := names{a.Issuer, a.Name}
		j, ok := first[k]
		if !ok {
			first[k] = i
			continue
		}
		if groups == nil {
			groups = map[int][]int{}
		}
		if groups[j] == nil {
			groups[j] = []int{j}
		}
		groups[j] = append(groups[j], i)
	}
	for _, idx := range groups {
		slices.SortFunc(idx, func(i, j int) int {
			x, y := &s.Accounts[i], &s.Accounts[j]
			return cmp.Or(bytes.Compare(x.Secret.raw(), y.Secret.raw()), strings.Compare(x.ID, y.ID))
		})
		keep := &s.Accounts[idx[0]]
		for _, i := range idx[1:] {
			a := &s.Accounts[i]
			if bytes.Equal(a.Secret.raw(), keep.Secret.raw()) {
				dup[a.ID] = keep.ID
				continue
			}
			keep = a
		}
	}
	return dup
}

// Live returns the accounts a person sees: no tombstoned accounts, and of
// each set of duplicates only the one with the smallest ID. The order is by
// ID; callers sort for display.
func (s State) Live() []Account {
	dup := s.duplicateOf()
	out := make([]Account, 0, len(s.Accounts))
	for _, a := range s.Accounts {
		if _, hidden := dup[a.ID]; !hidden {
			out = append(out, a)
		}
	}
	return out
}

// Duplicates maps the ID of each hidden duplicate to the ID kept in its place.
func (s State) Duplicates() map[string]string { return s.duplicateOf() }

// Dedupe records every hidden duplicate as a tombstone stamped by c, so that
// deleting or renaming the kept account never brings the duplicate back. It
// returns how many it removed.
func (s *State) Dedupe(c *Clock) int {
	dup := s.duplicateOf()
	if len(dup) == 0 {
		return 0
	}
	var ts []Tombstone
	for id := range dup {
		ts = append(ts, Tombstone{ID: id, Stamp: c.Now()})
	}
	*s = Merge(*s, State{Tombstones: ts})
	return len(dup)
}

// Account returns the live account with the given ID.
func (s State) Account(id string) (Account, bool) {
	for _, a := range s.Accounts {
		if a.ID == id {
			return a, true
		}
	}
	return Account{}, false
}

// Deleted reports whether id has a tombstone.
func (s State) Deleted(id string) bool {
	for _, t := range s.Tombstones {
		if t.ID == id {
			return true
		}
	}
	return false
}

// MaxStamp is the newest stamp anywhere in the state.
func (s State) MaxStamp() Stamp {
	m := s.Settings.maxStamp()
	for _, a := range s.Accounts {
		if a.Stamp.Compare(m) > 0 {
			m = a.Stamp
		}
	}
	for _, t := range s.Tombstones {
		if t.Stamp.Compare(m) > 0 {
			m = t.Stamp
		}
	}
	return m
}
