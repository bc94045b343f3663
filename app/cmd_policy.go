package app

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/wardkey/wardkey/app/policy"
	"github.com/wardkey/wardkey/app/wording"
	"github.com/wardkey/wardkey/sync/clock"
)

// policy is the administrator's policy in force, read once per process.
func (e *env) policy() policy.Policy {
	if e.pol == nil {
		f := policy.Finder{}
		if e.hooks.Policy != nil {
			f = *e.hooks.Policy
		}
		p := f.Load()
		e.pol = &p
	}
	return *e.pol
}

// refused notes a policy refusal (in the audit log, once it is wired) and
// returns it as the command's error.
func (e *env) refused(err error) error {
	e.auditRefusal(err)
	return err
}

// checkKeyringAllowed refuses a keyring slot the policy forbids.
func (e *env) checkKeyringAllowed() error {
	if err := e.policy().CheckKeyring(); err != nil {
		return e.refused(withHint(err, "leave out --keyring: the vault opens with a passphrase"))
	}
	return nil
}

// checkRemoteAllowed refuses a sync remote outside the policy's
// sync_remotes. A folder is made absolute first.
func (e *env) checkRemoteAllowed(spec string) error {
	if !strings.Contains(spec, "://") {
		if abs, err := filepath.Abs(spec); err == nil {
			spec = abs
		}
	}
	if err := e.policy().CheckRemote(spec); err != nil {
		return e.refused(withHint(err, "sync with a remote the administrator allows ('wardkey policy' lists them)"))
	}
	return nil
}

// ntpServer is the default NTP server: the policy's, else the one last
// applied here, else the built-in one.
func (e *env) ntpServer(lastApplied string) string {
	return firstNonEmpty(e.policy().NTPServer, firstNonEmpty(lastApplied, ntpServer()))
}

// cmdPolicy prints the policy in force: every key with its value,
// defaults included, and the file it comes from.
func cmdPolicy(e *env, args []string) error {
	fs := e.flags("policy")
	asJSON := fs.Bool("json", false, "print the policy as one JSON object")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("policy takes no arguments")
	}
	p := e.policy()
	if *asJSON {
		var b strings.Builder
		b.WriteString("{")
		field := func(k string, v any) {
			j, _ := json.Marshal(v)
			if b.Len() > 1 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "%q:%s", k, j)
		}
		var file, problem any
		if p.File != "" {
			file = p.File
		}
		if p.Problem != nil {
			problem = p.Problem.Error()
		}
		field("file", file)
		for _, k := range policy.Keys {
			field(k, policyValue(p, k))
		}
		field("problem", problem)
		b.WriteString("}")
		fmt.Fprintln(e.out, b.String())
	} else {
		if p.File == "" {
			fmt.Fprintln(e.out, "# no policy file: the defaults apply")
		} else {
			fmt.Fprintf(e.out, "# from %s\n", p.File)
		}
		for _, k := range policy.Keys {
			fmt.Fprintf(e.out, "%s = %s\n", k, tomlValue(policyValue(p, k)))
		}
	}
	if p.Problem != nil {
		fmt.Fprintf(e.err, "wardkey: warning: %s\n", p.Describe())
	}
	return nil
}

// policyValue is a key's value in force; ntp_server left out is the
// built-in server.
func policyValue(p policy.Policy, key string) any {
	if v := p.Value(key); v != nil || key != "ntp_server" {
		return v
	}
	return clock.DefaultServer
}

// tomlValue writes a policy value as TOML; a key with no value is a
// comment saying what applies.
func tomlValue(v any) string {
	if v == nil {
		return "# not set: no limit"
	}
	return policy.TOML(v)
}

// checkPolicy is doctor's policy line: it fails when a policy file exists
// but could not be used as written.
func checkPolicy(e *env, d *doctorState) checkResult {
	p := e.policy()
	if p.Problem != nil {
		return checkResult{"policy", checkFail, p.Describe()}
	}
	return checkResult{"policy", checkOK, p.Describe()}
}

// noVaultCommand reports whether a command runs on a shared machine
// without a named profile.
func noVaultCommand(name string) bool {
	switch name {
	case "policy", "doctor", "version", "completion", "help":
		return true
	}
	return false
}

// needProfile refuses, on a shared machine, a command that needs a vault
// when no profile was named: there is no default person.
func (e *env) needProfile(command string) error {
	if e.profileSet || e.demo || noVaultCommand(command) || !e.policy().Shared {
		return nil
	}
	p := e.policy()
	key := "shared = true"
	if p.Problem != nil {
		key = "strict policy"
	}
	return e.refused(withHint(fmt.Errorf("the administrator's policy (%s, %s) gives this shared machine no default profile: wardkey %s needs yours", p.File, key, command),
		"name it: 'wardkey --profile NAME "+command+"', or set WARDKEY_PROFILE"))
}

// checkPlaintext refuses what writes secrets unencrypted (google-migration,
// otpauth, qr) under plaintext_export = "forbid".
func (e *env) checkPlaintext(what string) error {
	if err := e.policy().CheckPlaintextExport(what); err != nil {
		return e.refused(withHint(err, "make an encrypted backup instead: '"+e.cmdline("export --out FILE")+"'"))
	}
	return nil
}

// cmdline is a command line naming this profile when it is not the
// default one, for messages and hints: "wardkey --profile ward-3 passwd".
func (e *env) cmdline(args string) string { return wording.Command(e.profile, args) }
