//go:build !wardkey_lean

package app

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/wardkey/wardkey/app/strength"
	"github.com/wardkey/wardkey/app/wording"
	"github.com/wardkey/wardkey/importer/migration"
	"github.com/wardkey/wardkey/importer/otpauth"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/atomicfile"
	"github.com/wardkey/wardkey/vault/audit"
)

// backupWorkFactor is the scrypt work factor of new backups; 0 is the
// product's (backup.DefaultWorkFactor). Only the test binary changes
// it (app/cmd_export_test.go), so CLI tests need not wait a second per
// backup.
var backupWorkFactor = 0

func cmdExport(e *env, args []string) error {
	fs := e.flags("export")
	out := fs.String("out", "", "the file to write (a directory for --format google-migration)")
	passFile := fs.String("passphrase-file", "", "read the backup passphrase from this file")
	armor := fs.Bool("armor", false, "write the age file as ASCII armor")
	format := fs.String("format", "age", "age (an encrypted backup), google-migration or otpauth (unencrypted)")
	yes := fs.Bool("yes", false, "do not ask before writing an unencrypted export")
	force := fs.Bool("force", false, "overwrite existing files")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("export takes no arguments besides its flags (the file goes in --out)")
	}
	if *out == "" {
		return usagef("export needs --out FILE")
	}
	switch *format {
	case "age":
		return exportAge(e, *out, *passFile, *armor, *force)
	case "otpauth":
		if err := e.checkPlaintext("an unencrypted export (--format otpauth)"); err != nil {
			return err
		}
		if *armor || *passFile != "" {
			return usagef("--armor and --passphrase-file are for --format age: an otpauth list is not encrypted")
		}
		return exportOtpauth(e, *out, *yes, *force)
	case "google-migration":
		if err := e.checkPlaintext("an unencrypted export (--format google-migration)"); err != nil {
			return err
		}
		if *armor || *passFile != "" {
			return usagef("--armor and --passphrase-file are for --format age: migration QR codes are not encrypted")
		}
		return exportMigration(e, *out, *yes, *force)
	}
	return usagef("--format %q: use age, google-migration or otpauth", *format)
}

// exportAge writes an encrypted backup.
func exportAge(e *env, out, passFile string, armored, force bool) error {
	if !force {
		if err := checkBackupTarget(out, out); err != nil {
			return err
		}
	}
	v, err := e.openVault()
	if err != nil {
		return err
	}
	defer v.Close()
	pass, err := e.backupPassphrase(passFile, true)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.err, "wardkey: encrypting the backup (the passphrase is stretched with scrypt: a second or two)")
	w, err := writeBackupFile(v, out, pass, backupWrite{armor: armored, force: force, now: e.now()})
	clear(pass)
	if err != nil {
		return err
	}
	if w.noteErr != nil {
		fmt.Fprintf(e.err, "wardkey: the backup is written, but its time could not be noted in %s: %v\n", vault.LocalFile, w.noteErr)
	}
	e.audit(v, audit.Event{Event: audit.Export, Detail: map[string]any{"format": "age", "accounts": w.live}})
	fmt.Fprintf(e.err, "wardkey: wrote %s of profile %q to %s\n", countAccounts(w.live, w.deleted), e.profile, out)
	fmt.Fprintf(e.err, "wardkey: restore it with '%s', or open it anywhere with 'age -d'\n", e.cmdline("restore "+out))
	return nil
}

func countAccounts(n, deleted int) string {
	s := wording.Count(n, "account")
	if deleted > 0 {
		s += fmt.Sprintf(" (and %s of deleted ones)", wording.Count(deleted, "record"))
	}
	return s
}

// backupPassphrase reads a backup file's passphrase: from passFile, else
// from the terminal (asked twice when confirm is set, for a new backup). A
// new backup's passphrase must not be easy to guess: the file may be
// attacked offline.
func (e *env) backupPassphrase(passFile string, confirm bool) ([]byte, error) {
	var p []byte
	if passFile != "" {
		b, err := readPassphraseFile(passFile)
		if err != nil {
			return nil, err
		}
		p = b
	} else {
		if !e.interactive() {
			return nil, withHint(errors.New("the backup needs a passphrase and there is no terminal to ask on"),
				"give it with --passphrase-file F")
		}
		label := "Backup passphrase"
		if confirm {
			label = "New backup passphrase"
		}
		b, err := e.promptSecret(label)
		if err != nil {
			return nil, err
		}
		if len(b) == 0 {
			return nil, withHint(errors.New("the passphrase is empty; nothing was written"), passphraseAdvice)
		}
		p = b
	}
	if !confirm {
		return p, nil
	}
	if err := strength.Check(p, e.profile); err != nil {
		clear(p)
		return nil, withHint(fmt.Errorf("%w; nothing was written", err), passphraseAdvice)
	}
	if passFile == "" {
		q, err := e.promptSecret("Repeat it")
		if err != nil {
			return nil, err
		}
		same := bytes.Equal(p, q)
		clear(q)
		if !same {
			clear(p)
			return nil, errors.New("the two passphrases differ; nothing was written")
		}
	}
	return p, nil
}

const passphraseAdvice = "use four or more random words (e.g. 'orbit tulip gravel lantern'), and keep the passphrase apart from the backup"

// confirmUnencrypted asks before secrets are written out in the clear:
// --yes, or "yes" typed on the terminal.
func (e *env) confirmUnencrypted(what string, yes bool) error {
	if yes {
		return nil
	}
	if !e.interactive() {
		return withHint(fmt.Errorf("%s would be unencrypted: every secret readable by anyone who gets the file; nothing was written", what),
			"add --yes to confirm, or make an encrypted backup with --format age")
	}
	ans, err := e.promptLine(fmt.Sprintf("%s is NOT encrypted: anyone who gets it can copy every account. Type yes to write it: ", what))
	if err != nil {
		return err
	}
	if !strings.EqualFold(ans, "yes") {
		return errors.New("nothing was written")
	}
	return nil
}

// exportOtpauth writes one otpauth:// URI per account, unencrypted.
func exportOtpauth(e *env, out string, yes, force bool) error {
	if !force {
		if err := refuseExisting(out); err != nil {
			return err
		}
	}
	v, err := e.openVault()
	if err != nil {
		return err
	}
	defer v.Close()
	as := v.Accounts()
	if len(as) == 0 {
		return errors.New("the vault has no accounts to export")
	}
	if err := e.confirmUnencrypted("the otpauth list "+out, yes); err != nil {
		return err
	}
	var buf bytes.Buffer
	for _, a := range as {
		buf.WriteString(otpauth.Format(a))
		buf.WriteByte('\n')
	}
	err = writePlainFile(out, buf.Bytes(), force)
	clear(buf.Bytes())
	if err != nil {
		return err
	}
	e.audit(nil, audit.Event{Event: audit.Export, Detail: map[string]any{"format": "otpauth", "accounts": len(as)}})
	fmt.Fprintf(e.err, "wardkey: wrote %s as otpauth:// URIs to %s (unencrypted: delete it once imported)\n", wording.Count(len(as), "account"), out)
	return nil
}

// exportMigration writes Google Authenticator migration QR codes, one PNG
// per batch, into the directory out.
func exportMigration(e *env, out string, yes, force bool) error {
	v, err := e.openVault()
	if err != nil {
		return err
	}
	defer v.Close()
	var keep []vault.Account
	for _, a := range v.Accounts() {
		if err := migration.Representable(a); err != nil {
			fmt.Fprintf(e.err, "wardkey: left out %s\n", show(err.Error()))
			continue
		}
		keep = append(keep, a)
	}
	if len(keep) == 0 {
		return errors.New("the vault has no accounts Google Authenticator can hold")
	}
	uris, err := migration.Encode(keep, 0)
	if err != nil {
		return fmt.Errorf("encode the accounts: %w", err)
	}
	names := make([]string, len(uris))
	for i := range uris {
		names[i] = filepath.Join(out, fmt.Sprintf("wardkey-google-%d-of-%d.png", i+1, len(uris)))
		if !force {
			if err := refuseExisting(names[i]); err != nil {
				return err
			}
		}
	}
	if err := e.confirmUnencrypted(fmt.Sprintf("the %s in %s", wording.Count(len(uris), "QR image"), out), yes); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", out, err)
	}
	for i, u := range uris {
		m, err := qrMatrix(u)
		if err != nil {
			return fmt.Errorf("make QR code %d: %w", i+1, err)
		}
		b, err := qrPNG(m, 6)
		if err != nil {
			return err
		}
		if err := writePlainFile(names[i], b, force); err != nil {
			return err
		}
	}
	e.audit(nil, audit.Event{Event: audit.Export, Detail: map[string]any{"format": "google-migration", "accounts": len(keep)}})
	fmt.Fprintf(e.err, "wardkey: wrote %s of %s to %s (unencrypted: delete them once scanned)\n",
		wording.Count(len(uris), "QR image"), wording.Count(len(keep), "account"), out)
	fmt.Fprintln(e.err, "wardkey: in Google Authenticator: Transfer accounts, Import accounts, then scan each image in turn")
	return nil
}

// refuseExisting fails when path exists: exports never overwrite without
// --force.
func refuseExisting(path string) error {
	if _, err := os.Lstat(path); err == nil {
		return withHint(fmt.Errorf("%s already exists; nothing was written", path), "choose another name, or add --force to replace it")
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// writeNewFile writes data to path, 0600, atomically (package atomicfile):
// replacing what is there (force), or as a new file that never replaces
// one, even one that appeared while the data was written.
func writeNewFile(path string, data []byte, force bool) error {
	var err error
	if force {
		err = atomicfile.Replace(path, data, "")
	} else {
		err = atomicfile.Create(path, data)
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrExist):
		if rerr := refuseExisting(path); rerr != nil {
			return rerr
		}
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("write %s: the folder %s does not exist", path, filepath.Dir(path))
	}
	return fmt.Errorf("write %s: %w", path, err)
}

// writePlainFile writes secrets in the clear (an otpauth list, a QR image)
// straight into path, created O_EXCL|O_NOFOLLOW and 0600, never through a
// temporary file: a writer killed half-way leaves at most a partial file
// under the name the person chose and was told to delete, never a hidden
// plaintext copy beside it. Temporary files of that name left by an older
// wardkey are removed first. With force an existing file is replaced
// (removed, then created anew: a symlink there is removed, not followed).
func writePlainFile(path string, data []byte, force bool) error {
	atomicfile.RemoveStale(filepath.Dir(path), filepath.Base(path), 0)
	if force {
		if st, err := os.Lstat(path); err == nil && !st.IsDir() {
			if err := os.Remove(path); err != nil {
				return fmt.Errorf("replace %s: %w", path, err)
			}
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|oNoFollow, 0o600)
	switch {
	case errors.Is(err, fs.ErrExist):
		return refuseExisting(path)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("write %s: the folder %s does not exist", path, filepath.Dir(path))
	case err != nil:
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
