package app

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// toolPath is needTool's program (cmd_qr_test.go), found on PATH.
func toolPath(t *testing.T, name string) string {
	t.Helper()
	needTool(t, name)
	p, _ := exec.LookPath(name)
	return p
}

// commandSets maps a command name ("" for the top level, "sync join") to
// the flag names one reader shows for it, and "" to the command names.
type commandSets map[string][]string

func (c commandSets) add(cmd string, names ...string) {
	c[cmd] = append(c[cmd], names...)
	sort.Strings(c[cmd])
	c[cmd] = slices.Compact(c[cmd])
}

var dashedName = regexp.MustCompile(`--([a-z][a-z0-9-]*)`)

// fromHelp reads `wardkey help` and `wardkey CMD --help`.
func fromHelp(t *testing.T, specs []cmdSpec) (commandSets, []string) {
	sets := commandSets{}
	_, out, _ := runCLI(t, "help")
	var names []string
	for _, m := range regexp.MustCompile(`(?m)^  wardkey ([a-z][a-z-]*)`).FindAllStringSubmatch(out, -1) {
		names = append(names, m[1])
	}
	for _, s := range specs {
		code, out, errs := runCLI(t, append(strings.Fields(s.name), "--help")...)
		if code != 0 || errs != "" {
			t.Fatalf("%s --help: exit %d, stderr %q", s.name, code, errs)
		}
		flags, _, _ := strings.Cut(out, "\nGlobal flags")
		sets.add(s.name)
		if _, list, ok := strings.Cut(flags, "\nFlags:\n"); ok {
			for _, m := range regexp.MustCompile(`(?m)^  --([a-z][a-z0-9-]*)`).FindAllStringSubmatch(list, -1) {
				sets.add(s.name, m[1])
			}
		}
	}
	return sets, names
}

// fromManPage reads the roff of `wardkey man`.
func fromManPage(t *testing.T) (commandSets, []string) {
	code, out, errs := runCLI(t, "man")
	if code != 0 {
		t.Fatalf("man: exit %d: %s", code, errs)
	}
	sets := commandSets{}
	var names []string
	cmd := ""
	lines := strings.Split(out, "\n")
	for i := 1; i < len(lines); i++ {
		if lines[i-1] == ".SH GLOBAL FLAGS" {
			break
		}
		if lines[i-1] != ".TP" {
			continue
		}
		l := lines[i]
		if rest, ok := strings.CutPrefix(l, `\fBwardkey `); ok {
			cmd, _, _ = strings.Cut(rest, `\fR`)
			cmd = strings.ReplaceAll(cmd, `\-`, "-")
			sets.add(cmd)
			if !strings.Contains(cmd, " ") {
				names = append(names, cmd)
			}
		} else if strings.HasPrefix(l, `\fB\-\-`) {
			name, _, _ := strings.Cut(strings.TrimPrefix(l, `\fB\-\-`), `\fR`)
			sets.add(cmd, strings.ReplaceAll(name, `\-`, "-"))
		}
	}
	return sets, names
}

// shellSets completes "wardkey NAME --" for every command with a shell
// driver and keeps what is not a global flag.
func shellSets(t *testing.T, specs []cmdSpec, complete func(words []string) []string) (commandSets, []string) {
	globals := map[string]bool{"help": true}
	for _, f := range globalFlagSpecs {
		globals[f.name] = true
	}
	sets := commandSets{}
	for _, s := range specs {
		sets.add(s.name)
		got := complete(append(append([]string{"wardkey"}, strings.Fields(s.name)...), "--"))
		for _, w := range got {
			m := dashedName.FindStringSubmatch(w)
			if m == nil {
				t.Errorf("%s: completion %q is not a flag", s.name, w)
				continue
			}
			if !globals[m[1]] {
				sets.add(s.name, m[1])
			}
		}
		for g := range globals {
			if !slices.ContainsFunc(got, func(w string) bool { return strings.HasPrefix(w, "--"+g) }) {
				t.Errorf("%s: the completion lacks the global flag --%s", s.name, g)
			}
		}
	}
	return sets, complete([]string{"wardkey", ""})
}

// bashComplete runs the bash script's function as bash-completion would.
func bashComplete(t *testing.T, script string) func([]string) []string {
	bash := toolPath(t, "bash")
	return func(words []string) []string {
		var quoted []string
		for _, w := range words {
			quoted = append(quoted, "'"+w+"'")
		}
		prog := fmt.Sprintf("source %s\nCOMP_WORDS=(%s)\nCOMP_CWORD=%d\n_wardkey\nprintf '%%s\\n' \"${COMPREPLY[@]}\"\n",
			script, strings.Join(quoted, " "), len(words)-1)
		out, err := exec.Command(bash, "--noprofile", "--norc", "-c", prog).CombinedOutput()
		if err != nil {
			t.Fatalf("bash: %v\n%s", err, out)
		}
		return strings.Fields(string(out))
	}
}

// fishComplete asks fish itself (complete -C).
func fishComplete(t *testing.T, script string) func([]string) []string {
	fish := toolPath(t, "fish")
	return func(words []string) []string {
		line := strings.Join(words, " ")
		out, err := exec.Command(fish, "--no-config", "-c", "source "+script+"; complete -C '"+line+"'").CombinedOutput()
		if err != nil {
			t.Fatalf("fish: %v\n%s", err, out)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			w, _, _ := strings.Cut(l, "\t")
			if w != "" {
				got = append(got, w)
			}
		}
		return got
	}
}

// zshComplete runs the zsh function with _arguments and _describe replaced
// by stubs that print what they were given: the first _arguments call
// puts the function in the state the real one would (->command or ->args),
// the second prints the command's option specs. (By hand, in a real zsh
// with compinit, 'wardkey add --<TAB>' lists the same flags.)
func zshComplete(t *testing.T, script string) func([]string) []string {
	zsh := toolPath(t, "zsh")
	return func(words []string) []string {
		state, rest := "args", words[1:]
		if len(words) == 2 && words[1] == "" {
			state, rest = "command", nil
		}
		var quoted []string
		for _, w := range rest {
			quoted = append(quoted, "'"+w+"'")
		}
		prog := fmt.Sprintf(`
compdef() { : }
_arguments() {
  if [[ -n $first ]]; then first=; state=%s; return 0; fi
  print -rl -- "$@"
}
_describe() { print -rl -- "${(@P)4}" }
source %s
first=1
words=(%s)
CURRENT=${#words}
_wardkey
`, state, script, strings.Join(quoted, " "))
		out, err := exec.Command(zsh, "-f", "-c", prog).CombinedOutput()
		if err != nil {
			t.Fatalf("zsh: %v\n%s", err, out)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if state == "command" {
				name, _, _ := strings.Cut(l, ":")
				got = append(got, name)
				continue
			}
			if m := regexp.MustCompile(`^(?:\([^)]*\))?(--[a-z][a-z0-9-]*)`).FindStringSubmatch(l); m != nil {
				got = append(got, m[1])
			}
		}
		return got
	}
}

// TestCommandLineAgrees: `wardkey help` and each `--help`, the man page and
// the bash, zsh and fish completions name the same commands and, for each
// command, the same flags.
func TestCommandLineAgrees(t *testing.T) {
	specs, err := describeCommands()
	if err != nil {
		t.Fatal(err)
	}
	help, helpNames := fromHelp(t, specs)
	var tableNames []string
	for _, c := range commands {
		tableNames = append(tableNames, c.name)
	}
	if !slices.Equal(helpNames, tableNames) {
		t.Fatalf("wardkey help lists %q, the table %q", helpNames, tableNames)
	}
	if got := help["add"]; !slices.Contains(got, "secret-file") || !slices.Contains(got, "uri") {
		t.Fatalf("help of add has no --uri or --secret-file: %q", got)
	}
	compare := func(t *testing.T, sets commandSets, names []string) {
		if !slices.Equal(slices.Sorted(slices.Values(names)), slices.Sorted(slices.Values(helpNames))) {
			t.Errorf("commands: %q, help: %q", names, helpNames)
		}
		for _, s := range specs {
			if !slices.Equal(sets[s.name], help[s.name]) {
				t.Errorf("%s: %q, help: %q", s.name, sets[s.name], help[s.name])
			}
		}
		for cmd := range sets {
			if _, ok := help[cmd]; !ok {
				t.Errorf("%q is not a command of help", cmd)
			}
		}
	}
	t.Run("man", func(t *testing.T) {
		sets, names := fromManPage(t)
		compare(t, sets, names)
	})
	dir := t.TempDir()
	for _, sh := range []struct {
		name     string
		complete func(*testing.T, string) func([]string) []string
	}{{"bash", bashComplete}, {"zsh", zshComplete}, {"fish", fishComplete}} {
		t.Run(sh.name, func(t *testing.T) {
			code, script, errs := runCLI(t, "completion", sh.name)
			if code != 0 {
				t.Fatalf("completion %s: exit %d: %s", sh.name, code, errs)
			}
			path := filepath.Join(dir, sh.name)
			if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
				t.Fatal(err)
			}
			sets, names := shellSets(t, specs, sh.complete(t, path))
			compare(t, sets, names)
		})
	}
}

// Values complete as the usage line says: choices, files, sub-commands.
func TestBashCompletesValues(t *testing.T) {
	code, script, _ := runCLI(t, "completion", "bash")
	if code != 0 {
		t.Fatal("completion bash failed")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "wardkey.bash")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "backup.age"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	complete := bashComplete(t, path)
	rows := []struct {
		words []string
		want  []string
	}{
		{[]string{"wardkey", "ex"}, []string{"export"}},
		{[]string{"wardkey", "--home", "/tmp", "ex"}, []string{"export"}},
		{[]string{"wardkey", "--profile", "=", "nurse", "sy"}, []string{"sync"}},
		{[]string{"wardkey", "sync", ""}, []string{"join"}},
		{[]string{"wardkey", "add", "--type", ""}, []string{"totp", "hotp", "steam"}},
		{[]string{"wardkey", "export", "--format", "=", "go"}, []string{"google-migration"}},
		{[]string{"wardkey", "completion", ""}, []string{"bash", "zsh", "fish"}},
		{[]string{"wardkey", "restore", dir + "/back"}, []string{dir + "/backup.age"}},
		{[]string{"wardkey", "add", "--issuer", ""}, nil}, // a free value: nothing to offer
		{[]string{"wardkey", "--"}, []string{"--home", "--profile", "--vault-passphrase-file", "--demo", "--help", "--version"}},
	}
	for _, r := range rows {
		t.Run(strings.Join(r.words, " "), func(t *testing.T) {
			if got := complete(r.words); !slices.Equal(got, r.want) {
				t.Errorf("got %q, want %q", got, r.want)
			}
		})
	}
}
