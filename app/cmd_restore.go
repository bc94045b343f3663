package app

import (
	"fmt"
	"io"
	"strings"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/backup"
)

func cmdRestore(e *env, args []string) error {
	fs := e.flags("restore")
	dryRun := fs.Bool("dry-run", false, "show the plan, change nothing")
	undelete := fs.Bool("undelete", false, "bring back accounts the backup holds that were deleted here")
	passFile := fs.String("passphrase-file", "", "read the backup passphrase from this file")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("restore takes one FILE")
	}
	file := pos[0]

	// Decrypt and check the whole backup before touching anything.
	f, err := openBackupFile(file, file)
	if err != nil {
		return err
	}
	defer f.Close()
	pass, err := e.backupPassphrase(*passFile, false)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.err, "wardkey: decrypting the backup (a second or two)")
	b, err := readBackup(f, file, pass)
	wipe(pass)
	if err != nil {
		return err
	}
	defer func() {
		for _, a := range b.State.Accounts {
			a.Secret.Wipe()
		}
	}()

	if !e.demo && !vault.Exists(e.dir()) {
		return restoreNew(e, b, *dryRun)
	}
	v, err := e.openVault()
	if err != nil {
		return err
	}
	defer v.Close()
	plan := vault.PlanRestore(v.State(), b.State, *undelete)
	printBackupInfo(e.out, b, v.ID())
	printPlan(e.out, plan)
	switch {
	case *dryRun:
		fmt.Fprintln(e.err, "wardkey: dry run: nothing was changed")
		return nil
	case !plan.Changes():
		fmt.Fprintln(e.err, "wardkey: the vault already holds everything in this backup: nothing to change")
		return nil
	}
	var done vault.RestorePlan
	if err := v.Update(func(tx *vault.Tx) error {
		done, err = vault.ApplyRestore(tx, b.State, *undelete)
		return err
	}); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(e.err, "wardkey: restored: %s; the vault of profile %q now has %s\n",
		summary(done), e.profile, plural(len(v.Accounts()), "account"))
	return nil
}

// restoreNew restores where the profile has no vault: it creates one
// holding the backup, with the slots init would give it.
func restoreNew(e *env, b backup.Backup, dryRun bool) error {
	plan := vault.PlanRestore(vault.State{}, b.State, false)
	printBackupInfo(e.out, b, "")
	printPlan(e.out, plan)
	if dryRun {
		fmt.Fprintf(e.err, "wardkey: dry run: profile %q has no vault yet; restore would create one; nothing was changed\n", e.profile)
		return nil
	}
	o, err := e.newVaultOptions(false, false)
	if err != nil {
		return err
	}
	o.State = b.State
	v, err := e.createVault(o, "")
	if err != nil {
		return err
	}
	defer v.Close()
	fmt.Fprintf(e.err, "wardkey: restored %s into the new vault\n", plural(len(v.Accounts()), "account"))
	return nil
}

// printBackupInfo says what the backup is.
func printBackupInfo(w io.Writer, b backup.Backup, vaultID string) {
	whose := ""
	switch {
	case vaultID == "":
	case b.VaultID == vaultID:
		whose = ", of this vault"
	case b.VaultID != "":
		whose = ", from vault " + b.VaultID
	}
	when := "of unknown date"
	if !b.Created.IsZero() {
		when = "made " + b.Created.UTC().Format("2006-01-02 15:04 UTC")
	}
	fmt.Fprintf(w, "backup %s%s: %s\n", when, whose, plural(len(b.State.Live()), "account"))
}

// printPlan shows what the restore does, category by category.
func printPlan(w io.Writer, p vault.RestorePlan) {
	section := func(title string, as []vault.Account, list bool, note string) {
		fmt.Fprintf(w, "%s: %d\n", title, len(as))
		if list {
			for _, a := range as {
				fmt.Fprintf(w, "  %s\n", a.Label())
			}
		}
		if note != "" && len(as) > 0 {
			fmt.Fprintf(w, "  (%s)\n", note)
		}
	}
	section("added", p.Added, true, "")
	section("updated", p.Updated, true, "")
	section("unchanged", p.Unchanged, false, "")
	section("duplicate", p.Duplicates, true, "the same issuer, name and secret are here already under another ID: kept once")
	section("deleted here, kept deleted", p.KeptDeleted, true, "restore --undelete brings them back")
	if len(p.Undeleted) > 0 {
		section("deleted here, brought back", p.Undeleted, true, "under new IDs")
	}
	if len(p.Removed) > 0 {
		section("deleted in the backup", p.Removed, true, "deleted later elsewhere: the delete wins")
	}
	if p.Settings {
		fmt.Fprintln(w, "settings: newer in the backup")
	}
}

func summary(p vault.RestorePlan) string {
	parts := []string{fmt.Sprintf("%d added", len(p.Added)), fmt.Sprintf("%d updated", len(p.Updated))}
	if n := len(p.Undeleted); n > 0 {
		parts = append(parts, fmt.Sprintf("%d brought back", n))
	}
	if n := len(p.Removed); n > 0 {
		parts = append(parts, fmt.Sprintf("%d deleted as in the backup", n))
	}
	return strings.Join(parts, ", ")
}
