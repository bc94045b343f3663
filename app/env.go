package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/wardkey/wardkey/app/policy"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/keyring"
)

// env is what every command gets: where the vault is, how to read
// passphrases, where to write, and the hooks.
type env struct {
	stdio
	home     string
	profile  string
	passFile string // vault passphrase file
	demo     bool
	hooks    Hooks
	describe func(*flag.FlagSet) // set by describeCommands (cmdspec.go)

	profileSet bool           // --profile or WARDKEY_PROFILE named the profile
	pol        *policy.Policy // read on first use: see policy()
	auditLog   auditState     // events to write at the end (audit.go)
	inTUI      bool           // the code screen runs: nothing goes to stderr
	early      vault.Keyring  // the keyring whose read prefetchKey started, for unlock
	oneAccount bool           // the next unlock is for one account (vault.Unlock.OneAccount)
}

// globalFlags take a value; they may stand before or after the command.
var globalFlags = map[string]bool{"home": true, "profile": true, "vault-passphrase-file": true}

// newEnv pulls the global flags out of args wherever they are and returns
// the rest.
func newEnv(args []string, io stdio, h Hooks) (*env, []string, error) {
	e := &env{stdio: io, hooks: h}
	e.home = os.Getenv("WARDKEY_HOME")
	e.profile = os.Getenv("WARDKEY_PROFILE")
	e.passFile = os.Getenv("WARDKEY_PASSPHRASE_FILE")
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || !(globalFlags[name] || name == "demo") {
			rest = append(rest, a)
			continue
		}
		if name == "demo" {
			e.demo = true
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				return nil, nil, usagef("flag --%s needs a value", name)
			}
			i++
			val = args[i]
		}
		switch name {
		case "home":
			e.home = val
		case "profile":
			e.profile = val
		case "vault-passphrase-file":
			e.passFile = val
		}
	}
	e.profileSet = e.profile != ""
	if e.profile == "" {
		e.profile = vault.DefaultProfile
	}
	if err := vault.CheckProfile(e.profile); err != nil {
		return nil, nil, usageError{err.Error()}
	}
	if e.home == "" {
		h, err := vault.DefaultHome()
		if err != nil {
			return nil, nil, err
		}
		e.home = h
	}
	return e, rest, nil
}

func (e *env) now() time.Time {
	if e.hooks.Now != nil {
		return e.hooks.Now()
	}
	return time.Now()
}

func (e *env) dir() string {
	d, _ := vault.ProfileDir(e.home, e.profile) // checked in newEnv
	return d
}

func (e *env) keyring() vault.Keyring {
	if e.hooks.Keyring != nil {
		return e.hooks.Keyring
	}
	return keyring.System{}
}

func (e *env) options() vault.Options {
	return vault.Options{KDF: e.hooks.KDF, Now: e.hooks.Now}
}

// interactive reports whether a person can answer prompts: stdin is a
// terminal and /dev/tty opens.
func (e *env) interactive() bool {
	return e.inFile != nil && term.IsTerminal(int(e.inFile.Fd()))
}

// flags makes a FlagSet for a subcommand whose errors are usage errors.
func (e *env) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("wardkey "+name, flag.ContinueOnError)
	// What the flag package prints itself is dropped (usage errors are
	// returned and go to stderr); --help goes to e.out (see flagOutput).
	fs.SetOutput(flagOutput{help: e.out, describe: e.describe})
	fs.Usage = func() {} // printCommandHelp answers --help
	return fs
}

// parse parses flags anywhere among the arguments (Go's flag package stops
// at the first positional one) and returns the positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				o, _ := fs.Output().(flagOutput)
				if o.describe != nil {
					o.describe(fs)
					return nil, errDescribed
				}
				printCommandHelp(o.help, fs)
				return nil, exitError{0}
			}
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// readPassphraseFile reads a passphrase file: one trailing newline (\n or
// \r\n) is stripped, nothing else.
func readPassphraseFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read passphrase file: %w", err)
	}
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("passphrase file %s is empty", path)
	}
	return b, nil
}

// prompt reads a line with no echo from the terminal.
func (e *env) promptSecret(label string) ([]byte, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, errNoTerminal
	}
	defer tty.Close()
	fmt.Fprintf(tty, "%s: ", show(label))
	b, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	if err != nil {
		return nil, fmt.Errorf("read from terminal: %w", err)
	}
	return b, nil
}

// promptLine reads a visible line from the terminal.
func (e *env) promptLine(label string) (string, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", errNoTerminal
	}
	defer tty.Close()
	fmt.Fprintf(tty, "%s", show(label))
	var sb strings.Builder
	buf := make([]byte, 1)
	for {
		n, err := tty.Read(buf)
		if n == 0 || err != nil || buf[0] == '\n' {
			break
		}
		sb.WriteByte(buf[0])
	}
	return strings.TrimSpace(sb.String()), nil
}

var errNoTerminal = errors.New("no terminal to ask on")

// vaultPassphrase reads the vault passphrase from --vault-passphrase-file
// (or WARDKEY_PASSPHRASE_FILE), else from the terminal. confirm asks twice.
func (e *env) vaultPassphrase(label string, confirm bool) ([]byte, error) {
	if e.passFile != "" {
		return readPassphraseFile(e.passFile)
	}
	if !e.interactive() {
		return nil, errNoTerminal
	}
	p, err := e.promptSecret(label)
	if err != nil {
		return nil, err
	}
	if len(p) == 0 {
		return nil, errors.New("the passphrase is empty")
	}
	if confirm {
		q, err := e.promptSecret("Repeat it")
		if err != nil {
			return nil, err
		}
		if string(p) != string(q) {
			return nil, errors.New("the two passphrases differ")
		}
	}
	return p, nil
}

// canAskPassphrase reports whether a vault passphrase is to be had.
func (e *env) canAskPassphrase() bool { return e.passFile != "" || e.interactive() }

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
