package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestWithProfile(t *testing.T) {
	tests := []struct{ in, profile, want string }{
		{"run 'wardkey passwd --recovery'", "alice", "run 'wardkey --profile alice passwd --recovery'"},
		{"run 'wardkey passwd --recovery'", "default", "run 'wardkey passwd --recovery'"},
		{"hint: wardkey doctor", "alice", "hint: wardkey --profile alice doctor"},
		{"'wardkey --profile bob recovery'", "alice", "'wardkey --profile bob recovery'"},
		{"run wardkey on a terminal", "alice", "run wardkey on a terminal"},
		{"'wardkey sync' then 'wardkey code X'", "a", "'wardkey --profile a sync' then 'wardkey --profile a code X'"},
		{"no command here", "alice", "no command here"},
	}
	for _, tt := range tests {
		if got := withProfile(tt.in, tt.profile); got != tt.want {
			t.Errorf("withProfile(%q, %q) = %q, want %q", tt.in, tt.profile, got, tt.want)
		}
	}
}

// Every line a command prints itself (not through describe, which puts
// the profile in) names its commands through e.cmdline or cmdFor: a hint
// saying 'wardkey passwd' to a person on profile alice would change the
// default profile's passphrase. This finds string literals naming a
// wardkey command in print calls.
func TestPrintedCommandsNameTheProfile(t *testing.T) {
	names := regexp.MustCompile(`'wardkey (?:[a-z][a-z-]*)|: wardkey [a-z]`)
	allowed := map[string]bool{"'wardkey help": true} // help is the same for every profile
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !strings.HasPrefix(sel.Sel.Name, "Fprint") {
				return true
			}
			for _, a := range call.Args {
				lit, ok := a.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				s, _ := strconv.Unquote(lit.Value)
				for _, m := range names.FindAllString(s, -1) {
					if !allowed[m] && !strings.Contains(s, "--profile %s") {
						t.Errorf("%s: %q names a command without the profile: use e.cmdline", fset.Position(lit.Pos()), s)
					}
				}
			}
			return true
		})
	}
}
