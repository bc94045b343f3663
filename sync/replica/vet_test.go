package replica

import (
	"testing"
	"time"

	"github.com/wardkey/wardkey/vault"
)

// A replica written by a workstation whose clock says 2100 (or crafted by
// someone holding the key) cannot stamp this workstation's changes in 2100
// nor set lock_after out of range: sync sets those entries aside, reports
// them, and takes them once this clock has caught up.
func TestSyncSetsAsideFutureAndBadSettings(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	r, _ := tempFolder(t)
	a := newFirstDevice(t, "a", now)
	a.add(t, "EHR", "dr.jones")
	a.sync(t, r)
	b := joinDevice(t, "b", r, now)

	// b's clock jumps to 2100; it adds an account and a bad setting.
	b.clock.Add(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).Sub(now))
	b.add(t, "Future", "x")
	if err := b.v.Update(func(tx *vault.Tx) error { tx.SetSettings(vault.Settings{LockAfter: 2147483647}); return nil }); err != nil {
		t.Fatal(err)
	}
	b.sync(t, r)

	rep := a.sync(t, r)
	if len(rep.SetAside) != 1 {
		t.Fatalf("set aside %v, want b's replica", rep.SetAside)
	}
	if got := labels(a.v); len(got) != 1 {
		t.Fatalf("a took the future account: %v", got)
	}
	if a.v.Settings().LockAfter != 0 {
		t.Fatalf("a took lock_after %d", a.v.Settings().LockAfter)
	}
	// a's later changes are stamped by its own clock, not 2100.
	added := a.add(t, "Mail", "me")
	if added.Stamp.Wall > now.Add(vault.MaxAhead).UnixMilli() {
		t.Fatalf("a stamps %s", added.Stamp)
	}
	// Once a's clock has caught up, the future account comes in.
	a.clock.Add(time.Date(2100, 1, 2, 0, 0, 0, 0, time.UTC).Sub(now))
	a.sync(t, r)
	if got := labels(a.v); len(got) != 3 {
		t.Fatalf("after the clock caught up: %v", got)
	}
}
