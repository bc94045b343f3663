package tui

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// needsCtrl makes a binding answer only with ctrl held, help included.
func TestNeedsCtrl(t *testing.T) {
	k := DefaultKeyMap()
	fav := needsCtrl(k.Favorite)
	if got := fav.Keys(); len(got) != 1 || got[0] != "ctrl+f" || fav.Help().Key != "ctrl+f" || fav.Help().Desc != k.Favorite.Help().Desc {
		t.Fatalf("needsCtrl(Favorite) = %v %+v", got, fav.Help())
	}
	if key.Matches(tea.KeyPressMsg{Code: 'f', Text: "f"}, fav) {
		t.Error("a plain f still matches")
	}
	if !key.Matches(tea.KeyPressMsg{Code: 'f', Mod: tea.ModCtrl}, fav) {
		t.Error("ctrl+f does not match")
	}
	if b := needsCtrl(k.Top); strings.Join(b.Keys(), ",") != "ctrl+home,ctrl+g" || b.Help().Key != "ctrl+home/ctrl+g" {
		t.Errorf("needsCtrl(Top) = %v, %q", b.Keys(), b.Help().Key)
	}
	if b := needsCtrl(k.Sync); b.Enabled() {
		t.Error("needsCtrl enabled a disabled binding")
	}
}

// Every key comes from the KeyMap: no screen compares a key message with
// a string of its own.
func TestNoStringKeys(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	bad := regexp.MustCompile(`\.String\(\) ==|switch \w+\.String\(\)|Keystroke\(\) ==`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range strings.Split(string(b), "\n") {
			if bad.MatchString(l) {
				t.Errorf("%s:%d compares a key with a string: %s", f, i+1, strings.TrimSpace(l))
			}
		}
	}
}

// Every I/O command is in commands.go: the other files of the package
// import no os, os/exec or net, and call no Backend method, Vault.Update
// or backup.Read/Write outside a command.
func TestIOOnlyInCommands(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	imports := regexp.MustCompile(`^\s*"(os|os/exec|net|net/http|io/fs|io/ioutil)"`)
	calls := regexp.MustCompile(`\.(Update\(func\(tx|OpenDemo\(|ProbeKeyring\(|UnlockWait\(|ReadBackup\(|Export\(v|MeasureClock\(|ImportFile\(|FindOnScreen\(|FindOnClipboard\(|AddAccounts\(|DeleteFile\(|SaveRecent\(|Clipboard\(\)\.|Reauth\(|SaveSettings\()|\bb\.(Open|Create|Local|Sync|Recent)\(|backup\.(Read|Write)\(|filepath\.(Walk|WalkDir|Glob|Abs|EvalSymlinks)\(`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "commands.go" || f == "config.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range strings.Split(string(b), "\n") {
			if imports.MatchString(l) {
				t.Errorf("%s:%d imports an I/O package: %s", f, i+1, strings.TrimSpace(l))
			}
			if calls.MatchString(l) {
				t.Errorf("%s:%d does I/O outside commands.go: %s", f, i+1, strings.TrimSpace(l))
			}
		}
	}
}
