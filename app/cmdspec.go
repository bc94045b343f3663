package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/wardkey/wardkey/vault"
)

// One description of the command line serves four readers: `wardkey help`,
// `wardkey CMD --help`, the man page (manpage.go) and the shell completions
// (cmd_completion.go). It is read from the definitions themselves, never
// kept in a second list: the commands table in main.go (name, usage,
// summary) and each command's own FlagSet, which describeCommands obtains by
// running the command with --help while parse hands the FlagSet over instead
// of printing it. So a flag added to a command shows up in help, man page and
// completions at once (TestCommandLineAgrees checks the three).

// flagSpec is one flag as help, the man page and completions show it.
type flagSpec struct {
	name  string // without dashes
	arg   string // the value's placeholder ("FILE", "totp|hotp|steam"); "" for a switch
	usage string
}

// cmdSpec is one command, or a sub-command with flags of its own ("sync join").
type cmdSpec struct {
	name    string // "add", "sync join"
	usage   string // after "wardkey NAME "
	summary string
	flags   []flagSpec
	words   []string // fixed words the command takes: sub-commands, choices ("bash", "join")
	files   bool     // it takes file names as operands
}

// globalFlagSpecs describes the flags newEnv takes before or after any
// command (globalFlags in env.go, and --demo).
var globalFlagSpecs = []flagSpec{
	{"home", "DIR", "where profiles live (WARDKEY_HOME; default ~/.local/share/wardkey)"},
	{"profile", "NAME", `the profile to use (WARDKEY_PROFILE; default "default")`},
	{"vault-passphrase-file", "F", "read the vault passphrase from F (WARDKEY_PASSPHRASE_FILE)"},
	{"demo", "", "open the demo vault: made-up accounts, nothing saved"},
}

// errDescribed is how a command run by describeCommands ends: at its flag
// parsing, having handed over its FlagSet.
var errDescribed = errors.New("command described, not run")

// flagOutput is the Output of every command's FlagSet. The flag package
// prints its own error and usage there: that is dropped, because parse
// returns the error and run prints it on standard error (exit 2); usage
// mistakes never reach standard output. --help prints to help.
type flagOutput struct {
	help     io.Writer
	describe func(*flag.FlagSet) // set by describeCommands
}

func (flagOutput) Write(p []byte) (int, error) { return len(p), nil }

// describeCommands reads every command of the table, and each sub-command
// with flags of its own, from its definition.
func describeCommands() ([]cmdSpec, error) {
	var specs []cmdSpec
	for _, c := range helpTable {
		fs, err := commandFlags(c, nil)
		if err != nil {
			return nil, err
		}
		spec := specOf(c, c.name, fs)
		var subs []cmdSpec
		for _, w := range spec.words {
			sub, err := commandFlags(c, []string{w})
			if err != nil || sub.Name() == fs.Name() {
				continue // a fixed argument, not a sub-command
			}
			subs = append(subs, specOf(c, strings.TrimPrefix(sub.Name(), "wardkey "), sub))
		}
		specs = append(specs, spec)
		specs = append(specs, subs...)
	}
	return specs, nil
}

// commandFlags runs c with prefix and --help in an env that owns nothing (no
// terminal, no keyring, a home that cannot exist) and returns the FlagSet
// its parse handed over. A command that does not parse its flags with
// env.flags and parse before doing anything is an error.
func commandFlags(c command, prefix []string) (*flag.FlagSet, error) {
	var got *flag.FlagSet
	e := &env{
		stdio:   stdio{in: strings.NewReader(""), out: io.Discard, err: io.Discard},
		home:    filepath.Join(os.DevNull, "wardkey"),
		profile: vault.DefaultProfile,
		hooks:   Hooks{Keyring: noKeyring{}, NoSleep: true},
	}
	e.describe = func(fs *flag.FlagSet) { got = fs }
	err := c.run(e, append(prefix, "--help"))
	if !errors.Is(err, errDescribed) || got == nil {
		return nil, fmt.Errorf("describe command %q: it did not parse its flags with env.flags and parse first (got %v)", strings.Join(append([]string{c.name}, prefix...), " "), err)
	}
	return got, nil
}

// noKeyring is the keyring of describeCommands: there is none.
type noKeyring struct{}

var errNoKeyringHere = errors.New("no keyring while describing the commands")

func (noKeyring) Get(service, user string) (string, error) { return "", errNoKeyringHere }
func (noKeyring) Set(service, user, secret string) error   { return errNoKeyringHere }
func (noKeyring) Delete(service, user string) error        { return errNoKeyringHere }

// specOf describes the command name (c itself, or one of its sub-commands)
// whose FlagSet is fs. Placeholders and fixed words come from c's usage.
func specOf(c command, name string, fs *flag.FlagSet) cmdSpec {
	s := cmdSpec{name: name, usage: c.usage, summary: c.summary}
	if name != c.name {
		s.usage = subUsage(c, name)
	}
	tokens := usageTokens(s.usage)
	fs.VisitAll(func(f *flag.Flag) {
		s.flags = append(s.flags, flagSpec{name: f.Name, arg: placeholder(f, tokens), usage: f.Usage})
	})
	takesValue := map[string]bool{}
	for _, f := range s.flags {
		takesValue["--"+f.name] = f.arg != ""
	}
	others := map[string]bool{}
	for _, o := range helpTable {
		others[o.name] = true
	}
	last := strings.Fields(name)
	for i := 0; i < len(tokens); i++ {
		t := tokens[i]
		switch {
		case strings.HasPrefix(t, "-"):
			if takesValue[t] {
				i++ // its value
			}
		case t == "|" || t == last[0] || (len(last) > 1 && t == last[1]) || others[t]:
			// an alternative, the command's own name, or another command
		case isPlaceholder(t):
			for _, alt := range strings.Split(strings.TrimSuffix(t, "..."), "|") {
				s.files = s.files || alt == "FILE" || alt == "DIR"
			}
		default:
			for _, w := range strings.Split(t, "|") {
				if w != "" && !isPlaceholder(w) {
					s.words = append(s.words, w)
				}
			}
		}
	}
	return s
}

// subUsage is the part of c's usage that describes the sub-command name:
// "[--remote DIR|URL] | sync join REMOTE" gives "REMOTE" for "sync join".
func subUsage(c command, name string) string {
	for _, alt := range strings.Split(c.usage, " | ") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(alt), name); ok {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}

// usageTokens splits a usage line into words without the brackets and
// parentheses that group them ("HOST[:PORT]" keeps its own).
func usageTokens(usage string) []string {
	var out []string
	for _, t := range strings.Fields(usage) {
		t = strings.TrimLeft(t, "[(")
		for len(t) > 0 && strings.ContainsAny(t[len(t)-1:], "])") &&
			strings.Count(t, "]")+strings.Count(t, ")") > strings.Count(t, "[")+strings.Count(t, "(") {
			t = t[:len(t)-1]
		}
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

// isPlaceholder reports whether a usage word stands for a value the person
// chooses (QUERY, FILE..., HOST[:PORT], DIR|URL) rather than a literal word.
func isPlaceholder(t string) bool {
	seen := false
	for _, r := range t {
		if unicode.IsLower(r) || unicode.IsDigit(r) {
			return false
		}
		seen = seen || unicode.IsUpper(r)
	}
	return seen
}

// placeholder names the value of f: the word after --NAME in the usage line,
// else one made from the flag's type or name. "" for a switch.
func placeholder(f *flag.Flag, tokens []string) string {
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return ""
	}
	for i, t := range tokens {
		if t == "--"+f.Name && i+1 < len(tokens) && !strings.HasPrefix(tokens[i+1], "-") && tokens[i+1] != "|" {
			return tokens[i+1]
		}
	}
	kind, _ := flag.UnquoteUsage(f)
	switch {
	case kind == "int" || kind == "uint" || kind == "int64" || kind == "uint64" || kind == "float":
		return "N"
	case kind == "duration":
		return "DURATION"
	case strings.HasSuffix(f.Name, "file") || strings.HasSuffix(f.Name, "-out"):
		return "FILE"
	}
	parts := strings.Split(f.Name, "-")
	return strings.ToUpper(parts[len(parts)-1])
}

// choices lists the literal values of a placeholder such as
// "totp|hotp|steam"; nil where the value is free (FILE, DIR|URL, N).
func (f flagSpec) choices() []string {
	if !strings.Contains(f.arg, "|") {
		return nil
	}
	alts := strings.Split(f.arg, "|")
	for _, a := range alts {
		if a == "" || isPlaceholder(a) || a == "-" {
			return nil
		}
	}
	return alts
}

// valueKind says how a shell completes the flag's value: "file", "dir",
// "choice", or "" (anything: nothing to offer).
func (f flagSpec) valueKind() string {
	if f.choices() != nil {
		return "choice"
	}
	for _, a := range strings.Split(f.arg, "|") {
		switch a {
		case "FILE", "F":
			return "file"
		case "DIR":
			return "dir"
		}
	}
	return ""
}

// printCommandHelp describes one command's flags (wardkey CMD --help) from
// the same description as the man page and the completions.
func printCommandHelp(w io.Writer, fs *flag.FlagSet) {
	name := strings.TrimPrefix(fs.Name(), "wardkey ")
	c := command{name: name}
	for _, t := range helpTable {
		if t.name == strings.Fields(name)[0] {
			c = t
		}
	}
	s := specOf(c, name, fs)
	fmt.Fprintf(w, "wardkey %s: %s\n\nUsage: wardkey %s %s\n", s.name, s.summary, s.name, s.usage)
	if len(s.flags) > 0 {
		fmt.Fprintln(w, "\nFlags:")
		printFlags(w, s.flags)
	}
	fmt.Fprintln(w, "\nGlobal flags (before or after the command):")
	printFlags(w, globalFlagSpecs)
}

// printFlags writes one flag a line, usage aligned.
func printFlags(w io.Writer, flags []flagSpec) {
	width := 0
	for _, f := range flags {
		width = max(width, len(f.synopsis()))
	}
	for _, f := range flags {
		fmt.Fprintf(w, "  %-*s  %s\n", width, f.synopsis(), f.usage)
	}
}

// synopsis is "--name ARG" or "--name".
func (f flagSpec) synopsis() string {
	if f.arg == "" {
		return "--" + f.name
	}
	return "--" + f.name + " " + f.arg
}
