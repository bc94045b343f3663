package wording

import (
	"fmt"
	"strings"
	"time"

	"github.com/wardkey/wardkey/vault"
)

// PlanSection is one category of a restore plan as a person reads it:
// "added: 2" and, when List is set, the accounts under it, then a note.
type PlanSection struct {
	Title    string // lower case: "deleted here, kept deleted"
	Accounts []vault.Account
	List     bool   // name each account
	Note     string // shown when there are accounts: "(…)"
}

// RestorePlan lists p's categories in the order 'wardkey restore' prints
// them and the code screen shows them. undeleting says the plan brings
// back accounts deleted here; undeleteHow is how to ask for that
// ("restore --undelete", "u").
func RestorePlan(p vault.RestorePlan, undeleting bool, undeleteHow string) []PlanSection {
	out := []PlanSection{
		{"added", p.Added, true, ""},
		{"updated", p.Updated, true, ""},
		{"unchanged", p.Unchanged, false, ""},
		{"duplicates", p.Duplicates, true, "the same issuer, name and secret are here already under another ID: kept once"},
	}
	if undeleting || len(p.Undeleted) > 0 {
		out = append(out, PlanSection{"deleted here, brought back", p.Undeleted, true, "under new IDs"})
	}
	out = append(out, PlanSection{"deleted here, kept deleted", p.KeptDeleted, true, undeleteHow + " brings them back"})
	if len(p.Removed) > 0 {
		out = append(out, PlanSection{"deleted in the backup", p.Removed, true, "deleted later elsewhere: the delete wins"})
	}
	return out
}

// PlanSettings is the plan's line about settings, or "".
func PlanSettings(p vault.RestorePlan) string {
	if p.Settings {
		return "settings: newer in the backup"
	}
	return ""
}

// RestoreSummary says what a restore did: "2 added, 0 updated, 1 brought
// back".
func RestoreSummary(p vault.RestorePlan) string {
	parts := []string{fmt.Sprintf("%d added", len(p.Added)), fmt.Sprintf("%d updated", len(p.Updated))}
	if n := len(p.Undeleted); n > 0 {
		parts = append(parts, fmt.Sprintf("%d brought back", n))
	}
	if n := len(p.Removed); n > 0 {
		parts = append(parts, fmt.Sprintf("%d deleted as in the backup", n))
	}
	return strings.Join(parts, ", ")
}

// BackupInfo says what a backup is: "backup made 2026-01-01 00:00 UTC, of
// this vault: 8 accounts" (vaultID: the open vault's, "" none). It takes
// the backup's facts rather than a backup.Backup so that what links this
// package (the lean binary's commands: cmd/wardkey's build) does not link
// age.
func BackupInfo(created time.Time, backupVaultID string, accounts int, vaultID string) string {
	whose := ""
	switch {
	case vaultID == "":
	case backupVaultID == vaultID:
		whose = ", of this vault"
	case backupVaultID != "":
		whose = ", from vault " + backupVaultID
	}
	when := "of unknown date"
	if !created.IsZero() {
		when = "made " + created.UTC().Format("2006-01-02 15:04 UTC")
	}
	return fmt.Sprintf("backup %s%s: %s", when, whose, Count(accounts, "account"))
}

// Count says "1 account", "3 accounts".
func Count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
