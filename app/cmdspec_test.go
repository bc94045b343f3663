package app

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// runCLI runs wardkey in-process and returns its exit status and output.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	home := t.TempDir()
	code = run(append([]string{"--home", home}, args...), stdio{in: strings.NewReader(""), out: &out, err: &errb}, testHooks())
	return code, out.String(), errb.String()
}

func TestDescribeCommands(t *testing.T) {
	specs, err := describeCommands()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]cmdSpec{}
	for _, s := range specs {
		byName[s.name] = s
	}
	for _, c := range commands {
		if _, ok := byName[c.name]; !ok {
			t.Errorf("command %q is missing from the description", c.name)
		}
	}
	flagOf := func(cmd, name string) flagSpec {
		for _, f := range byName[cmd].flags {
			if f.name == name {
				return f
			}
		}
		t.Fatalf("%s has no flag --%s", cmd, name)
		return flagSpec{}
	}
	flagRows := []struct {
		cmd, flag, arg, kind string
		choices              []string
	}{
		{"add", "type", "totp|hotp|steam", "choice", []string{"totp", "hotp", "steam"}},
		{"add", "uri", "URI|-", "", nil},
		{"add", "secret-file", "F", "file", nil},
		{"add", "digits", "N", "", nil},
		{"export", "out", "FILE", "file", nil},
		{"export", "armor", "", "", nil},
		{"export", "format", "age|google-migration|otpauth", "choice", []string{"age", "google-migration", "otpauth"}},
		{"sync", "remote", "DIR|URL", "dir", nil},
		{"sync join", "remote-password-file", "FILE", "file", nil}, // not in the usage line: from its name
		{"sync join", "vault-id", "ID", "", nil},
		{"clock", "server", "HOST[:PORT]", "", nil},
		{"code", "at", "RFC3339|UNIX", "", nil},
	}
	for _, r := range flagRows {
		t.Run(r.cmd+" --"+r.flag, func(t *testing.T) {
			f := flagOf(r.cmd, r.flag)
			if f.arg != r.arg || f.valueKind() != r.kind || !slices.Equal(f.choices(), r.choices) {
				t.Errorf("got arg %q kind %q choices %q, want %q %q %q", f.arg, f.valueKind(), f.choices(), r.arg, r.kind, r.choices)
			}
			if f.usage == "" {
				t.Error("no usage text")
			}
		})
	}
	cmdRows := []struct {
		cmd   string
		words []string
		files bool
	}{
		{"import", nil, true},
		{"restore", nil, true},
		{"code", nil, false},
		{"export", nil, false}, // its FILE is --out's value
		{"sync", []string{"join"}, false},
		{"completion", []string{"bash", "zsh", "fish"}, false},
	}
	for _, r := range cmdRows {
		t.Run(r.cmd, func(t *testing.T) {
			s := byName[r.cmd]
			if !slices.Equal(s.words, r.words) || s.files != r.files {
				t.Errorf("got words %q files %v, want %q %v", s.words, s.files, r.words, r.files)
			}
		})
	}
}

// A command that does work before parsing its flags cannot be described.
func TestDescribeRefusesCommandWithoutParse(t *testing.T) {
	ran := false
	c := command{name: "rogue", run: func(e *env, args []string) error { ran = true; return nil }}
	if _, err := commandFlags(c, nil); err == nil || !strings.Contains(err.Error(), `"rogue"`) {
		t.Errorf("got %v, want an error naming the command", err)
	}
	if !ran {
		t.Error("the command was not run")
	}
}

// Every command, sub-commands included, answers an unknown flag with exit
// 2 and words on stderr only.
func TestUsageErrorsGoToStderr(t *testing.T) {
	specs, err := describeCommands()
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	for _, s := range specs {
		rows = append(rows, append(strings.Fields(s.name), "--no-such-flag"))
		for _, f := range s.flags {
			if f.arg != "" {
				rows = append(rows, append(strings.Fields(s.name), "--"+f.name)) // value missing
			}
		}
	}
	rows = append(rows, []string{"no-such-command"}, []string{"--home"}, []string{"help", "no-such-command"})
	for _, args := range rows {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errs := runCLI(t, args...)
			if code != 2 || out != "" || !strings.HasPrefix(errs, "wardkey: error: ") {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2, nothing, an error", code, out, errs)
			}
		})
	}
}
