//go:build !wardkey_lean

package app

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/backup"
)

// Backups, written and read the one way 'wardkey export', 'wardkey
// restore' and the code screen's x and R share: the orchestration (encrypt,
// write a new file, note the time; open, decrypt, check) and the words of
// every failure live here.

// backupWrite is how a backup is written.
type backupWrite struct {
	armor bool
	force bool // replace an existing file (export --force)
	now   time.Time
}

// backupWritten is what writeBackupFile did.
type backupWritten struct {
	live, deleted int
	local         vault.Local // this machine's state with the backup's time
	noted         bool        // the time was noted (not for the demo, which has no folder)
	noteErr       error       // why it could not be noted; the backup is written
}

// writeBackupFile encrypts v's whole state under pass to path, a new file
// (0600, atomically; an existing one only with force), then notes the time
// of the backup in local.json so the "no backup" banner clears.
func writeBackupFile(v *vault.Vault, path string, pass []byte, o backupWrite) (backupWritten, error) {
	st := v.State()
	defer func() {
		for _, a := range st.Accounts {
			a.Secret.Wipe()
		}
	}()
	var buf bytes.Buffer
	err := backup.Write(&buf, st, pass, backup.Options{
		Armor: o.armor, WorkFactor: backupWorkFactor,
		VaultID: v.ID(), Device: v.Device(), App: "wardkey " + Version, Created: o.now,
	})
	if err != nil {
		return backupWritten{}, fmt.Errorf("write the backup: %w", err)
	}
	err = writeNewFile(path, buf.Bytes(), o.force)
	clear(buf.Bytes())
	if err != nil {
		return backupWritten{}, err
	}
	w := backupWritten{live: len(st.Live()), deleted: len(st.Tombstones)}
	switch {
	case v.Dir() != "" && !vault.Exists(v.Dir()):
		// The profile's folder vanished while the vault was open (the code
		// screen): noting the time would make a folder holding only
		// local.json. The backup is what brings the vault back.
		w.noteErr = errProfileGone
	case v.Dir() != "":
		w.local, w.noteErr = vault.UpdateLocal(v.Dir(), func(l *vault.Local) { l.LastBackup = o.now })
		w.noted = w.noteErr == nil
	}
	return w, nil
}

// checkBackupTarget refuses, before any passphrase is asked, a backup
// path that exists (in refuseExisting's words, as every export says it)
// or whose folder does not; typed is the path as the person typed it.
func checkBackupTarget(path, typed string) error {
	if err := refuseExisting(path); err != nil {
		if _, lerr := os.Lstat(path); lerr == nil {
			return withHint(fmt.Errorf("%s already exists; nothing was written", typed), "choose another name, or add --force to replace it")
		}
		return err
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) || (err == nil && !fi.IsDir()) {
		return fmt.Errorf("the folder %s does not exist; nothing was written", filepath.Dir(typed))
	}
	return nil
}

// openBackupFile opens a backup to read; typed names it for the person.
func openBackupFile(path, typed string) (*os.File, error) {
	f, err := os.Open(path)
	switch {
	case err == nil:
		return f, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("there is no file %s; nothing was changed", typed)
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("%s cannot be read (permission denied); nothing was changed", typed)
	}
	return nil, fmt.Errorf("open the backup: %w", err)
}

// readBackup decrypts and checks a whole backup before anything is
// changed; its failures are worded by explainBackup (file names it).
func readBackup(r io.Reader, file string, pass []byte) (backup.Backup, error) {
	b, err := backup.Read(r, pass)
	if err != nil {
		return b, explainBackup(file, err)
	}
	return b, nil
}

// readBackupFile opens, decrypts and checks the backup at path.
func readBackupFile(path, typed string, pass []byte) (backup.Backup, error) {
	f, err := openBackupFile(path, typed)
	if err != nil {
		return backup.Backup{}, err
	}
	defer f.Close()
	return readBackup(f, typed, pass)
}

// wordedError is a failure in a person's words that still answers
// errors.Is for the sentinel behind it (backup.ErrWrongPassphrase: the
// code screen asks for the passphrase again).
type wordedError struct {
	msg string
	err error
}

func (e wordedError) Error() string { return e.msg }
func (e wordedError) Unwrap() error { return e.err }

// explainBackup turns a backup.Read error into one sentence for the person.
// The sentinels are wrapped in wordedError: their own text would not say
// which file, and describe words vault errors, not these.
func explainBackup(file string, err error) error {
	detail := func(sentinel error) string {
		s := strings.TrimPrefix(err.Error(), sentinel.Error())
		return strings.TrimPrefix(s, ": ")
	}
	switch {
	case errors.Is(err, backup.ErrWrongPassphrase):
		return withHint(wordedError{fmt.Sprintf("the passphrase does not open %s; nothing was changed", file), backup.ErrWrongPassphrase},
			"it is the passphrase given when the backup was made, which may differ from the vault's")
	case errors.Is(err, backup.ErrTooNew):
		return withHint(wordedError{fmt.Sprintf("%s was written by a newer wardkey %s; nothing was changed", file, strings.TrimSpace(detail(backup.ErrTooNew))), backup.ErrTooNew},
			"upgrade wardkey to restore it")
	case errors.Is(err, backup.ErrCorrupt):
		return withHint(wordedError{fmt.Sprintf("%s is damaged or incomplete (%s); nothing was changed", file, detail(backup.ErrCorrupt)), backup.ErrCorrupt},
			"copy it again from where it is kept, or restore an older backup")
	case errors.Is(err, backup.ErrNotBackup):
		return withHint(wordedError{fmt.Sprintf("%s is not a wardkey backup (%s); nothing was changed", file, detail(backup.ErrNotBackup)), backup.ErrNotBackup},
			"a backup is the age file 'wardkey export --out FILE' writes")
	}
	return fmt.Errorf("read the backup %s: %w", file, err)
}
