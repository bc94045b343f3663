//go:build !wardkey_lean

package app

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/wardkey/wardkey/app/wording"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
	"github.com/wardkey/wardkey/vault/backup"
)

func cmdRestore(e *env, args []string) error {
	fs := e.flags("restore")
	dryRun := fs.Bool("dry-run", false, "show the plan, change nothing")
	undelete := fs.Bool("undelete", false, "bring back accounts the backup holds that were deleted here")
	yes := fs.Bool("yes", false, "apply updates and deletions of what is here without asking")
	withKeyring := fs.Bool("keyring", false, "where no vault exists yet: give the new vault a keyring slot")
	passFile := fs.String("passphrase-file", "", "read the backup passphrase from this file")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("restore takes one FILE")
	}
	file := pos[0]
	if *withKeyring {
		if err := e.checkKeyringAllowed(); err != nil {
			return err
		}
	}

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
	clear(pass)
	if err != nil {
		return err
	}
	all := b.State.Accounts // wiped at the end, those set aside too
	defer func() {
		for _, a := range all {
			a.Secret.Wipe()
		}
	}()

	// Settings out of range and entries from the future are set aside
	// before anything is planned (vault.Vet).
	var aside vault.SetAside
	b.State, aside = vault.Vet(b.State, e.now().Add(e.offset()))

	if !e.demo && !vault.Exists(e.dir()) {
		return restoreNew(e, b, aside, *dryRun, *withKeyring)
	}
	if *withKeyring {
		return usagef("--keyring is for a restore that creates the vault (add a keyring slot to this one with 'wardkey init --keyring' on a new profile)")
	}
	v, err := e.openVault()
	if err != nil {
		return err
	}
	defer v.Close()
	plan := vault.PlanRestore(v.State(), b.State, *undelete)
	printBackupInfo(e.out, b, v.ID())
	printPlan(e.out, plan, *undelete)
	printAside(e.out, aside)
	switch {
	case *dryRun:
		fmt.Fprintln(e.err, "wardkey: dry run: nothing was changed")
		return nil
	case !plan.Changes() && aside.Empty():
		fmt.Fprintln(e.err, "wardkey: the vault already holds everything in this backup: nothing to change")
		return nil
	}
	if err := e.confirmRestore(plan, aside, *yes); err != nil {
		return err
	}
	var done vault.RestorePlan
	if err := v.Update(func(tx *vault.Tx) error {
		done, err = vault.ApplyRestore(tx, b.State, *undelete)
		return err
	}); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	e.audit(v, audit.Event{Event: audit.Restore, Detail: restoreCounts(done)})
	fmt.Fprintf(e.err, "wardkey: restored: %s; the vault of profile %q now has %s\n",
		wording.RestoreSummary(done), e.profile, wording.Count(v.Count(), "account"))
	return nil
}

// confirmRestore asks before a restore changes what is here: additions
// (and accounts brought back with --undelete) apply at once; an update or
// a deletion of an account, or a change of the settings, needs --yes or a
// yes typed on the terminal. Without either nothing is written.
//
// A backup holding what cannot be taken (settings out of range, entries
// stamped in the future: vault.Vet) asks too: such a file is crafted or
// comes from a broken clock, and --yes takes only the rest.
func (e *env) confirmRestore(p vault.RestorePlan, aside vault.SetAside, yes bool) error {
	var what []string
	if n := len(p.Updated); n > 0 {
		what = append(what, "update "+wording.Count(n, "account"))
	}
	if n := len(p.Removed); n > 0 {
		what = append(what, "delete "+wording.Count(n, "account"))
	}
	if p.Settings {
		what = append(what, "change the settings")
	}
	if !aside.Empty() {
		what = append(what, "leave aside what it cannot take")
	}
	if len(what) == 0 || yes {
		return nil
	}
	change := strings.Join(what, ", ")
	if !e.interactive() {
		return withHint(fmt.Errorf("the restore would %s here, and there is no terminal to ask; nothing was written", change),
			"check the plan above, then add --yes to apply it")
	}
	ans, err := e.promptLine(fmt.Sprintf("The restore would %s here. Apply the plan above? [y/N] ", change))
	if err != nil {
		return err
	}
	if !strings.EqualFold(ans, "y") && !strings.EqualFold(ans, "yes") {
		return errors.New("nothing was written")
	}
	return nil
}

// restoreNew restores where the profile has no vault: it creates one
// holding the backup, passphrase-only unless --keyring.
func restoreNew(e *env, b backup.Backup, aside vault.SetAside, dryRun, withKeyring bool) error {
	plan := vault.PlanRestore(vault.State{}, b.State, false)
	printBackupInfo(e.out, b, "")
	printPlan(e.out, plan, false)
	printAside(e.out, aside)
	if dryRun {
		fmt.Fprintf(e.err, "wardkey: dry run: profile %q has no vault yet; restore would create one; nothing was changed\n", e.profile)
		return nil
	}
	o, err := e.newVaultOptions(withKeyring)
	if err != nil {
		return err
	}
	o.State = b.State
	v, err := e.createVault(o, "")
	if err != nil {
		return err
	}
	defer v.Close()
	e.audit(v, audit.Event{Event: audit.Restore, Detail: restoreCounts(plan)})
	fmt.Fprintf(e.err, "wardkey: restored %s into the new vault\n", wording.Count(v.Count(), "account"))
	return nil
}

// printBackupInfo says what the backup is (app/wording, as the TUI does).
func printBackupInfo(w io.Writer, b backup.Backup, vaultID string) {
	fmt.Fprintln(w, show(wording.BackupInfo(b.Created, b.VaultID, len(b.State.Live()), vaultID)))
}

// printPlan shows what the restore does, category by category, in the
// words and order the TUI shows it (app/wording). The plan is written in
// one Write: a line each was a write(2) and a pass of the terminal
// sanitiser each, 10,000 of them for a backup of 10,000 accounts.
func printPlan(w io.Writer, p vault.RestorePlan, undelete bool) {
	var b bytes.Buffer
	for _, s := range wording.RestorePlan(p, undelete, "restore --undelete") {
		fmt.Fprintf(&b, "%s: %d\n", s.Title, len(s.Accounts))
		if s.List {
			for _, a := range s.Accounts {
				b.WriteString("  ")
				b.WriteString(label(a))
				b.WriteByte('\n')
			}
		}
		if s.Note != "" && len(s.Accounts) > 0 {
			fmt.Fprintf(&b, "  (%s)\n", s.Note)
		}
	}
	if l := wording.PlanSettings(p); l != "" {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	_, _ = w.Write(b.Bytes())
}

// printAside shows what the backup holds that is not taken.
func printAside(w io.Writer, a vault.SetAside) {
	if !a.Empty() {
		fmt.Fprintf(w, "set aside: %s\n", a)
	}
}
