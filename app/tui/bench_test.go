package tui

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/vault"
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
		m2, _ := m.Update(tickMsg{gen: m.gen})
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
