// Package app is wardkey's command line: subcommands, flags, prompts, and
// the start of the terminal UI (package app/tui).
//
// # Terminal rules
//
// Results go to standard output: codes, lists, JSON. Everything else goes to
// standard error as "wardkey: …", errors as "wardkey: error: …" with an
// optional "wardkey: hint: …". Prompts and passphrases use the terminal
// (/dev/tty), never argv. Exit status: 0 success, 1 failure, 2 usage error.
package app

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/wardkey/wardkey/app/policy"
	"github.com/wardkey/wardkey/vault"
)

// command is one subcommand.
type command struct {
	name    string
	usage   string // after "wardkey NAME "
	summary string
	run     func(e *env, args []string) error
}

// commands lists every subcommand of the contract in DESIGN.md.
var commands = []command{
	{"init", "[--no-keyring | --keyring] [--recovery-out FILE]", "create the vault of this profile", cmdInit},
	{"add", "--uri URI|- | --issuer I --account A (--secret S | --secret-file F) [--type totp|hotp|steam] [--algorithm SHA1|SHA256|SHA512] [--digits N] [--period S] [--counter N] | --screen | --clipboard [--all] [--yes]", "add one account, or enrol from a QR code on the screen or the clipboard", cmdAdd},
	{"import", "[--dry-run] [--format NAME] [--passphrase-file F] FILE...", "import QR images, otpauth URIs and other apps' exports", cmdImport},
	{"list", "[--json]", "list the accounts", cmdList},
	{"code", "[--at RFC3339|UNIX] QUERY", "print an account's current code", cmdCode},
	{"delete", "[--yes] QUERY", "delete an account", cmdDelete},
	{"export", "--out FILE [--passphrase-file F] [--armor] [--format age|google-migration|otpauth] [--yes] [--force]", "write an encrypted backup (or an unencrypted transfer)", cmdExport},
	{"restore", "[--dry-run] [--undelete] [--yes] [--keyring] [--passphrase-file F] FILE", "restore accounts from a backup", cmdRestore},
	{"qr", "[--png FILE] QUERY", "show an account's otpauth QR code", cmdQR},
	{"clock", "[--server HOST[:PORT]] [--json] [--apply [--force] | --reset]", "check this clock against NTP", cmdClock},
	{"sync", "[--remote DIR|URL] [--remote-user U] [--remote-password-file F] | sync join [--keyring] REMOTE", "sync the vault with other workstations", cmdSync},
	{"doctor", "", "check keyring, clock, permissions and vault health", cmdDoctor},
	{"passwd", "[--recovery]", "set a new vault passphrase", cmdPasswd},
	{"recovery", "[--recovery-out FILE]", "make a new recovery code", cmdRecovery},
	{"rekey", "", "give the vault a new key (same passphrase and recovery code)", cmdRekey},
	{"log", "[--json] [--since DURATION|Nd|RFC3339] [--verify]", "show this profile's audit log; --verify checks it", cmdLog},
	{"config", "[list | get KEY | set KEY VALUE]", "show or change this profile's settings (lock_after, reauth_after, clipboard_clear, display_name)", cmdConfig},
	{"policy", "[--json]", "show the administrator's policy in force, and where it comes from", cmdPolicy},
	{"version", "", "print the version, commit, date and Go version in one line", cmdVersion},
	{"completion", "bash|zsh|fish", "print the shell completion script", cmdCompletion},
	{"help", "[COMMAND]", "describe the commands and flags, or one command", cmdHelp},
}

// Main runs wardkey with the arguments after the program name and returns
// the exit status.
func Main(args []string) int {
	harden() // first: no core files, not dumpable (harden_*.go)
	return run(args, defaultIO(), Hooks{})
}

// Hooks let tests fix the clock and cheapen the KDF. The product passes the
// zero value.
type Hooks struct {
	Now     func() time.Time
	KDF     *vault.KDFParams
	Keyring vault.Keyring  // nil: the OS keyring
	NoSleep bool           // do not wait out failed-unlock delays
	Policy  *policy.Finder // nil: the system's policy file
}

type stdio struct {
	in       io.Reader
	out, err io.Writer // sanitised (show.go) once run starts
	raw      io.Writer // standard output as it is: only the QR drawing
	inFile   *os.File  // non-nil when stdin is a file (terminal checks)
}

func defaultIO() stdio {
	return stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr, inFile: os.Stdin}
}

// usageError is a mistake in the command line: exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// hintError carries a next step for the person, printed as "wardkey: hint:".
type hintError struct {
	err  error
	hint string
}

func (e hintError) Error() string { return e.err.Error() }
func (e hintError) Unwrap() error { return e.err }

func withHint(err error, hint string) error { return hintError{err, hint} }

// exitError ends with a status and no further message (already printed).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func run(args []string, io stdio, h Hooks) int {
	io = io.safe()
	e, rest, err := newEnv(args, io, h)
	if err == nil {
		err = e.handOver(dispatch(e, rest), args)
		e.flushAudit()
	}
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(io.err, "wardkey: error: %s\n", show(ue.msg))
		fmt.Fprintf(io.err, "wardkey: hint: run 'wardkey help' for the commands and flags\n")
		return 2
	}
	// An error may quote a name from outside: one line, nothing that
	// drives the terminal.
	profile := ""
	if e != nil {
		profile = e.profile
	}
	msg, hint := describe(err, profile)
	fmt.Fprintf(io.err, "wardkey: error: %s\n", show(msg))
	if hint != "" {
		fmt.Fprintf(io.err, "wardkey: hint: %s\n", show(hint))
	}
	return 1
}

func dispatch(e *env, args []string) error {
	if len(args) == 0 {
		return runTUI(e)
	}
	name := args[0]
	switch name {
	case "-h", "--help":
		return cmdHelp(e, args[1:])
	case "--version":
		return cmdVersion(e, args[1:])
	case "man": // hidden: the release build writes the man page with it
		return cmdMan(e, args[1:])
	}
	for _, c := range commands {
		if c.name == name {
			if err := e.needProfile(name); err != nil {
				return err
			}
			return c.run(e, args[1:])
		}
	}
	return usagef("unknown command %q", name)
}

// cmdHelp prints the commands and the global flags (wardkey help), or one
// command's flags (wardkey help CMD, as wardkey CMD --help).
func cmdHelp(e *env, args []string) error {
	fs := e.flags("help")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		printHelp(e.out)
		return nil
	}
	for _, c := range helpTable {
		if c.name == pos[0] {
			return c.run(e, append(pos[1:], "--help"))
		}
	}
	return usagef("help: unknown command %q", pos[0])
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "wardkey: a terminal authenticator (TOTP, HOTP, Steam) with an encrypted vault")
	fmt.Fprintln(w, "\nUsage:")
	fmt.Fprintln(w, "  wardkey [--demo]\n      the code screen (first run: create a vault, or open the demo)")
	for _, c := range helpTable {
		fmt.Fprintf(w, "  %s\n      %s\n", strings.TrimSpace("wardkey "+c.name+" "+c.usage), c.summary)
	}
	fmt.Fprintln(w, "\nGlobal flags (before or after the command):")
	printFlags(w, globalFlagSpecs)
	fmt.Fprintln(w, "\n'wardkey COMMAND --help' describes each flag. Exit status: 0 success, 1 failure, 2 usage error.")
}

// helpTable is commands, set in init: the commands refer to the flag
// parsing that prints this help, so it cannot name commands directly.
var helpTable []command

func init() { helpTable = commands }
