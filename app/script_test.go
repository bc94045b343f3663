package app

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/wardkey/wardkey/app/policy"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/keyring"
)

// testKDF makes CLI tests fast. It exists only in the test binary.
var testKDF = vault.KDFParams{Alg: "argon2id", Memory: 64, Time: 1, Threads: 1}

// testHooks builds the hooks of the test binary's `wardkey` command from
// the environment: WARDKEY_TEST_NOW=unix-seconds fixes the clock.
func testHooks() Hooks {
	// The system policy file is never read in tests: WARDKEY_POLICY names
	// a script's own.
	h := Hooks{KDF: &testKDF, NoSleep: true, Policy: &policy.Finder{Root: "/nonexistent-wardkey-test-root"}}
	if s := os.Getenv("WARDKEY_TEST_NOW"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			panic("WARDKEY_TEST_NOW: " + err.Error())
		}
		t := time.Unix(n, 0)
		h.Now = func() time.Time { return t }
	}
	return h
}

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"wardkey": func() { os.Exit(run(os.Args[1:], defaultIO(), testHooks())) },
		// keyring-get reads one item from the OS keyring and exits: the
		// floor of any process that opens a vault through the keyring.
		"keyring-get": func() {
			if _, err := (keyring.System{}).Get(vault.KeyringService, os.Args[1]); err != nil {
				os.Exit(1)
			}
			os.Exit(0)
		},
	})
}

// realBus is the D-Bus session of `make test` (a private gnome-keyring), or
// "" where there is none.
func realBus(t testing.TB) string {
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" {
		return ""
	}
	if err := vault.Probe(keyring.System{Timeout: 3 * time.Second}); err != nil {
		t.Logf("the D-Bus session has no usable Secret Service: %v", err)
		return ""
	}
	return addr
}

// TestScripts runs app/testdata/script/*.txt: the CLI contract, end to end.
//
// Scripts run with no keyring (DBUS_SESSION_BUS_ADDRESS points at a dead
// socket) unless they opt in with `env DBUS_SESSION_BUS_ADDRESS=$REAL_DBUS`
// under the [keyring] condition. WARDKEY_HOME is $WORK/home.
func TestScripts(t *testing.T) {
	bus := realBus(t)
	if bus == "" {
		if os.Getenv("WARDKEY_REQUIRE_KEYRING") == "1" {
			t.Fatal("WARDKEY_REQUIRE_KEYRING=1 but no Secret Service answers: run under 'make test' (dbus-run-session + gnome-keyring)")
		}
		t.Log("SKIPPING the [keyring] scripts: no Secret Service (run 'make test', which starts gnome-keyring)")
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: false,
		Setup: func(e *testscript.Env) error {
			e.Setenv("WARDKEY_HOME", e.WorkDir+"/home")
			e.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
			e.Setenv("REAL_DBUS", bus)
			e.Setenv("HOME", e.WorkDir)
			// No script asks a public NTP server: the default server is a
			// closed loopback port (offline) unless a script names its own.
			e.Setenv("WARDKEY_NTP_SERVER", "127.0.0.1:9")
			// BAD matches any character that drives a terminal (package
			// app/display): C0 but tab and newline, DEL, C1, bidi
			// controls, U+2028/9. `! stdout $BAD` checks a command's output.
			e.Setenv("BAD", `[\x00-\x08\x0b-\x1f\x7f-\x{9f}\x{61c}\x{200e}\x{200f}\x{2028}-\x{202e}\x{2066}-\x{2069}]`)
			for _, k := range []string{"WARDKEY_REQUIRE_TOOLS", "PATH"} {
				e.Setenv(k, os.Getenv(k))
			}
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch {
			case cond == "keyring":
				return bus != "", nil
			case strings.HasPrefix(cond, "tool:"):
				_, err := exec.LookPath(strings.TrimPrefix(cond, "tool:"))
				if err != nil && os.Getenv("WARDKEY_REQUIRE_TOOLS") == "1" {
					return false, err
				}
				return err == nil, nil
			}
			return false, nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"mode":     cmdMode,
			"exitcode": cmdExitCode,
		},
	})
}

// cmdMode asserts a file's permission bits: mode 600 FILE.
func cmdMode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: mode PERM FILE")
	}
	want, err := strconv.ParseUint(args[0], 8, 32)
	ts.Check(err)
	st, err := os.Stat(ts.MkAbs(args[1]))
	ts.Check(err)
	got := uint64(st.Mode().Perm())
	if (got == want) == neg {
		ts.Fatalf("%s has mode %o, want %s%o", args[1], got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}
