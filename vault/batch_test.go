package vault

import (
	"errors"
	"testing"
)

// TestAddAll: a batch gets IDs and increasing stamps in the order given,
// in one save; an invalid account refuses the whole batch, naming it.
func TestAddAll(t *testing.T) {
	v := NewMemory(State{})
	in := []Account{testAccount("A", "1"), testAccount("B", "2"), {ID: "fixed", Issuer: "C", Secret: NewSecret([]byte("k"))}}
	var out []Account
	if err := v.Update(func(tx *Tx) error {
		var err error
		out, err = tx.AddAll(in)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 || out[0].ID == "" || out[0].ID == out[1].ID || out[2].ID != "fixed" {
		t.Fatalf("IDs: %q %q %q", out[0].ID, out[1].ID, out[2].ID)
	}
	if out[0].Stamp.Compare(out[1].Stamp) >= 0 || out[1].Stamp.Compare(out[2].Stamp) >= 0 {
		t.Errorf("stamps do not increase in batch order")
	}
	if out[2].Type != TOTP || out[2].Digits != 6 || out[2].Period != 30 {
		t.Errorf("not normalised: %s %d %d", out[2].Type, out[2].Digits, out[2].Period)
	}
	if n := len(v.Accounts()); n != 3 {
		t.Errorf("%d accounts, want 3", n)
	}

	bad := []Account{testAccount("D", "4"), {Issuer: "E"}} // no secret
	err := v.Update(func(tx *Tx) error { _, err := tx.AddAll(bad); return err })
	var be *BatchError
	if !errors.As(err, &be) || be.Index != 1 {
		t.Fatalf("err = %v, want a BatchError for account 2", err)
	}
	if n := len(v.Accounts()); n != 3 {
		t.Errorf("%d accounts after a refused batch, want 3", n)
	}
}
