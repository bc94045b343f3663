package tui

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/backup"
)

// thousand is 1,000 accounts of mixed issuers and digits.
func thousand(tb testing.TB) []vault.Account {
	issuers := []string{"Riverside EHR", "Clinic Mail", "Billing Portal", "Lab Results", "VPN", "Rota", "Pathology", "Radiology"}
	var as []vault.Account
	for i := range 1000 {
		s, err := vault.ParseSecret(fmt.Sprintf("GEZDGNBVGY3TQOJQ%016X", i))
		if err != nil {
			s, _ = vault.ParseSecret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
		}
		a := vault.Account{Issuer: issuers[i%len(issuers)], Name: fmt.Sprintf("user%04d@ward%d.example", i, i%12), Secret: s, Digits: 6 + 2*(i%2), Tags: []string{fmt.Sprintf("ward %d", i%12)}}
		as = append(as, a)
	}
	return as
}

// BenchmarkFrame is one second's work with 1,000 accounts: the tick's
// Update, then View.
func BenchmarkFrame(b *testing.B) {
	cfg, _ := memConfig(b, thousand(b))
	d := newDriver(b, cfg)
	m := d.m
	b.ReportAllocs()
	for b.Loop() {
		m2, _ := m.Update(tickMsg{m.c.sess})
		m = m2.(Model)
		_ = m.View()
	}
}

// BenchmarkFindKeystroke is one keystroke in the find field over 1,000
// accounts (Update: refilter and re-sort), alternately typing and erasing.
func BenchmarkFindKeystroke(b *testing.B) {
	cfg, _ := memConfig(b, thousand(b))
	d := newDriver(b, cfg)
	d.key("/")
	d.typeText("war")
	m := d.m
	keys := []tea.KeyPressMsg{keyMsg("d"), keyMsg("backspace")}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m2, _ := m.Update(keys[i%2])
		m = m2.(Model)
		i++
	}
}

// BenchmarkFindKeystrokeFrame is a find keystroke and the redraw after it.
func BenchmarkFindKeystrokeFrame(b *testing.B) {
	cfg, _ := memConfig(b, thousand(b))
	d := newDriver(b, cfg)
	d.key("/")
	d.typeText("war")
	m := d.m
	keys := []tea.KeyPressMsg{keyMsg("d"), keyMsg("backspace")}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m2, _ := m.Update(keys[i%2])
		m = m2.(Model)
		_ = m.View()
		i++
	}
}

// BenchmarkRestorePlanFrame is one redraw of the restore plan of a backup
// of 1,000 accounts into an empty vault (the longest plan: every account
// listed as added, scrolled).
func BenchmarkRestorePlanFrame(b *testing.B) {
	cfg, _ := memConfig(b, nil)
	w := vault.NewMemory(vault.State{})
	if err := w.Update(func(tx *vault.Tx) error {
		for _, a := range thousand(b) {
			if _, err := tx.Add(a); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	cfg.ReadBackup = func(string, []byte) (backup.Backup, error) { return backup.Backup{State: w.State()}, nil }
	d := newDriver(b, cfg)
	d.key("ctrl+r")
	d.typeText("~/big.age")
	d.key("enter")
	d.typeText("orbit tulip gravel lantern")
	d.key("enter")
	if r, ok := d.m.front.(restoreModel); !ok || r.step != resPlan {
		b.Fatalf("no plan:\n%s", d.screen())
	}
	m := d.m
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}
