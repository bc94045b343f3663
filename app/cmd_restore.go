package app

import (
	"fmt"
	"io"

	"github.com/wardkey/wardkey/app/wording"
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
	printPlan(e.out, plan, *undelete)
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
		wording.RestoreSummary(done), e.profile, plural(len(v.Accounts()), "account"))
	return nil
}

// restoreNew restores where the profile has no vault: it creates one
// holding the backup, with the slots init would give it.
func restoreNew(e *env, b backup.Backup, dryRun bool) error {
	plan := vault.PlanRestore(vault.State{}, b.State, false)
	printBackupInfo(e.out, b, "")
	printPlan(e.out, plan, false)
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

// printBackupInfo says what the backup is (app/wording, as the TUI does).
func printBackupInfo(w io.Writer, b backup.Backup, vaultID string) {
	fmt.Fprintln(w, show(wording.BackupInfo(b, vaultID)))
}

// printPlan shows what the restore does, category by category, in the
// words and order the TUI shows it (app/wording).
func printPlan(w io.Writer, p vault.RestorePlan, undelete bool) {
	for _, s := range wording.RestorePlan(p, undelete, "restore --undelete") {
		fmt.Fprintf(w, "%s: %d\n", s.Title, len(s.Accounts))
		if s.List {
			for _, a := range s.Accounts {
				fmt.Fprintf(w, "  %s\n", label(a))
			}
		}
		if s.Note != "" && len(s.Accounts) > 0 {
			fmt.Fprintf(w, "  (%s)\n", s.Note)
		}
	}
	if l := wording.PlanSettings(p); l != "" {
		fmt.Fprintln(w, l)
	}
}
