//go:build !wardkey_lean

package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/wardkey/wardkey/app/capture"
	"github.com/wardkey/wardkey/app/wording"
	"github.com/wardkey/wardkey/importer"
	"github.com/wardkey/wardkey/importer/otpauth"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

func cmdAdd(e *env, args []string) error {
	fs := e.flags("add")
	uri := fs.String("uri", "", "an otpauth:// URI, or - to read it from standard input")
	issuer := fs.String("issuer", "", "the service")
	account := fs.String("account", "", "the account name at the service")
	secret := fs.String("secret", "", "the base32 secret (visible to other users: prefer --secret-file)")
	secretFile := fs.String("secret-file", "", "read the base32 secret from this file")
	typ := fs.String("type", "totp", "totp, hotp or steam")
	alg := fs.String("algorithm", "SHA1", "SHA1, SHA256 or SHA512")
	digits := fs.Int("digits", 0, "6 to 8 (default 6)")
	period := fs.Int("period", 0, "seconds, 1 to 300 (default 30)")
	counter := fs.Uint64("counter", 0, "hotp: the next counter value")
	screen := fs.Bool("screen", false, "enrol from the QR code on the screen")
	clipboard := fs.Bool("clipboard", false, "enrol from the QR image or otpauth URI on the clipboard")
	all := fs.Bool("all", false, "with --screen or --clipboard: add every account found")
	yes := fs.Bool("yes", false, "with --screen or --clipboard: add without asking")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("add takes flags only (got %q)", pos[0])
	}
	if *screen || *clipboard {
		if *screen && *clipboard {
			return usagef("give one source: --screen or --clipboard")
		}
		if *uri != "" || *issuer != "" || *account != "" || *secret != "" || *secretFile != "" {
			return usagef("--screen and --clipboard exclude --uri, --issuer, --account, --secret and --secret-file")
		}
		return addCaptured(e, *screen, *all, *yes)
	}
	if *all || *yes {
		return usagef("--all and --yes go with --screen or --clipboard")
	}
	var a vault.Account
	switch {
	case *uri != "":
		if *issuer != "" || *account != "" || *secret != "" || *secretFile != "" {
			return usagef("--uri excludes --issuer, --account, --secret and --secret-file")
		}
		text := *uri
		if text == "-" {
			b, err := io.ReadAll(io.LimitReader(e.in, 64<<10))
			if err != nil {
				return fmt.Errorf("read the URI from standard input: %w", err)
			}
			text = strings.TrimSpace(string(b))
		}
		a, err = otpauth.Parse(text)
		if err != nil {
			return fmt.Errorf("the URI is not a usable otpauth URI: %w", err)
		}
	default:
		if *secret != "" && *secretFile != "" {
			return usagef("give the secret once: --secret or --secret-file")
		}
		if *secret == "" && *secretFile == "" {
			return usagef("add needs --uri, or --issuer/--account with --secret or --secret-file")
		}
		if *issuer == "" && *account == "" {
			return usagef("add needs --issuer or --account (or both)")
		}
		text := *secret
		if *secretFile != "" {
			b, err := os.ReadFile(*secretFile)
			if err != nil {
				return fmt.Errorf("read secret file: %w", err)
			}
			text = string(b)
		}
		sec, err := vault.ParseSecret(text)
		if err != nil {
			return fmt.Errorf("the secret was refused: %w", err)
		}
		a = vault.Account{Issuer: *issuer, Name: *account, Type: vault.Type(strings.ToLower(*typ)), Secret: sec,
			Algorithm: vault.Algorithm(strings.ToUpper(*alg)), Digits: *digits, Period: *period, Counter: *counter}
	}
	a.Normalize()
	if err := a.Validate(); err != nil {
		return fmt.Errorf("the account was refused: %w", err)
	}
	v, err := e.openVault()
	if err != nil {
		return err
	}
	defer v.Close()
	var added vault.Account
	if err := v.Update(func(tx *vault.Tx) error {
		added, err = tx.Add(a)
		return err
	}); err != nil {
		return err
	}
	if dup, ok := v.State().Duplicates()[added.ID]; ok || !containsID(v.Accounts(), added.ID) {
		return fmt.Errorf("%s is already in the vault (id %s): nothing was added", label(added), dup)
	}
	e.audit(v, audit.Event{Event: audit.Add, Account: added.ID, Detail: map[string]any{"type": string(added.Type)}})
	fmt.Fprintf(e.out, "added %s (id %s, %s)\n", label(added), added.ID, added.Type)
	if added.Type != vault.HOTP {
		if code, err := vault.TOTPCode(added, e.now().Add(e.offset())); err == nil {
			fmt.Fprintf(e.out, "type this code into %s to finish enrolling: %s\n", nameOr(show(added.Issuer), "the service"), vault.GroupCode(code))
		}
	} else {
		fmt.Fprintf(e.out, "to finish enrolling, run '%s' and type the code into %s\n", e.cmdline("code "+added.ID), nameOr(show(added.Issuer), "the service"))
	}
	return nil
}

func containsID(as []vault.Account, id string) bool {
	for _, a := range as {
		if a.ID == id {
			return true
		}
	}
	return false
}

func nameOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// captureTimeout bounds a capture, the desktop's screenshot dialog included.
const captureTimeout = 2 * time.Minute

// errDeclined: the person answered no.
var errDeclined = errors.New("nothing was added: the accounts found were not confirmed")

// addCaptured enrols from the QR codes on the screen (screen) or from the
// clipboard: it shows what it found, with each account's current code to
// type back, and adds after a yes (--yes), a choice on a terminal or --all.
func addCaptured(e *env, screen, all, yes bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), captureTimeout)
	defer cancel()
	where := "on the clipboard"
	if screen {
		where = "on the screen"
	}
	found, notes, err := findCaptured(ctx, screen, "run '"+e.cmdline("add "+map[bool]string{true: "--screen", false: "--clipboard"}[screen])+"' again")
	for _, n := range notes {
		fmt.Fprintf(e.err, "wardkey: %s\n", n)
	}
	if err != nil {
		return err
	}
	now := e.now().Add(e.offset())
	fmt.Fprintf(e.out, "found %s %s:\n", wording.Count(len(found), "account"), where)
	for i, a := range found {
		fmt.Fprintf(e.out, "  %d. %s (%s)%s\n", i+1, show(importLabel(a)), a.Type, firstCode(a, now))
	}
	chosen, err := chooseCaptured(e, found, all, yes)
	if err != nil {
		return err
	}
	v, err := e.openVault()
	if err != nil {
		return err
	}
	defer v.Close()
	added, dups, err := mergeImport(v, chosen, false)
	if err != nil {
		return fmt.Errorf("nothing was added: %w", err)
	}
	for _, a := range dups {
		fmt.Fprintf(e.out, "  = %s is already in the vault\n", show(importLabel(a)))
	}
	for _, a := range added {
		fmt.Fprintf(e.out, "added %s (id %s, %s)\n", show(importLabel(a)), a.ID, a.Type)
		e.audit(v, audit.Event{Event: audit.Add, Account: a.ID, Detail: map[string]any{"type": string(a.Type)}})
	}
	if len(added) == 0 {
		return errors.New("every account chosen is already in the vault: nothing was added")
	}
	for _, a := range added {
		if a.Type == vault.HOTP {
			fmt.Fprintf(e.out, "to finish enrolling %s, run '%s' and type the code into the service\n", show(importLabel(a)), e.cmdline("code "+a.ID))
			continue
		}
		if code, err := vault.TOTPCode(a, e.now().Add(e.offset())); err == nil {
			fmt.Fprintf(e.out, "type this code into %s to finish enrolling: %s\n", show(nameOr(a.Issuer, "the service")), vault.GroupCode(code))
		}
	}
	return nil
}

// findCaptured reads the screen (screen) or the clipboard, for 'wardkey
// add' and the TUI's add screen alike: the accounts found, the lines to
// tell the person (what was done to the portal's file or the clipboard,
// entries skipped, codes of a Google Authenticator export that are
// missing, each followed by again), and a failure already worded
// (describeCapture) that still matches its cause.
func findCaptured(ctx context.Context, screen bool, again string) ([]vault.Account, []string, error) {
	var f capture.Found
	var err error
	if screen {
		f, err = capture.FindOnScreen(ctx)
	} else {
		f, err = capture.FindOnClipboard(ctx)
	}
	var notes []string
	if f.Notice != "" {
		notes = append(notes, f.Notice)
	}
	if err != nil {
		return nil, notes, capturedError{describeCapture(err, screen), err}
	}
	for _, s := range f.Skipped {
		notes = append(notes, skippedEntry(s))
	}
	if len(f.Accounts) == 0 {
		return nil, notes, capturedError{describeCapture(importer.ErrNoOTP, screen), importer.ErrNoOTP}
	}
	for _, m := range importer.MissingBatches(f.Batches) {
		notes = append(notes, missingCodes(m, again))
	}
	return f.Accounts, notes, nil
}

// capturedError is a capture's failure in the person's words that still
// matches its cause (a cancelled context, for the TUI).
type capturedError struct {
	said  error
	cause error
}

func (e capturedError) Error() string { return e.said.Error() }
func (e capturedError) Unwrap() error { return e.cause }

// firstCode is ", code 123 456" for a time-based account, "" for HOTP
// (showing an HOTP code uses up its counter).
func firstCode(a vault.Account, now time.Time) string {
	if a.Type == vault.HOTP {
		return ""
	}
	code, err := vault.TOTPCode(a, now)
	if err != nil {
		return ""
	}
	return ", code " + vault.GroupCode(code)
}

// chooseCaptured decides which of the accounts found are added: one
// account needs a yes (--yes or the terminal); several, a choice on the
// terminal or --all (and then a yes).
func chooseCaptured(e *env, found []vault.Account, all, yes bool) ([]vault.Account, error) {
	n := len(found)
	tty := e.interactive()
	switch {
	case n > 1 && !all && !tty:
		return nil, withHint(fmt.Errorf("%d accounts were found and there is no terminal to choose on: nothing was added", n),
			"add them all with --all --yes, or run wardkey on a terminal to choose")
	case yes && (n == 1 || all):
		return found, nil
	case !tty:
		return nil, withHint(errors.New("there is no terminal to confirm on: nothing was added"), "check the account above and add it with --yes")
	case n == 1 || all:
		ans, err := e.promptLine(fmt.Sprintf("Add %s? [y/N] ", either(n, "it", "all "+strconv.Itoa(n))))
		if err != nil {
			return nil, err
		}
		if a := strings.ToLower(ans); a != "y" && a != "yes" {
			return nil, errDeclined
		}
		return found, nil
	}
	ans, err := e.promptLine("Add which? Numbers (e.g. 1 3), all, or enter for none: ")
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(strings.TrimSpace(ans), "all") {
		return found, nil
	}
	var chosen []vault.Account
	picked := map[int]bool{}
	for _, f := range strings.FieldsFunc(ans, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		i, err := strconv.Atoi(f)
		if err != nil || i < 1 || i > n {
			return nil, fmt.Errorf("%q is not one of the numbers 1 to %d: nothing was added", show(f), n)
		}
		if !picked[i] {
			picked[i] = true
			chosen = append(chosen, found[i-1])
		}
	}
	if len(chosen) == 0 {
		return nil, errDeclined
	}
	return chosen, nil
}

// describeCapture words a capture failure as one sentence (and a hint).
func describeCapture(err error, screen bool) error {
	switch {
	case errors.Is(err, importer.ErrNoQR) || errors.Is(err, importer.ErrNoOTP) || errors.Is(err, capture.ErrEmptyClipboard):
		if screen {
			return errors.New("no QR code with an otpauth URI on the screen: show the service's set-up page and try again")
		}
		return errors.New("no QR code or otpauth URI on the clipboard: copy the service's QR image or set-up URI and try again")
	case errors.Is(err, importer.ErrTooManyCodes):
		return fmt.Errorf("the %s shows more than %d QR codes, more than wardkey reads at once: nothing was added", map[bool]string{true: "screen", false: "clipboard's image"}[screen], importer.MaxCodes)
	case errors.Is(err, context.DeadlineExceeded):
		return errors.New("the capture took too long and was abandoned: nothing was added")
	}
	return fmt.Errorf("%w: nothing was added", err)
}

// either is one or many, by n.
func either(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// skippedEntry says that an entry was left out, and why: the CLI's line
// and the add screen's warning.
func skippedEntry(s importer.Skipped) string {
	return fmt.Sprintf("skipped %s: %s", show(s.Entry), s.Reason)
}

// missingCodes says that codes of a Google Authenticator export are
// missing and what to do (again: "run 'wardkey add --screen' again", or
// the add screen's row): the CLI's line and the add screen's warning.
func missingCodes(m importer.Missing, again string) string {
	return fmt.Sprintf("%s: show the next code and %s", m, again)
}
