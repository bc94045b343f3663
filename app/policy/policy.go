// Package policy reads the practice administrator's policy for wardkey: one
// TOML file that the people at the machine cannot change, and that the
// command line and the terminal UI obey.
//
// # Where it is
//
// The system file is /etc/wardkey/policy.toml (%ProgramData%\wardkey\policy.toml
// on Windows, /Library/Application Support/wardkey/policy.toml on macOS).
// WARDKEY_POLICY names another file only where the system file does not
// exist, so a user cannot escape a machine's policy by setting it.
//
// # Trust
//
// The system file is trusted when it and every directory above it are
// owned by root (Administrators on Windows) and writable by no group or
// other user. A file named by WARDKEY_POLICY is the user's own choice (to
// try a policy before installing it, or in tests): it is parsed as strictly,
// but its owner is not checked, since the user could as well unset the
// variable.
//
// # Fail closed
//
// A policy file that exists but is not trusted, does not parse, or holds
// unknown keys or values of the wrong type is never ignored: the strict
// policy ([Strict]) applies, and [Policy.Problem] says why, for doctor.
package policy

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	toml "github.com/pelletier/go-toml/v2"
)

// Allow and Forbid are the values of the keyring and plaintext_export keys.
const (
	Allow  = "allow"
	Forbid = "forbid"
)

// Defaults of the keys a policy may leave out.
const (
	DefaultLockAfterMax       = 3600 // the largest lock_after setting
	DefaultReauthAfterMax     = 3600 // the largest reauth_after setting
	DefaultClipboardClearMax  = 120  // the largest clipboard_clear setting
	DefaultMinPassphraseScore = 2    // for vault passphrases; backups always need 3
	BackupPassphraseScore     = 3    // what every backup passphrase needs, whatever the policy
)

// Policy is the policy in force. Its zero value is not meaningful: start
// from [Default] or [Strict].
type Policy struct {
	// File is the file the policy came from, "" when there is none.
	File string
	// FromEnv is set when File was named by WARDKEY_POLICY.
	FromEnv bool
	// Problem is why the file was not used as written (not trusted, not
	// TOML, unknown keys, wrong types): the strict policy applies instead.
	Problem error

	Shared             bool     // the machine is shared: no keyring slots, no default profile
	Keyring            string   // Allow or Forbid
	LockAfterMax       int      // seconds
	ReauthAfterMax     int      // seconds
	PlaintextExport    string   // Allow or Forbid: google-migration, otpauth, qr
	MinPassphraseScore int      // 0–4, zxcvbn's scale, for vault passphrases
	ClipboardClearMax  int      // seconds
	NTPServer          string   // "" : the built-in default
	MaxClockOffset     int      // seconds; 0: not set (doctor only warns)
	SyncRemotes        []string // nil: any remote; otherwise only these (and below)

	set map[string]bool // keys the file set
}

// Default is the policy of a machine with no policy file.
func Default() Policy {
	return Policy{
		Keyring:            Allow,
		LockAfterMax:       DefaultLockAfterMax,
		ReauthAfterMax:     DefaultReauthAfterMax,
		PlaintextExport:    Allow,
		MinPassphraseScore: DefaultMinPassphraseScore,
		ClipboardClearMax:  DefaultClipboardClearMax,
	}
}

// Strict is the policy that applies when the file at file cannot be
// trusted or read: a shared machine, no keyring, no plaintext export, every
// cap at its default. why is kept as the policy's Problem.
func Strict(file string, why error) Policy {
	p := Default()
	p.File = file
	p.Problem = why
	p.Shared = true
	p.Keyring = Forbid
	p.PlaintextExport = Forbid
	return p
}

// Set reports whether the policy file set key (a TOML key name).
func (p Policy) Set(key string) bool { return p.set[key] }

// KeyringAllowed reports whether a keyring slot may be made or used.
func (p Policy) KeyringAllowed() bool { return p.Keyring == Allow && !p.Shared }

// Refusal is what the policy forbids: it names the file and the key, and
// prints as DESIGN's sentence.
type Refusal struct {
	File  string // the policy file
	Key   string // e.g. keyring
	Value string // the value in force, as TOML writes it: "forbid", true, 3
	What  string // what is not allowed: "a keyring vault"
}

func (r *Refusal) Error() string {
	return fmt.Sprintf("the administrator's policy (%s, %s = %s) does not allow %s", r.File, r.Key, r.Value, r.What)
}

// ErrRefused matches every [Refusal] with errors.Is.
var ErrRefused = errors.New("refused by the administrator's policy")

// Is makes errors.Is(err, ErrRefused) true for a Refusal.
func (r *Refusal) Is(target error) bool { return target == ErrRefused }

// refuse builds a refusal on key.
func (p Policy) refuse(key, what string) *Refusal {
	return &Refusal{File: p.File, Key: key, Value: p.valueText(key), What: what}
}

// CheckKeyring refuses a keyring slot (init --keyring, restore --keyring,
// sync join --keyring) under keyring = "forbid" or shared = true.
func (p Policy) CheckKeyring() error {
	switch {
	case p.Keyring == Forbid:
		return p.refuse("keyring", "a keyring vault")
	case p.Shared:
		return p.refuse("shared", "a keyring vault on a shared machine")
	}
	return nil
}

// CheckPlaintextExport refuses an unencrypted export (what names it: "an
// otpauth export", "a QR code of an account") under plaintext_export = "forbid".
func (p Policy) CheckPlaintextExport(what string) error {
	if p.PlaintextExport == Forbid {
		return p.refuse("plaintext_export", what)
	}
	return nil
}

// CheckPassphraseScore refuses a vault passphrase whose score (0–4) is
// below min_passphrase_score.
func (p Policy) CheckPassphraseScore(score int) error {
	if score >= p.MinPassphraseScore {
		return nil
	}
	if p.File == "" || !p.Set("min_passphrase_score") && p.Problem == nil {
		return fmt.Errorf("the passphrase is too easy to guess (score %d of 4; a vault passphrase needs at least %d)", score, p.MinPassphraseScore)
	}
	return p.refuse("min_passphrase_score", fmt.Sprintf("a passphrase this easy to guess (score %d of 4)", score))
}

// CheckCap refuses a setting above its cap; key is the policy key
// (lock_after_max), setting the setting's name.
func (p Policy) CheckCap(key, setting string, value int) error {
	limit := p.capOf(key)
	if value <= limit {
		return nil
	}
	if p.File == "" || !p.Set(key) && p.Problem == nil {
		return fmt.Errorf("%s = %d is above the largest allowed, %d", setting, value, limit)
	}
	return p.refuse(key, fmt.Sprintf("%s above %d (asked: %d)", setting, limit, value))
}

func (p Policy) capOf(key string) int {
	switch key {
	case "lock_after_max":
		return p.LockAfterMax
	case "reauth_after_max":
		return p.ReauthAfterMax
	case "clipboard_clear_max":
		return p.ClipboardClearMax
	}
	panic("policy: no cap " + key)
}

// CheckRemote refuses a sync remote outside sync_remotes (when set).
// Remotes are matched by parsed scheme, host and port and by whole path
// segments: https://dav.example/wardkey allows https://dav.example/wardkey/x
// but not https://dav.example/wardkeyevil, http://dav.example/wardkey or
// another port. Folder remotes match folders by whole path segments.
func (p Policy) CheckRemote(remote string) error {
	if p.SyncRemotes == nil {
		return nil
	}
	for _, allowed := range p.SyncRemotes {
		if RemoteAllowed(allowed, remote) {
			return nil
		}
	}
	return p.refuse("sync_remotes", "this sync remote")
}

// RemoteAllowed reports whether remote lies at or below allowed.
func RemoteAllowed(allowed, remote string) bool {
	au, aURL := parseRemote(allowed)
	ru, rURL := parseRemote(remote)
	if aURL != rURL || au == nil || ru == nil {
		return false
	}
	if aURL {
		if !strings.EqualFold(au.Scheme, ru.Scheme) || !strings.EqualFold(au.Hostname(), ru.Hostname()) ||
			port(au) != port(ru) {
			return false
		}
	}
	return underPath(au.Path, ru.Path)
}

// parseRemote parses a URL remote (scheme://host/path) or a folder. It
// gives nil for what cannot be compared safely: an unparsable URL, a
// path holding an encoded slash or backslash, a relative folder.
func parseRemote(s string) (*url.URL, bool) {
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" || u.Opaque != "" {
			return nil, true
		}
		low := strings.ToLower(u.EscapedPath())
		if strings.Contains(low, "%2f") || strings.Contains(low, "%5c") || strings.Contains(u.Path, `\`) {
			return nil, true
		}
		return u, true
	}
	if !filepath.IsAbs(s) {
		return nil, false
	}
	return &url.URL{Path: filepath.ToSlash(s)}, false
}

// port is a URL's port, the scheme's default when none is written.
func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}

// underPath reports whether p lies at or below base, by whole segments.
func underPath(base, p string) bool {
	base = path.Clean("/" + base)
	p = path.Clean("/" + p)
	if base == "/" {
		return true
	}
	return p == base || strings.HasPrefix(p, base+"/")
}

// Finder finds and reads the policy. The zero value looks where the
// product looks.
type Finder struct {
	// Root is prefixed to the system path (tests: a directory standing for
	// the file system's root; the trust check still walks up to the real
	// root). "" is the real root.
	Root string
	// Getenv reads WARDKEY_POLICY; nil is os.Getenv.
	Getenv func(string) string
}

// SystemPath is where this OS keeps the policy file.
func SystemPath() string {
	switch runtime.GOOS {
	case "windows":
		pd := os.Getenv("ProgramData")
		if pd == "" {
			pd = `C:\ProgramData`
		}
		return filepath.Join(pd, "wardkey", "policy.toml")
	case "darwin":
		return "/Library/Application Support/wardkey/policy.toml"
	}
	return "/etc/wardkey/policy.toml"
}

// Load finds the policy in force: the system file, else the file named by
// WARDKEY_POLICY, else none ([Default]).
func (f Finder) Load() Policy {
	sys := SystemPath()
	if f.Root != "" {
		sys = filepath.Join(f.Root, sys)
	}
	switch _, err := os.Lstat(sys); {
	case err == nil:
		if err := checkTrusted(sys); err != nil {
			return Strict(sys, err)
		}
		return readFile(sys, false)
	case !errors.Is(err, fs.ErrNotExist):
		return Strict(sys, fmt.Errorf("cannot be read: %w", err))
	}
	getenv := f.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if env := getenv("WARDKEY_POLICY"); env != "" {
		return readFile(env, true)
	}
	return Default()
}

// Load is Finder{}.Load: the product's policy.
func Load() Policy { return Finder{}.Load() }

// maxFileSize bounds the policy file: a policy is a few lines.
const maxFileSize = 64 << 10

func readFile(name string, fromEnv bool) Policy {
	b, err := os.ReadFile(name)
	if err == nil && len(b) > maxFileSize {
		err = fmt.Errorf("is larger than %d bytes", maxFileSize)
	}
	var p Policy
	if err != nil {
		p = Strict(name, fmt.Errorf("cannot be read: %w", err))
	} else if p, err = Parse(b); err != nil {
		p = Strict(name, err)
	}
	p.File, p.FromEnv = name, fromEnv
	return p
}

// file is the TOML document; pointers tell a key left out from a zero.
type file struct {
	Shared             *bool     `toml:"shared"`
	Keyring            *string   `toml:"keyring"`
	LockAfterMax       *int64    `toml:"lock_after_max"`
	ReauthAfterMax     *int64    `toml:"reauth_after_max"`
	PlaintextExport    *string   `toml:"plaintext_export"`
	MinPassphraseScore *int64    `toml:"min_passphrase_score"`
	ClipboardClearMax  *int64    `toml:"clipboard_clear_max"`
	NTPServer          *string   `toml:"ntp_server"`
	MaxClockOffset     *int64    `toml:"max_clock_offset"`
	SyncRemotes        *[]string `toml:"sync_remotes"`
}

// keyKinds says what each key's value must be, for the wrong type's
// sentence.
var keyKinds = map[string]string{
	"shared": "true or false", "keyring": `"allow" or "forbid"`, "plaintext_export": `"allow" or "forbid"`,
	"lock_after_max": "a whole number of seconds", "reauth_after_max": "a whole number of seconds",
	"clipboard_clear_max": "a whole number of seconds", "max_clock_offset": "a whole number of seconds",
	"min_passphrase_score": "a whole number from 0 to 4", "ntp_server": `a quoted "HOST" or "HOST:PORT"`,
	"sync_remotes": `a list of quoted folders or URLs, ["…"]`,
}

// Keys are the policy's keys, in the order `wardkey policy` prints them.
var Keys = []string{
	"shared", "keyring", "lock_after_max", "reauth_after_max", "plaintext_export",
	"min_passphrase_score", "clipboard_clear_max", "ntp_server", "max_clock_offset", "sync_remotes",
}

// Parse reads a policy document strictly: TOML, only the known keys, each
// of its type and within its range. The result's File is not set.
func Parse(b []byte) (Policy, error) {
	// Syntax first, then the keys, then each value's type: each its own
	// sentence.
	var raw map[string]any
	if err := toml.Unmarshal(b, &raw); err != nil {
		line := 0
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, _ = de.Position()
		}
		return Policy{}, fmt.Errorf("is not valid TOML (line %d): %s", line, strings.TrimPrefix(firstLine(err.Error()), "toml: "))
	}
	var unknown []string
	for k := range raw {
		if !slices.Contains(Keys, k) {
			unknown = append(unknown, strconv.Quote(k))
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return Policy{}, fmt.Errorf("has unknown keys: %s (known: %s)", strings.Join(unknown, ", "), strings.Join(Keys, ", "))
	}
	var f file
	if err := toml.Unmarshal(b, &f); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) && len(de.Key()) > 0 {
			k := de.Key()[0]
			return Policy{}, fmt.Errorf("has a value of the wrong type: %s must be %s", k, keyKinds[k])
		}
		return Policy{}, fmt.Errorf("has a value of the wrong type: %s", strings.TrimPrefix(firstLine(err.Error()), "toml: "))
	}
	p := Default()
	p.set = map[string]bool{}
	for k := range raw {
		p.set[k] = true
	}
	if f.Shared != nil {
		p.Shared = *f.Shared
	}
	choice := func(key string, v *string, dst *string) error {
		if v == nil {
			return nil
		}
		if *v != Allow && *v != Forbid {
			return fmt.Errorf("%s = %q: use \"allow\" or \"forbid\"", key, *v)
		}
		*dst = *v
		return nil
	}
	seconds := func(key string, v *int64, lo, hi int64, dst *int) error {
		if v == nil {
			return nil
		}
		if *v < lo || *v > hi {
			return fmt.Errorf("%s = %d: use %d to %d", key, *v, lo, hi)
		}
		*dst = int(*v)
		return nil
	}
	for _, err := range []error{
		choice("keyring", f.Keyring, &p.Keyring),
		choice("plaintext_export", f.PlaintextExport, &p.PlaintextExport),
		seconds("lock_after_max", f.LockAfterMax, 10, DefaultLockAfterMax, &p.LockAfterMax),
		seconds("reauth_after_max", f.ReauthAfterMax, 0, DefaultReauthAfterMax, &p.ReauthAfterMax),
		seconds("clipboard_clear_max", f.ClipboardClearMax, 5, DefaultClipboardClearMax, &p.ClipboardClearMax),
		seconds("min_passphrase_score", f.MinPassphraseScore, 0, 4, &p.MinPassphraseScore),
		seconds("max_clock_offset", f.MaxClockOffset, 1, 24*3600, &p.MaxClockOffset),
	} {
		if err != nil {
			return Policy{}, fmt.Errorf("has a value out of range: %w", err)
		}
	}
	if f.NTPServer != nil {
		s := *f.NTPServer
		if s == "" || strings.ContainsAny(s, " /\t\r\n") || len(s) > 255 {
			return Policy{}, fmt.Errorf("has a value out of range: ntp_server = %q: use HOST or HOST:PORT", s)
		}
		p.NTPServer = s
	}
	if f.SyncRemotes != nil {
		p.SyncRemotes = []string{}
		for _, r := range *f.SyncRemotes {
			if u, _ := parseRemote(r); u == nil {
				return Policy{}, fmt.Errorf("has a value out of range: sync_remotes: %q is neither an absolute folder nor a URL with a host", r)
			}
			p.SyncRemotes = append(p.SyncRemotes, r)
		}
	}
	return p, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}

// valueText is a key's value in force as TOML would write it.
func (p Policy) valueText(key string) string {
	if v := p.Value(key); v != nil {
		return TOML(v)
	}
	return "(not set)"
}

// TOML writes a value of Value (bool, int, string, []string) as TOML
// does; nil, a key not set, is "".
func TOML(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return strconv.Quote(v)
	case []string:
		q := make([]string, len(v))
		for i, s := range v {
			q[i] = strconv.Quote(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// Value is a key's value in force (defaults included): bool, int, string,
// []string, or nil for a key with no value (ntp_server, max_clock_offset and
// sync_remotes left out: the built-in server, no limit, any remote).
func (p Policy) Value(key string) any {
	switch key {
	case "shared":
		return p.Shared
	case "keyring":
		return p.Keyring
	case "lock_after_max":
		return p.LockAfterMax
	case "reauth_after_max":
		return p.ReauthAfterMax
	case "plaintext_export":
		return p.PlaintextExport
	case "min_passphrase_score":
		return p.MinPassphraseScore
	case "clipboard_clear_max":
		return p.ClipboardClearMax
	case "ntp_server":
		if p.NTPServer == "" {
			return nil
		}
		return p.NTPServer
	case "max_clock_offset":
		if p.MaxClockOffset == 0 {
			return nil
		}
		return p.MaxClockOffset
	case "sync_remotes":
		if p.SyncRemotes == nil {
			return nil
		}
		return slices.Clone(p.SyncRemotes)
	}
	return nil
}

// Describe is doctor's sentence about the policy: where it comes from, or
// why the strict policy applies.
func (p Policy) Describe() string {
	switch {
	case p.File == "":
		return "no policy file (" + SystemPath() + "): the defaults apply ('wardkey policy' lists them)"
	case p.Problem != nil:
		return fmt.Sprintf("%s %v, so the strict policy applies (shared machine, no keyring, no plaintext export): the administrator must fix the file", p.File, p.Problem)
	case p.FromEnv:
		return "from " + p.File + " (named by WARDKEY_POLICY; no system policy file)"
	}
	return "from " + p.File + " (trusted: root's, writable by root only)"
}
