package policy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, doc string
		wantErr   string // "" : parses
		check     func(t *testing.T, p Policy)
	}{
		{"empty", "", "", func(t *testing.T, p Policy) {
			if p.Shared || p.Keyring != Allow || p.MinPassphraseScore != 2 || p.LockAfterMax != 3600 || p.SyncRemotes != nil {
				t.Errorf("defaults: %+v", p)
			}
		}},
		{"every key", `
shared = true
keyring = "forbid"
lock_after_max = 300
reauth_after_max = 0
plaintext_export = "forbid"
min_passphrase_score = 3
clipboard_clear_max = 30
ntp_server = "ntp.clinic.example:123"
max_clock_offset = 10
sync_remotes = ["https://dav.example/wardkey", "/srv/share/wardkey"]
`, "", func(t *testing.T, p Policy) {
			if !p.Shared || p.Keyring != Forbid || p.LockAfterMax != 300 || p.ReauthAfterMax != 0 ||
				p.PlaintextExport != Forbid || p.MinPassphraseScore != 3 || p.ClipboardClearMax != 30 ||
				p.NTPServer != "ntp.clinic.example:123" || p.MaxClockOffset != 10 || len(p.SyncRemotes) != 2 {
				t.Errorf("got %+v", p)
			}
			if !p.Set("reauth_after_max") || p.Set("nothing") {
				t.Error("Set")
			}
		}},
		{"no remote allowed", "sync_remotes = []", "", func(t *testing.T, p Policy) {
			if p.SyncRemotes == nil || p.CheckRemote("/x") == nil {
				t.Error("an empty list allows no remote")
			}
		}},
		{"unknown key", "shared = true\nkeyrng = \"forbid\"", `has unknown keys: "keyrng"`, nil},
		{"unknown table", "[extra]\nx = 1", `has unknown keys: "extra"`, nil},
		{"wrong type bool", `shared = "yes"`, "wrong type: shared must be true or false", nil},
		{"wrong type int", `lock_after_max = "300"`, "wrong type: lock_after_max must be a whole number of seconds", nil},
		{"wrong type list", `sync_remotes = "https://x"`, "wrong type: sync_remotes must be a list", nil},
		{"float for int", `lock_after_max = 1.5`, "wrong type: lock_after_max must be a whole number", nil},
		{"wrong type in a list", `sync_remotes = [1]`, "wrong type: sync_remotes must be a list", nil},
		{"two unknown keys, sorted", "zz = 1\nshared = true\naa = 2", `has unknown keys: "aa", "zz"`, nil},
		{"bad choice", `keyring = "maybe"`, `keyring = "maybe": use "allow" or "forbid"`, nil},
		{"score out of range", `min_passphrase_score = 5`, "min_passphrase_score = 5: use 0 to 4", nil},
		{"cap out of range", `lock_after_max = 5`, "lock_after_max = 5: use 10 to 3600", nil},
		{"relative remote", `sync_remotes = ["share"]`, "neither an absolute folder", nil},
		{"garbage", "\x00\x01 = = [", "is not valid TOML (line 1)", nil},
		{"duplicate key", "shared = true\nshared = false", "is not valid TOML", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.doc))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, p)
		})
	}
}

func TestRemoteAllowed(t *testing.T) {
	tests := []struct {
		allowed, remote string
		want            bool
	}{
		{"https://dav.example/wardkey", "https://dav.example/wardkey", true},
		{"https://dav.example/wardkey", "https://dav.example/wardkey/", true},
		{"https://dav.example/wardkey", "https://dav.example/wardkey/x", true},
		{"https://dav.example/wardkey/", "https://dav.example/wardkey/x/y", true},
		{"https://dav.example/wardkey", "https://DAV.example:443/wardkey/x", true},
		{"https://dav.example/wardkey", "https://user@dav.example/wardkey/x", true},
		{"https://dav.example/wardkey", "https://dav.example/wardkeyevil", false},
		{"https://dav.example/wardkey", "http://dav.example/wardkey", false},
		{"https://dav.example/wardkey", "https://dav.example:8443/wardkey", false},
		{"https://dav.example/wardkey", "https://dav.example.evil/wardkey", false},
		{"https://dav.example/wardkey", "https://dav.example/wardkey/../evil", false},
		{"https://dav.example/wardkey", "https://dav.example/wardkey%2F..%2Fevil", false},
		{"https://dav.example/wardkey", "https://dav.example/", false},
		{"https://dav.example/wardkey", "/wardkey", false},
		{"https://dav.example", "https://dav.example/anything", true},
		{"/srv/share/wardkey", "/srv/share/wardkey/clinic", true},
		{"/srv/share/wardkey", "/srv/share/wardkey2", false},
		{"/srv/share/wardkey", "/srv/share/wardkey/../other", false},
		{"/srv/share/wardkey", "share/wardkey", false},
		{"/srv/share/wardkey", "file:///srv/share/wardkey", false},
	}
	for _, tt := range tests {
		if got := RemoteAllowed(tt.allowed, tt.remote); got != tt.want {
			t.Errorf("RemoteAllowed(%q, %q) = %v, want %v", tt.allowed, tt.remote, got, tt.want)
		}
	}
}

func TestRefusalSentence(t *testing.T) {
	p, err := Parse([]byte(`keyring = "forbid"`))
	if err != nil {
		t.Fatal(err)
	}
	p.File = "/etc/wardkey/policy.toml"
	err = p.CheckKeyring()
	want := `the administrator's policy (/etc/wardkey/policy.toml, keyring = "forbid") does not allow a keyring vault`
	if err == nil || err.Error() != want || !errors.Is(err, ErrRefused) {
		t.Fatalf("got %v, want %s", err, want)
	}
	if err := p.CheckPlaintextExport("x"); err != nil {
		t.Errorf("plaintext export is allowed: %v", err)
	}
	if err := Default().CheckKeyring(); err != nil {
		t.Errorf("no policy: %v", err)
	}
	if err := Default().CheckPassphraseScore(1); err == nil || errors.Is(err, ErrRefused) {
		t.Errorf("no policy, score 1: %v (want the default's refusal, not the administrator's)", err)
	}
	p3, _ := Parse([]byte("min_passphrase_score = 3\nlock_after_max = 300"))
	p3.File = "/p"
	if err := p3.CheckPassphraseScore(2); err == nil || !strings.Contains(err.Error(), "min_passphrase_score = 3") {
		t.Errorf("score 2 under 3: %v", err)
	}
	if err := p3.CheckCap("lock_after_max", "lock_after", 301); err == nil || !strings.Contains(err.Error(), "(/p, lock_after_max = 300)") {
		t.Errorf("cap: %v", err)
	}
	if err := p3.CheckCap("lock_after_max", "lock_after", 300); err != nil {
		t.Errorf("at the cap: %v", err)
	}
}

// rootedDir makes a directory standing for the file system's root, inside
// this package's directory (the temp dir is under the world-writable /tmp,
// which no trusted chain may cross). It skips unless the tests run as root
// in a root-owned checkout (CI and the development machine do).
func rootedDir(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: the trusted policy is root's file")
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := checkTrusted(filepath.Join(wd, "policy.go")); err != nil {
		t.Skipf("this checkout is not a root-owned chain: %v", err)
	}
	root, err := os.MkdirTemp(wd, ".policyroot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	if err := os.MkdirAll(filepath.Dir(filepath.Join(root, SystemPath())), 0o755); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestLoadTrust: the trusted file is used; each way of not trusting it, or
// not reading it, gives the strict policy and doctor's sentence.
func TestLoadTrust(t *testing.T) {
	const good = "shared = false\nkeyring = \"allow\"\nplaintext_export = \"allow\"\nmin_passphrase_score = 3\n"
	tests := []struct {
		name    string
		content string
		setup   func(t *testing.T, file string)
		wantWhy string // "" : trusted and used
	}{
		{"trusted", good, nil, ""},
		{"owned by another user", good, func(t *testing.T, f string) {
			if err := os.Chown(f, 65534, 0); err != nil {
				t.Fatal(err)
			}
		}, "is owned by uid 65534, not root"},
		{"group-writable file", good, func(t *testing.T, f string) {
			if err := os.Chmod(f, 0o664); err != nil {
				t.Fatal(err)
			}
		}, "policy.toml is writable by its group or others (mode 0664)"},
		{"group-writable directory above", good, func(t *testing.T, f string) {
			if err := os.Chmod(filepath.Dir(filepath.Dir(f)), 0o775); err != nil {
				t.Fatal(err)
			}
		}, "etc is writable by its group or others (mode 0775)"},
		{"directory above owned by another user", good, func(t *testing.T, f string) {
			if err := os.Chown(filepath.Dir(f), 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}, "wardkey is owned by uid 65534, not root"},
		{"link to a file in a world-writable directory", good, func(t *testing.T, f string) {
			other := filepath.Join(t.TempDir(), "p.toml")
			if err := os.WriteFile(other, []byte(good), 0o644); err != nil {
				t.Fatal(err)
			}
			os.Remove(f)
			if err := os.Symlink(other, f); err != nil {
				t.Fatal(err)
			}
		}, "is writable by its group or others"},
		{"unknown key", "shared = false\nkeyrings = \"allow\"\n", nil, `has unknown keys: "keyrings"`},
		{"wrong type", "shared = \"no\"\n", nil, "has a value of the wrong type"},
		{"garbage", "\xff\xfe garbage [[[", nil, "is not valid TOML"},
		{"a directory", "", func(t *testing.T, f string) {
			os.Remove(f)
			if err := os.Mkdir(f, 0o755); err != nil {
				t.Fatal(err)
			}
		}, "is not a regular file"},
		{"unreadable", good, func(t *testing.T, f string) {
			os.Remove(f)
			if err := os.Symlink(filepath.Join(filepath.Dir(f), "missing"), f); err != nil {
				t.Fatal(err)
			}
		}, "is not trusted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := rootedDir(t)
			file := filepath.Join(root, SystemPath())
			if err := os.WriteFile(file, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			if tt.setup != nil {
				tt.setup(t, file)
			}
			envFile := filepath.Join(t.TempDir(), "env.toml")
			os.WriteFile(envFile, []byte("keyring = \"allow\"\n"), 0o600)
			p := Finder{Root: root, Getenv: func(string) string { return envFile }}.Load()
			if p.File != file || p.FromEnv {
				t.Fatalf("File = %q (env %v), want the system file %q: WARDKEY_POLICY must not replace it", p.File, p.FromEnv, file)
			}
			if tt.wantWhy == "" {
				if p.Problem != nil || p.Shared || p.MinPassphraseScore != 3 {
					t.Fatalf("trusted file not used: %+v", p)
				}
				return
			}
			if p.Problem == nil || !strings.Contains(p.Problem.Error(), tt.wantWhy) {
				t.Fatalf("Problem = %v, want %q", p.Problem, tt.wantWhy)
			}
			if !p.Shared || p.Keyring != Forbid || p.PlaintextExport != Forbid || p.MinPassphraseScore != 2 || p.LockAfterMax != 3600 {
				t.Fatalf("not the strict policy: %+v", p)
			}
			line := p.Describe()
			t.Logf("doctor: %s", line)
			if !strings.HasPrefix(line, file+" ") || !strings.Contains(line, tt.wantWhy) || !strings.Contains(line, "the strict policy applies") {
				t.Fatalf("doctor's sentence: %q", line)
			}
		})
	}
}

func TestLoadEnv(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "p.toml")
	os.WriteFile(f, []byte("plaintext_export = \"forbid\"\n"), 0o666)
	p := Finder{Root: dir, Getenv: func(string) string { return f }}.Load()
	if p.File != f || !p.FromEnv || p.Problem != nil || p.PlaintextExport != Forbid {
		t.Fatalf("WARDKEY_POLICY where no system file exists: %+v", p)
	}
	p = Finder{Root: dir, Getenv: func(string) string { return "" }}.Load()
	if p.File != "" || p.Problem != nil || p.Shared {
		t.Fatalf("no policy: %+v", p)
	}
	p = Finder{Root: dir, Getenv: func(string) string { return filepath.Join(dir, "missing.toml") }}.Load()
	if p.Problem == nil || !p.Shared {
		t.Fatalf("a named file that is missing is not dropped: %+v", p)
	}
}

// TestEveryKeyHasAKind: the wrong type's sentence names what each key
// takes.
func TestEveryKeyHasAKind(t *testing.T) {
	for _, k := range Keys {
		if keyKinds[k] == "" {
			t.Errorf("keyKinds has no entry for %q", k)
		}
		if _, err := Parse([]byte(k + " = {}")); err == nil || !strings.Contains(err.Error(), k+" must be "+keyKinds[k]) {
			t.Errorf("%s = {}: %v", k, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("shared = true\nkeyring = \"forbid\"\nsync_remotes = [\"https://dav.example/w\"]\n"))
	f.Add([]byte("lock_after_max = 300\nmax_clock_offset = 10\nntp_server = \"ntp\"\n"))
	f.Add([]byte("[x]\ny = 1"))
	f.Add([]byte("a = \"\\u0000\""))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse(b)
		if err != nil {
			return
		}
		if p.MinPassphraseScore < 0 || p.MinPassphraseScore > 4 || p.LockAfterMax < 10 || p.LockAfterMax > 3600 ||
			(p.Keyring != Allow && p.Keyring != Forbid) || (p.PlaintextExport != Allow && p.PlaintextExport != Forbid) {
			t.Fatalf("accepted out of range: %+v", p)
		}
		for _, k := range Keys {
			_ = p.valueText(k)
		}
	})
}

// TestExample: docs/policy.toml.example names every key, and with every
// key uncommented it is a valid policy.
func TestExample(t *testing.T) {
	b, err := os.ReadFile("../../docs/policy.toml.example")
	if err != nil {
		t.Fatal(err)
	}
	var doc strings.Builder
	seen := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		// "# key = value" lines are settings; other comments are prose.
		rest, ok := strings.CutPrefix(line, "# ")
		if key, _, isKey := strings.Cut(rest, " = "); ok && isKey && !strings.Contains(key, " ") {
			seen[key] = true
			doc.WriteString(rest + "\n")
		}
	}
	for _, k := range Keys {
		if !seen[k] {
			t.Errorf("the example does not show %s", k)
		}
	}
	if len(seen) != len(Keys) {
		t.Errorf("the example shows %d keys, the policy has %d", len(seen), len(Keys))
	}
	if _, err := Parse([]byte(doc.String())); err != nil {
		t.Errorf("the example, uncommented: %v\n%s", err, doc.String())
	}
}
