package vault

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// sampleState has every kind of thing a backup carries: TOTP, HOTP with a
// counter, Steam, tags, a note, a favourite, a tombstone and settings.
func sampleState(t testing.TB) State {
	c := NewClock("dev-1", func() time.Time { return time.UnixMilli(1_700_000_000_000) })
	mk := func(id, iss, name, b32 string, typ Type) Account {
		a := Account{ID: id, Issuer: iss, Name: name, Secret: mustSecret(t, b32), Type: typ}
		a.Normalize()
		a.Stamp = c.Now()
		return a
	}
	totp := mk("1000000000000001", "EHR", "dr.jones", "JBSWY3DPEHPK3PXP", TOTP)
	totp.Tags, totp.Note, totp.Favorite = []string{"ward 3", "daily"}, "the login at the nurses' station", true
	hotp := mk("1000000000000002", "VPN", "ops", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", HOTP)
	hotp.Counter, hotp.Algorithm, hotp.Digits = 41, SHA256, 8
	steam := mk("1000000000000003", "Steam", "gamer", "GEZDGNBVGY3TQOJQ", Steam)
	return State{
		Accounts:   []Account{totp, hotp, steam},
		Tombstones: []Tombstone{{ID: "2000000000000009", Stamp: c.Now()}},
		Settings:   Settings{LockAfter: 300, Stamp: c.Now()},
	}
}

func acct(t testing.TB, c *Clock, id, iss, name, b32 string) Account {
	a := Account{ID: id, Issuer: iss, Name: name, Secret: mustSecret(t, b32)}
	a.Normalize()
	a.Stamp = c.Now()
	return a
}

func ids(as []Account) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

func TestPlanRestore(t *testing.T) {
	c := NewClock("dev-1", nil)
	old := acct(t, c, "a1", "EHR", "old", "GEZDGNBVGY3TQOJQ")
	same := acct(t, c, "a2", "EHR", "same", "JBSWY3DPEHPK3PXP")
	deleted := acct(t, c, "a3", "Mail", "gone", "MFRGGZDFMZTWQ2LK")
	dupHere := acct(t, c, "a4", "VPN", "ops", "ONSWG4TFOQ======")
	removedHere := acct(t, c, "a5", "Wiki", "me", "NBSWY3DP")
	hotp := acct(t, c, "a6", "Door", "pin", "KRSXG5A=")
	hotp.Type, hotp.Counter, hotp.Period = HOTP, 5, 0
	edited := old.Clone()
	edited.Note = "edited in the backup"
	edited.Stamp = c.Now()
	hotpUsed := hotp.Clone()
	hotpUsed.Counter = 9 // the backup was made after more codes were used
	newOne := acct(t, c, "b1", "New", "one", "MZXW6YTBOI======")
	dupInBackup := acct(t, c, "b2", "VPN", "ops", "ONSWG4TFOQ======")
	backup := State{
		Accounts:   []Account{edited, same, deleted, hotpUsed, newOne, dupInBackup},
		Tombstones: []Tombstone{{ID: removedHere.ID, Stamp: c.Now()}},
		Settings:   Settings{LockAfter: 600, Stamp: c.Now()},
	}
	current := State{
		Accounts:   []Account{old, same, dupHere, removedHere, hotp},
		Tombstones: []Tombstone{{ID: deleted.ID, Stamp: c.Now()}},
		Settings:   Settings{LockAfter: 60, Stamp: Stamp{Wall: 1}},
	}
	p := PlanRestore(current, backup, false)
	for name, tt := range map[string]struct{ got, want []string }{
		"added":        {ids(p.Added), []string{"b1"}},
		"updated":      {ids(p.Updated), []string{"a6", "a1"}}, // sorted by issuer: Door, EHR
		"unchanged":    {ids(p.Unchanged), []string{"a2"}},
		"duplicates":   {ids(p.Duplicates), []string{"b2"}},
		"kept deleted": {ids(p.KeptDeleted), []string{"a3"}},
		"undeleted":    {ids(p.Undeleted), []string{}},
		"removed":      {ids(p.Removed), []string{"a5"}},
	} {
		if fmt.Sprint(tt.got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: %v, want %v", name, tt.got, tt.want)
		}
	}
	if !p.Settings || !p.Changes() {
		t.Errorf("settings %v, changes %v: want both", p.Settings, p.Changes())
	}

	u := PlanRestore(current, backup, true)
	if len(u.Undeleted) != 1 || u.Undeleted[0].ID == deleted.ID || u.Undeleted[0].Name != "gone" || len(u.KeptDeleted) != 0 {
		t.Errorf("--undelete: undeleted %v, kept deleted %v", ids(u.Undeleted), ids(u.KeptDeleted))
	}

	// The same backup against a state that already holds it: nothing to do.
	again := PlanRestore(Merge(current, backup), backup, false)
	if again.Changes() || len(again.Added)+len(again.Updated) != 0 {
		t.Errorf("second restore plans changes: added %v updated %v", ids(again.Added), ids(again.Updated))
	}
	// An older backup of an account edited here since: unchanged, not updated.
	older := PlanRestore(State{Accounts: []Account{edited}}, State{Accounts: []Account{old}}, false)
	if len(older.Unchanged) != 1 || older.Changes() {
		t.Errorf("an older version in the backup: unchanged %v, changes %v", ids(older.Unchanged), older.Changes())
	}
}

func newDiskVault(t *testing.T) (string, *Vault) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "default")
	v, err := Create(dir, CreateOptions{Options: cheap, Passphrase: []byte("vault pw")})
	if err != nil {
		t.Fatal(err)
	}
	return dir, v
}

// TestApplyRestoreTwiceEqualsOnce restores a backup into a vault on disk
// with edits and deletes of its own, then again: the second restore plans
// nothing, and --undelete brings a deleted account back once.
func TestApplyRestoreTwiceEqualsOnce(t *testing.T) {
	b := struct{ State State }{Merge(sampleState(t), State{})} // what backup.Read returns of it
	dir, v := newDiskVault(t)
	var err error
	var first RestorePlan
	if err := v.Update(func(tx *Tx) error { first, err = ApplyRestore(tx, b.State, false); return err }); err != nil {
		t.Fatal(err)
	}
	if len(first.Added) != 3 || len(v.Accounts()) != 3 {
		t.Fatalf("first restore added %d, vault has %d", len(first.Added), len(v.Accounts()))
	}
	steam := "1000000000000003"
	if err := v.Update(func(tx *Tx) error { tx.Delete(steam); return nil }); err != nil {
		t.Fatal(err)
	}
	before := canon(t, v.State())
	p := PlanRestore(v.State(), b.State, false)
	if p.Changes() || len(p.KeptDeleted) != 1 || len(p.Unchanged) != 2 {
		t.Fatalf("second plan: changes %v, kept deleted %v, unchanged %v", p.Changes(), ids(p.KeptDeleted), ids(p.Unchanged))
	}
	if err := v.Update(func(tx *Tx) error { _, err := ApplyRestore(tx, b.State, false); return err }); err != nil {
		t.Fatal(err)
	}
	if after := canon(t, v.State()); after != before {
		t.Fatal("restoring the same backup again changed the state")
	}
	for range 2 {
		if err := v.Update(func(tx *Tx) error { _, err := ApplyRestore(tx, b.State, true); return err }); err != nil {
			t.Fatal(err)
		}
	}
	live := v.Accounts()
	if len(live) != 3 {
		t.Fatalf("%d accounts after two --undelete restores, want 3", len(live))
	}
	w, err := Open(dir, Unlock{Passphrase: passphrase("vault pw")})
	if err != nil {
		t.Fatal(err)
	}
	if !w.State().Deleted(steam) {
		t.Fatal("the tombstone of the undeleted account is gone")
	}
	if got, _ := Find(w.Accounts(), "Steam"); got.ID == steam || got.Type != Steam {
		t.Fatalf("undeleted account: id %s type %s", got.ID, got.Type)
	}
}

// TestCreateFromBackup: restore where no vault exists.
func TestCreateFromBackup(t *testing.T) {
	s := sampleState(t)
	dir := filepath.Join(t.TempDir(), "p")
	if _, err := Create(dir, CreateOptions{Options: cheap, Passphrase: []byte("pw"), State: s}); err != nil {
		t.Fatal(err)
	}
	v, err := Open(dir, Unlock{Passphrase: passphrase("pw")})
	if err != nil {
		t.Fatal(err)
	}
	if canon(t, v.State()) != canon(t, Merge(s, State{})) {
		t.Fatal("the new vault does not hold the backup")
	}
}

// TestPlanRestoreLeavesInputs: planning compares through a merge that
// shares the inputs' secrets; the inputs keep them, unchanged.
func TestPlanRestoreLeavesInputs(t *testing.T) {
	cur := sampleState(t)
	bk := Merge(sampleState(t), State{})
	bk.Accounts[0].Name = "renamed"
	bk.Accounts[0].Stamp.Wall++
	want := Merge(cur, bk)
	defer wipeState(want)
	for _, undelete := range []bool{false, true} {
		p := PlanRestore(cur, bk, undelete)
		if len(p.Updated) != 1 {
			t.Fatalf("undelete=%v: %d updated, want 1", undelete, len(p.Updated))
		}
		for _, s := range []State{cur, bk} {
			for _, a := range s.Accounts {
				if a.Secret.IsZero() || a.Secret.Bytes()[0] == 0 {
					t.Fatalf("undelete=%v: the secret of %s was wiped", undelete, a.ID)
				}
			}
		}
		if got := Merge(cur, bk); !sameState(got, want) {
			t.Fatalf("undelete=%v: the inputs changed", undelete)
		}
	}
}
