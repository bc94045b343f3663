package app

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

// asOlderWardkey turns the profile's anchor into what a wardkey before
// audit.anchor left: the anchor in local.json (its tag computed here from
// the format that wardkey wrote), and no audit.anchor.
func asOlderWardkey(t *testing.T, dir string, key []byte) {
	t.Helper()
	a, ok, err := audit.AnchorFile{Dir: dir, Key: key}.Load()
	if err != nil || !ok || !a.Valid(key) {
		t.Fatalf("no anchor to turn old: %+v %v %v", a, ok, err)
	}
	h := hmac.New(sha256.New, key)
	fmt.Fprintf(h, "wardkey audit anchor\n%d %s\n%d %s\n%d %s\n", a.Last.Seq, a.Last.MAC, a.LogBase.Seq, a.LogBase.MAC, a.OldBase.Seq, a.OldBase.MAC)
	old, err := json.Marshal(map[string]any{"last": a.Last, "log_base": a.LogBase, "old_base": a.OldBase, "tag": hex.EncodeToString(h.Sum(nil))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vault.UpdateLocal(dir, func(l *vault.Local) { l.AuditAnchor = old }); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, audit.AnchorName)); err != nil {
		t.Fatal(err)
	}
}

func localHasAnchor(t *testing.T, dir string) bool {
	t.Helper()
	l, err := vault.LoadLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(l.AuditAnchor) > 0
}

// A profile whose anchor an older wardkey kept in local.json verifies as
// before; the next append moves the anchor to audit.anchor and takes it
// out of local.json, so that deleting audit.anchor then does not bring the
// older anchor back (a cut tail would pass against it).
func TestAuditAnchorFromLocalJSON(t *testing.T) {
	tests := []struct {
		name  string
		after func(t *testing.T, dir string) // after the move
		want  string                         // 'log --verify' says, exit 1; "" for exit 0
	}{
		{"moved", func(*testing.T, string) {}, ""},
		{"moved, then audit.anchor deleted", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, audit.AnchorName)); err != nil {
				t.Fatal(err)
			}
		}, "audit.anchor: is missing, and local.json has no audit anchor either"},
		{"moved, then the log cut", func(t *testing.T, dir string) {
			name := filepath.Join(dir, audit.FileName)
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.SplitAfter(string(b), "\n")
			writeFileT(t, name, strings.Join(lines[:len(lines)-3], ""))
		}, "the log was cut"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := tuiEnv(t, "default", nil)
			v := seedVault(t, e, benchAccounts(2), "right horse", nil)
			defer v.Close()
			bk := &tuiBackend{e: e}
			for range 3 {
				if err := bk.Audit(v, audit.Event{Event: audit.CodeCopied, Account: "0000000000000001"}); err != nil {
					t.Fatal(err)
				}
			}
			key, err := v.AuditKey()
			if err != nil {
				t.Fatal(err)
			}
			dir := e.dir()
			asOlderWardkey(t, dir, key)

			// The older wardkey's files verify as they are.
			rep, err := audit.Verify(dir, key, loadAnchor(dir, key))
			if err != nil || len(rep.Problems) > 0 || len(rep.Entries) != 3 {
				t.Fatalf("the older files: %v %v, %d lines", err, rep.Problems, len(rep.Entries))
			}
			// The next append moves the anchor.
			if err := bk.Audit(v, audit.Event{Event: audit.CodeCopied, Account: "0000000000000002"}); err != nil {
				t.Fatal(err)
			}
			if localHasAnchor(t, dir) {
				t.Fatal("local.json still holds the anchor after the move")
			}
			if st, err := os.Stat(filepath.Join(dir, audit.AnchorName)); err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("%s: %v %v", audit.AnchorName, st, err)
			}
			tt.after(t, dir)
			code, out := logVerify(t, e, "right horse")
			switch {
			case tt.want == "" && (code != 0 || !strings.Contains(out, "the audit log verifies")):
				t.Fatalf("exit %d:\n%s", code, out)
			case tt.want != "" && (code != 1 || !strings.Contains(out, tt.want)):
				t.Fatalf("exit %d, want 1 saying %q:\n%s", code, tt.want, out)
			}
		})
	}
}

// A move cut short by a crash (audit.anchor made, local.json not yet
// cleared) is finished by the next append.
func TestAuditAnchorMoveFinished(t *testing.T) {
	e, _ := tuiEnv(t, "default", nil)
	v := seedVault(t, e, benchAccounts(2), "right horse", nil)
	defer v.Close()
	bk := &tuiBackend{e: e}
	ev := audit.Event{Event: audit.CodeCopied, Account: "0000000000000001"}
	if err := bk.Audit(v, ev); err != nil {
		t.Fatal(err)
	}
	key, _ := v.AuditKey()
	dir := e.dir()
	asOlderWardkey(t, dir, key)
	old, _ := vault.LoadLocal(dir)
	if err := bk.Audit(v, ev); err != nil { // the move
		t.Fatal(err)
	}
	// The crash: local.json as it was before the move.
	if _, err := vault.UpdateLocal(dir, func(l *vault.Local) { l.AuditAnchor = old.AuditAnchor }); err != nil {
		t.Fatal(err)
	}
	if err := bk.Audit(v, ev); err != nil {
		t.Fatal(err)
	}
	if localHasAnchor(t, dir) {
		t.Fatal("local.json still holds the anchor after the next append")
	}
	if rep, err := audit.Verify(dir, key, loadAnchor(dir, key)); err != nil || len(rep.Problems) > 0 {
		t.Fatalf("%v %v", err, rep.Problems)
	}
}

func writeFileT(t *testing.T, name, s string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}
