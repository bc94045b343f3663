package vault

import (
	"strings"
	"testing"
	"time"
)

func TestVet(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) Stamp { return Stamp{Wall: now.Add(d).UnixMilli(), Device: "d"} }
	ok := func(id string, s Stamp) Account {
		return Account{ID: id, Issuer: id, Type: TOTP, Secret: NewSecret([]byte("0123456789")), Algorithm: SHA1, Digits: 6, Period: 30, Stamp: s}
	}
	bad := ok("bad", at(0))
	bad.Digits = 99
	in := State{
		Accounts:   []Account{ok("near", at(23*time.Hour)), ok("far", at(25*time.Hour)), ok("gone", at(0)), bad},
		Tombstones: []Tombstone{{ID: "gone", Stamp: at(48 * time.Hour)}, {ID: "old", Stamp: at(-time.Hour)}},
		Settings:   Settings{LockAfter: 2147483647, Stamp: at(0)},
	}
	out, aside := Vet(in, now)
	var ids []string
	for _, a := range out.Accounts {
		ids = append(ids, a.ID)
	}
	if strings.Join(ids, ",") != "near" {
		t.Errorf("kept accounts %v, want near", ids)
	}
	if len(out.Tombstones) != 1 || out.Tombstones[0].ID != "old" {
		t.Errorf("kept tombstones %v", out.Tombstones)
	}
	if out.Settings != (Settings{}) || !strings.Contains(aside.Settings, "out of range") {
		t.Errorf("settings %v kept, aside %q", out.Settings, aside.Settings)
	}
	if len(aside.Future) != 2 || len(aside.Invalid) != 1 {
		t.Errorf("aside %+v", aside)
	}
	// Vetting again sets nothing more aside.
	if _, again := Vet(out, now); !again.Empty() {
		t.Errorf("second Vet set aside %v", again)
	}
	// Settings from the future are set aside too.
	_, aside = Vet(State{Settings: Settings{LockAfter: 60, Stamp: at(30 * time.Hour)}}, now)
	if aside.Settings == "" {
		t.Error("settings stamped 30 h ahead were taken")
	}
}

// The device clock never stamps past now + MaxAhead, whatever it saw, and
// a save restamps what came in from the future before it was vetted.
func TestClockCapAndRepair(t *testing.T) {
	now := time.Now()
	c := NewClock("me", func() time.Time { return now })
	c.Observe(Stamp{Wall: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()})
	if s := c.Now(); s.Wall > now.Add(MaxAhead).UnixMilli()+1 {
		t.Fatalf("the clock stamps %s after seeing 2100", s)
	}

	dir := t.TempDir()
	v, err := Create(dir, CreateOptions{Passphrase: []byte("pw"), Options: Options{KDF: &KDFParams{Alg: "argon2id", Memory: 64, Time: 1, Threads: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	future := Stamp{Wall: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), Device: "evil"}
	a := Account{ID: "0123456789abcdef", Issuer: "EHR", Type: TOTP, Secret: NewSecret([]byte("0123456789")), Algorithm: SHA1, Digits: 6, Period: 30, Stamp: future}
	if err := v.Update(func(tx *Tx) error { tx.Merge(State{Accounts: []Account{a}}); return nil }); err != nil {
		t.Fatal(err)
	}
	// The next save repairs it, and an edit made then wins.
	if err := v.Update(func(tx *Tx) error {
		b, _ := tx.State().Account(a.ID)
		b.Name = "renamed"
		return tx.Put(b)
	}); err != nil {
		t.Fatal(err)
	}
	got, _ := v.State().Account(a.ID)
	if got.Name != "renamed" || got.Stamp.Wall > time.Now().Add(MaxAhead).UnixMilli() {
		t.Fatalf("after the repair: name %q, stamp %s", got.Name, got.Stamp)
	}
}
