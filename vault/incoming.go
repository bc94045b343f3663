package vault

import (
	"fmt"
	"strings"
	"time"
)

// What comes from outside the vault (a backup, a replica) is vetted before
// it is merged (DESIGN.md, Hardening: restore asks): settings out of range
// and entries stamped too far in the future are set aside, so a crafted
// file can neither set lock_after to 2147483647 nor win every later merge
// with stamps from the year 2100.

// MaxAhead is how far ahead of this device's clock a stamp may be. An
// incoming entry stamped later is set aside until the clock catches up, and
// this device's own clock never stamps later than now + MaxAhead.
const MaxAhead = 24 * time.Hour

// Settings from outside pass through Settings.Validate (settings.go), the
// one check of every key's range.

// SetAside is what Vet kept out of an incoming state, and why.
type SetAside struct {
	// Future lists the accounts and deletions stamped more than MaxAhead
	// ahead of the clock: taken by a later restore or sync, once the
	// clock has caught up.
	Future []string
	// Invalid lists accounts that do not validate, each with its reason.
	Invalid []string
	// Settings says why the incoming settings were not taken ("" if they
	// were, or there were none).
	Settings string
}

// Empty reports whether nothing was set aside.
func (a SetAside) Empty() bool {
	return len(a.Future) == 0 && len(a.Invalid) == 0 && a.Settings == ""
}

// String is one line for the person.
func (a SetAside) String() string {
	var parts []string
	if n := len(a.Future); n > 0 {
		parts = append(parts, fmt.Sprintf("%d entries stamped more than 24 h ahead of this clock (taken once the clock catches up)", n))
	}
	if n := len(a.Invalid); n > 0 {
		parts = append(parts, fmt.Sprintf("%d invalid accounts (%s)", n, strings.Join(a.Invalid, "; ")))
	}
	if a.Settings != "" {
		parts = append(parts, "the settings ("+a.Settings+")")
	}
	return strings.Join(parts, "; ")
}

// Vet returns the part of an incoming state that may be merged at now (the
// clock with its applied offset), and what it set aside: accounts and
// tombstones stamped after now + MaxAhead (a tombstone's account with it,
// so a deletion set aside does not bring the account back), accounts that
// do not validate, and settings out of range or from the future (the
// current settings then stay). Vet(Vet(s)) sets nothing more aside.
func Vet(s State, now time.Time) (State, SetAside) {
	limit := now.Add(MaxAhead).UnixMilli()
	var aside SetAside
	out := State{Settings: s.Settings, Accounts: make([]Account, 0, len(s.Accounts)), Tombstones: make([]Tombstone, 0, len(s.Tombstones))}
	held := map[string]bool{}
	for _, t := range s.Tombstones {
		if t.Stamp.Wall > limit {
			held[t.ID] = true
			aside.Future = append(aside.Future, t.ID)
			continue
		}
		out.Tombstones = append(out.Tombstones, t)
	}
	for _, a := range s.Accounts {
		switch {
		case held[a.ID]:
		case a.Stamp.Wall > limit:
			aside.Future = append(aside.Future, a.ID)
		case a.Validate() != nil:
			aside.Invalid = append(aside.Invalid, fmt.Sprintf("%s: %v", a.ID, a.Validate()))
		default:
			out.Accounts = append(out.Accounts, a)
		}
	}
	switch err := s.Settings.Validate(); {
	case err != nil:
		aside.Settings = err.Error()
		out.Settings = Settings{}
	case s.Settings.maxStamp().Wall > limit:
		aside.Settings = "stamped more than 24 h ahead of this clock"
		out.Settings = Settings{}
	}
	return out, aside
}

// repairFuture restamps, with c, every entry of s stamped after now +
// MaxAhead: stamps that came in before they were vetted (a vault that
// merged a crafted backup or replica). It runs on every save, so it
// repairs once. It returns how many it restamped.
func (s *State) repairFuture(c *Clock, now time.Time) int {
	limit := now.Add(MaxAhead).UnixMilli()
	n := 0
	for i := range s.Accounts {
		if s.Accounts[i].Stamp.Wall > limit {
			s.Accounts[i].Stamp = c.Now()
			n++
		}
	}
	for i := range s.Tombstones {
		if s.Tombstones[i].Stamp.Wall > limit {
			s.Tombstones[i].Stamp = c.Now()
			n++
		}
	}
	for _, r := range SettingRanges {
		if _, st := s.Settings.slot(r.Key); st.Wall > limit {
			*st = c.Now()
			n++
		}
	}
	return n
}
