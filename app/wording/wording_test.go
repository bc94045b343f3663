package wording

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/wardkey/wardkey/vault"
)

// Every failure a person can act on has its own message and hint, found
// through wrapping; anything else keeps its own words.
func TestOpen(t *testing.T) {
	for _, row := range openTable {
		err := fmt.Errorf("open vault %q: %w", "/home/x", row.err)
		msg, hint, ok := Open(err)
		if !ok || !strings.HasPrefix(msg, row.msg) || hint != row.hint || hint == "" {
			t.Errorf("Open(%v) = %q, %q, %v", err, msg, hint, ok)
		}
		if row.detail != strings.Contains(msg, err.Error()) {
			t.Errorf("Open(%v): detail %v, message %q", err, row.detail, msg)
		}
	}
	if msg, hint, ok := Open(errors.New("disk on fire")); ok || msg != "disk on fire" || hint != "" {
		t.Errorf("an unknown error: %q, %q, %v", msg, hint, ok)
	}
	if got := OpenSentence(vault.ErrWrongPassphrase); !strings.HasPrefix(got, "The passphrase (or recovery code) is wrong; the vault is unchanged. Check it") || !strings.HasSuffix(got, ".") {
		t.Errorf("OpenSentence = %q", got)
	}
}

func TestSentence(t *testing.T) {
	for in, want := range map[string]string{"": "", " it failed ": "It failed.", "done.": "Done.", "really?": "Really?"} {
		if got := Sentence(in); got != want {
			t.Errorf("Sentence(%q) = %q, want %q", in, got, want)
		}
	}
}

// The plan's categories come in one order; "brought back" only when
// asked for or when there are any; "deleted in the backup" only when
// there are any.
func TestRestorePlan(t *testing.T) {
	titles := func(secs []PlanSection) string {
		var out []string
		for _, s := range secs {
			out = append(out, s.Title)
		}
		return strings.Join(out, "|")
	}
	a := vault.Account{Issuer: "EHR", Name: "dr.jones"}
	p := vault.RestorePlan{Added: []vault.Account{a}}
	if got := titles(RestorePlan(p, false, "u")); got != "added|updated|unchanged|duplicates|deleted here, kept deleted" {
		t.Errorf("plain plan: %s", got)
	}
	p.Removed = []vault.Account{a}
	if got := titles(RestorePlan(p, true, "u")); got != "added|updated|unchanged|duplicates|deleted here, brought back|deleted here, kept deleted|deleted in the backup" {
		t.Errorf("undeleting plan: %s", got)
	}
	if secs := RestorePlan(p, false, "restore --undelete"); secs[4].Note != "restore --undelete brings them back" {
		t.Errorf("the undelete note: %q", secs[4].Note)
	}
	if got := RestoreSummary(vault.RestorePlan{Added: []vault.Account{a, a}, Undeleted: []vault.Account{a}}); got != "2 added, 0 updated, 1 brought back" {
		t.Errorf("RestoreSummary = %q", got)
	}
}
