//go:build !wardkey_lean

package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/wardkey/wardkey/app/tui"
	"github.com/wardkey/wardkey/app/wording"
	"github.com/wardkey/wardkey/importer"
	"github.com/wardkey/wardkey/vault"
)

// The add screen's half of tui.Backend: the screen, the clipboard and
// files read as 'wardkey add --screen', 'add --clipboard' and 'wardkey
// import' read them, in their words, and the accounts added as 'wardkey
// import' adds them.

// FindOnScreen is 'wardkey add --screen' up to its question: the capture
// (pixels wiped), the accounts found and the CLI's warnings. ctx is the
// session's: a lock cancels a capture that waits on the desktop's dialog.
func (b *tuiBackend) FindOnScreen(ctx context.Context) (tui.Found, error) {
	return b.find(ctx, true)
}

// FindOnClipboard is 'wardkey add --clipboard' up to its question; the
// clipboard is cleared if it still holds what was read.
func (b *tuiBackend) FindOnClipboard(ctx context.Context) (tui.Found, error) {
	return b.find(ctx, false)
}

func (b *tuiBackend) find(ctx context.Context, screen bool) (tui.Found, error) {
	ctx, cancel := context.WithTimeout(ctx, captureTimeout)
	defer cancel()
	again := "choose \"Scan the screen\" again"
	if !screen {
		again = "copy it and choose \"Read the clipboard\" again"
	}
	found, notes, err := findCaptured(ctx, screen, again)
	out := tui.Found{Accounts: found}
	for _, n := range notes {
		out.Warnings = append(out.Warnings, wording.Sentence(n))
	}
	if err != nil {
		return out, saidError{err.Error(), "", err}
	}
	return out, nil
}

// ImportFile reads accounts from a QR image or an export, as 'wardkey
// import' does, with pass as an encrypted export's passphrase (nil: the
// file fails with importer.ErrPassphraseNeeded if it is encrypted). Its
// failures are worded as the command's.
func (b *tuiBackend) ImportFile(path string, pass []byte) (tui.Found, error) {
	o := importer.Options{}
	if pass != nil {
		o.Passphrase = func() ([]byte, error) { return pass, nil }
	}
	r, err := importer.ImportFile(path, o)
	if err != nil {
		msg, hint := describeImport(err)
		if errors.Is(err, importer.ErrPassphraseNeeded) {
			hint = "" // the screen asks for it
		}
		if errors.Is(err, importer.ErrWrongPassphrase) {
			msg = "the passphrase does not open this file"
		}
		if errors.Is(err, importer.ErrUnknownFormat) || errors.Is(err, importer.ErrNoAccounts) {
			// The screen has no --format: say where a format is named.
			hint = "if it is another app's export, the command line's import can be told its format (--format NAME)"
		}
		return tui.Found{}, saidError{msg, hint, err}
	}
	out := tui.Found{Accounts: r.Accounts}
	for _, s := range r.Skipped {
		out.Warnings = append(out.Warnings, wording.Sentence(skippedEntry(s)))
	}
	for _, m := range importer.MissingBatches(r.Batches) {
		out.Warnings = append(out.Warnings, wording.Sentence(missingCodes(m, "open its image too after saving these")))
	}
	if r.Format == "image" && len(r.Accounts) > 0 {
		out.HoldsSecret = holdsSecret(path)
	}
	return out, nil
}

// AddAccounts adds what v does not hold yet in one merge, as 'wardkey
// import' and 'wardkey add --screen' do (mergeImport).
func (b *tuiBackend) AddAccounts(v tui.Vault, as []vault.Account) (added, dups []vault.Account, err error) {
	vv, err := vaultOf(v)
	if err != nil {
		return nil, nil, err
	}
	return mergeImport(vv, as, false)
}

// DeleteFile deletes an image whose accounts were added: only a regular
// file, never a symlink (Lstat, and os.Remove removes a link, not what it
// points to), never a folder.
func (b *tuiBackend) DeleteFile(path string) error {
	st, err := os.Lstat(path)
	if err != nil {
		return fmt.Errorf("%s cannot be read: %w", show(path), cause(err))
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file (a link, a folder or a device): delete it yourself if you mean to", show(path))
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("delete %s: %w", show(path), cause(err))
	}
	return nil
}

// cause is what went wrong with a file, without its path (the message
// names it already).
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// saidError is a failure in the command line's words, as one or two
// sentences for a screen; it still matches the error it words
// (errors.Is), so the screen can branch on importer.ErrPassphraseNeeded.
type saidError struct {
	msg, hint string
	err       error
}

func (w saidError) Error() string {
	if w.hint == "" {
		return wording.Sentence(w.msg)
	}
	return wording.Sentence(w.msg) + " " + wording.Sentence(w.hint)
}

func (w saidError) Unwrap() error { return w.err }
