package tui

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

// No screen names a wardkey command in a fixed string: a hint saying
// "wardkey passwd --recovery" to a person on profile alice, followed,
// changes the default profile's passphrase. Commands are named through
// wording.Command with the session's profile.
func TestCommandsNamedThroughWording(t *testing.T) {
	cmd := regexp.MustCompile(`\bwardkey [a-z]`)
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
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, _ := strconv.Unquote(lit.Value); cmd.MatchString(s) {
					t.Errorf("%s: %q names a command without the profile: use wording.Command", fset.Position(lit.Pos()), s)
				}
			}
			return true
		})
	}
}

func TestRecoveryHintNamesTheProfile(t *testing.T) {
	c := &common{keys: DefaultKeyMap(), styles: NewStyles(true), width: 80, height: 24, sess: newSession(Profile{Name: "ward-3", HasVault: true})}
	v := recoveryModel{c: c, code: "AAAA-BBBB", w: 80}.View()
	if !strings.Contains(strings.Join(strings.Fields(v), " "), "wardkey --profile ward-3 passwd --recovery") {
		t.Fatalf("the recovery screen does not name the profile:\n%s", v)
	}
}
