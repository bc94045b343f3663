//go:build !wardkey_lean

package app

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"

	"github.com/wardkey/wardkey/importer"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

// cmdImport imports QR images, otpauth URI lists and other apps' exports.
// Each file is all-or-nothing; a file that fails is reported and the others
// still imported, and the command then exits 1.
func cmdImport(e *env, args []string) error {
	fs := e.flags("import")
	dryRun := fs.Bool("dry-run", false, "show what would be imported, change nothing")
	format := fs.String("format", "", "force the format ("+strings.Join(importer.Formats(), ", ")+")")
	passFile := fs.String("passphrase-file", "", "read the passphrase of encrypted exports from this file")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("import needs at least one FILE")
	}
	if *format != "" && !knownFormat(*format) {
		return usagef("format %q is not known (known: %s)", *format, strings.Join(importer.Formats(), ", "))
	}
	v, err := e.openVault()
	if err != nil {
		return err
	}
	defer v.Close()
	counts := map[string]any{} // the audit event's detail: counts only
	var filePass []byte
	passErr := error(nil)
	asked := false
	passphrase := func(file string) func() ([]byte, error) {
		return func() ([]byte, error) {
			if !asked {
				asked = true
				switch {
				case *passFile != "":
					filePass, passErr = readPassphraseFile(*passFile)
				case e.interactive():
					filePass, passErr = e.promptSecret("Passphrase of " + file)
				default:
					passErr = importer.ErrPassphraseNeeded
				}
			}
			return filePass, passErr
		}
	}

	failed := 0
	var batches []importer.Batch
	for _, file := range files {
		res, err := importer.ImportFile(file, importer.Options{Format: *format, Passphrase: passphrase(file)})
		if err != nil {
			failed++
			msg, hint := describeImport(err)
			fmt.Fprintf(e.err, "wardkey: error: %s: %s\n", show(file), show(msg))
			if hint != "" {
				fmt.Fprintf(e.err, "wardkey: hint: %s\n", show(hint))
			}
			continue
		}
		batches = append(batches, res.Batches...)
		added, dups, err := mergeImport(v, res.Accounts, *dryRun)
		if err != nil {
			failed++
			fmt.Fprintf(e.err, "wardkey: error: %s: nothing was imported: %s\n", show(file), show(err.Error()))
			continue
		}
		addCounts(counts, "added", len(added), "duplicates", len(dups), "skipped", len(res.Skipped))
		verb := "added"
		if *dryRun {
			verb = "would be added"
		}
		fmt.Fprintf(e.out, "%s: %s: %d %s, %d duplicates skipped, %d entries skipped\n",
			show(file), res.Format, len(added), verb, len(dups), len(res.Skipped))
		for _, a := range added {
			fmt.Fprintf(e.out, "  + %s (%s)\n", importLabel(a), a.Type)
		}
		for _, a := range dups {
			fmt.Fprintf(e.out, "  = %s (already in the vault)\n", importLabel(a))
		}
		for _, s := range res.Skipped {
			fmt.Fprintf(e.err, "wardkey: %s: skipped %s: %s\n", show(file), show(s.Entry), show(s.Reason))
		}
		if res.Format == "image" && len(res.Accounts) > 0 {
			q := shellQuote(file)
			fmt.Fprintf(e.err, "wardkey: hint: %s: once the codes work, delete it (shred -u %s, or rm %s) and empty the trash\n", holdsSecret(file), show(q), show(q))
		}
	}
	for _, m := range importer.MissingBatches(batches) {
		failed++
		fmt.Fprintf(e.err, "wardkey: error: %s: the accounts of the other codes were read\n", show(fmt.Sprint(m)))
		fmt.Fprintf(e.err, "wardkey: hint: import every QR code of the export together: %s\n", e.cmdline("import CODE1.png CODE2.png ..."))
	}
	if *dryRun {
		fmt.Fprintln(e.out, "dry run: nothing was changed")
	} else {
		counts["files_failed"] = failed
		e.audit(v, audit.Event{Event: audit.Import, Detail: counts})
	}
	if failed > 0 {
		return exitError{1}
	}
	return nil
}

func knownFormat(name string) bool {
	for _, f := range importer.Formats() {
		if strings.EqualFold(f, name) {
			return true
		}
	}
	return false
}

// mergeImport adds the accounts that are not already in the vault (the same
// issuer, name and secret, as vault.Merge decides duplicates) in one save,
// and returns what was added and what was a duplicate. With dryRun it only
// decides. Duplicates are found through a map and the batch is added in one
// merge (Tx.AddAll), so an import is linear in the vault and the batch: the
// pairwise search and a merge per account took 163 s for 10,000 URIs.
func mergeImport(v *vault.Vault, accounts []vault.Account, dryRun bool) (added, dups []vault.Account, err error) {
	decide := func(live []vault.Account) {
		added, dups = nil, nil
		seen := make(map[contentKey]struct{}, len(live)+len(accounts))
		for _, a := range live {
			seen[keyOf(a)] = struct{}{}
		}
		for _, a := range accounts {
			k := keyOf(a)
			if _, dup := seen[k]; dup {
				dups = append(dups, a)
				continue
			}
			seen[k] = struct{}{}
			added = append(added, a)
		}
	}
	if dryRun {
		decide(v.Accounts())
		return added, dups, nil
	}
	err = v.Update(func(tx *vault.Tx) error {
		decide(tx.State().Live())
		if len(added) == 0 {
			return nil
		}
		stored, err := tx.AddAll(added)
		var be *vault.BatchError
		if errors.As(err, &be) {
			return fmt.Errorf("%s: %w", importLabel(added[be.Index]), be.Err)
		}
		if err != nil {
			return err
		}
		added = stored
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	// Anything Merge still hides as a duplicate (a concurrent save added the
	// same account under a smaller ID) was not really added.
	st := v.State()
	hidden := st.Duplicates()
	live := make(map[string]struct{}, len(st.Accounts))
	for _, a := range st.Accounts { // Merge leaves no tombstoned account
		live[a.ID] = struct{}{}
	}
	kept := added[:0]
	for _, a := range added {
		_, isLive := live[a.ID]
		if _, dup := hidden[a.ID]; dup || !isLive {
			dups = append(dups, a)
			continue
		}
		kept = append(kept, a)
	}
	return kept, dups, nil
}

// contentKey is what makes two accounts duplicates (Account.SameContent):
// the secret enters as its SHA-256, so the map holds no copy of it that
// nobody could wipe.
type contentKey struct {
	issuer, name string
	secret       [sha256.Size]byte
}

func keyOf(a vault.Account) contentKey {
	return contentKey{a.Issuer, a.Name, sha256.Sum256(a.Secret.Bytes())}
}

// describeImport words an import error for the person.
func describeImport(err error) (string, string) {
	var empty *importer.EmptyError
	switch {
	case errors.As(err, &empty):
		return fmt.Sprintf("it is a %s file but holds no account (%s): nothing was imported", empty.Format, empty.Why),
			"if the app shows accounts, export them again; if this is another app's file, name its format with --format NAME"
	case errors.Is(err, importer.ErrPassphraseNeeded):
		return "the file is encrypted and no passphrase was given: nothing was imported",
			"give its passphrase with --passphrase-file F, or run wardkey on a terminal to be asked"
	case errors.Is(err, importer.ErrWrongPassphrase):
		return "the passphrase does not open this file: nothing was imported", "check the export's passphrase (not the vault's)"
	case errors.Is(err, importer.ErrNoOTP):
		return "its QR code is not a two-factor account (it holds a web link, a Wi-Fi network or other text, not an otpauth:// link): nothing was imported",
			"use the QR code the service shows on its two-factor (MFA) set-up page"
	case errors.Is(err, importer.ErrUnknownFormat):
		return "wardkey does not recognise this file's content: nothing was imported",
			"give the format with --format NAME (" + strings.Join(importer.Formats(), ", ") + ")"
	case errors.Is(err, errNoTerminal):
		return "the file is encrypted and there is no terminal to ask for its passphrase", "give it with --passphrase-file F"
	}
	return err.Error() + ": nothing was imported", ""
}

// importLabel is "issuer:name", or whichever of the two there is, safe
// for the terminal.
func importLabel(a vault.Account) string {
	if a.Name == "" {
		return show(a.Issuer)
	}
	return label(a)
}

// shellQuote quotes a file name for a command the person may paste, when it
// needs quoting.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./+:@%,", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// holdsSecret says that an imported image (a screenshot, a photo of a QR
// code) still holds the secrets: the CLI's hint and the add screen's
// offer to delete it begin with it.
func holdsSecret(file string) string {
	return show(file) + " still holds the secret of every account it shows"
}
