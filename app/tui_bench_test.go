package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

// benchAccounts are n accounts of mixed issuers and digits.
func benchAccounts(n int) []vault.Account {
	issuers := []string{"Riverside EHR", "Clinic Mail", "Billing Portal", "Lab Results", "VPN", "Rota", "Pathology", "Radiology"}
	as := make([]vault.Account, 0, n)
	for i := range n {
		s, err := vault.ParseSecret(fmt.Sprintf("GEZDGNBVGY3TQOJQ%016X", i))
		if err != nil {
			s, _ = vault.ParseSecret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
		}
		as = append(as, vault.Account{Issuer: issuers[i%len(issuers)], Name: fmt.Sprintf("user%04d@ward%d.example", i, i%12),
			Secret: s, Digits: 6 + 2*(i%2), Tags: []string{fmt.Sprintf("ward %d", i%12)}})
	}
	return as
}

// BenchmarkPickerToCodes is the time from "Who are you?" to the codes on
// screen for a 1,000-account profile, through the real glue: filtering
// the picker, the unlock screen, the real unlock (a cheap KDF: argon2id
// 64 KiB, t=1, so the KDF is left out), the payload, the unlock line of
// the audit log (append and fsync), local.json and recent.json, and the
// first frame. The quit after it (its lock line) is not timed.
func BenchmarkPickerToCodes(b *testing.B) {
	e, now := tuiEnv(b, "jones", nil)
	seedVault(b, e, benchAccounts(1000), "right horse", nil).Close()
	lee := *e
	lee.profile = "lee"
	seedVault(b, &lee, benchAccounts(3), "other horse", nil).Close()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		d := newTUIDriver(b, e, now, 80, 24)
		if !d.has("Who are you?") {
			b.Fatalf("no picker:\n%s", d.screen())
		}
		b.StartTimer()
		d.typeText("jones")
		d.key("enter")
		d.typeText("right horse")
		d.key("enter")
		scr := d.screen()
		b.StopTimer()
		if d.m.Locked() || !strings.Contains(scr, "1000 accounts") {
			b.Fatalf("no codes:\n%s", scr)
		}
		d.key("q")
		b.StartTimer()
	}
}

// BenchmarkTUIAudit is one event of the code screen (a code copied)
// through tuiBackend.Audit: the append with its fsync, and the anchor
// written to its slot in audit.anchor, as written at once while the
// screen runs.
func BenchmarkTUIAudit(b *testing.B) {
	e, _ := tuiEnv(b, "default", nil)
	v := seedVault(b, e, benchAccounts(3), "right horse", nil)
	defer v.Close()
	bk := &tuiBackend{e: e}
	ev := audit.Event{Event: audit.CodeCopied, Account: "0000000000000001"}
	for b.Loop() {
		if err := bk.Audit(v, ev); err != nil {
			b.Fatal(err)
		}
	}
}
