//go:build !wardkey_lean

package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/wardkey/wardkey/app/wording"
	"github.com/wardkey/wardkey/sync/replica"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

// cmdSync syncs the vault with its remote (a folder or a WebDAV URL), or
// with "join", sets up this workstation from a remote.
func cmdSync(e *env, args []string) error {
	if len(args) > 0 && args[0] == "join" {
		return cmdSyncJoin(e, args[1:])
	}
	fs := e.flags("sync")
	remote := fs.String("remote", "", "the remote: a folder or a WebDAV URL (remembered)")
	user := fs.String("remote-user", "", "the WebDAV user (default: from the URL, or the one remembered)")
	pwFile := fs.String("remote-password-file", "", "read the WebDAV password from this file (WARDKEY_REMOTE_PASSWORD_FILE)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("sync takes no arguments besides 'join REMOTE' (give a remote with --remote)")
	}
	if e.demo {
		return withHint(replica.ErrNoDir, "create a vault with '"+e.cmdline("init")+"', or join one with '"+e.cmdline("sync join REMOTE")+"'")
	}
	local, err := vault.LoadLocal(e.dir())
	if err != nil {
		return fmt.Errorf("read this machine's settings: %w", err)
	}
	spec := firstNonEmpty(*remote, local.SyncRemote)
	if spec == "" {
		return withHint(errors.New("this profile has no sync remote yet"),
			"give one: '"+e.cmdline("sync --remote DIR")+"' (a shared or Syncthing/Nextcloud folder) or '--remote https://…' (WebDAV)")
	}
	if err := e.checkRemoteAllowed(spec); err != nil {
		return err
	}
	v, typed, err := e.openKeepingPassphrase("")
	if err != nil {
		return err
	}
	defer v.Close()
	defer clear(typed)
	rc, err := e.remoteConfig(spec, *user, *pwFile, local, true)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opts := []replica.SyncOption{replica.WithPassphrase(e.newKeyPassphrase(typed))}
	if hasSlot(v, vault.SlotKeyring) {
		opts = append(opts, replica.WithKeyring(e.keyring()))
	}
	rep, err := replica.Sync(ctx, v, rc.remote, opts...)
	e.reportSkipped(rep)
	if err != nil {
		return withHint(err, syncHint(err, e.profile))
	}
	if err := e.rememberRemote(rc); err != nil {
		return err
	}
	e.audit(v, audit.Event{Event: audit.Sync, Detail: map[string]any{"pulled": rep.Pulled, "pushed": rep.Pushed, "replicas": rep.Replicas}})
	if rep.NewKey {
		fmt.Fprintf(e.err, "wardkey: this workstation took the vault's new key from %s; the vault of profile %q now opens with the passphrase just given\n", rc.remote, e.profile)
	}
	fmt.Fprintf(e.err, "wardkey: synced with %s: %s\n", rc.remote, rep)
	return nil
}

// newKeyPassphrase answers a sync that found a newer vault key in
// key.json (a passwd, recovery or rekey on another workstation): first the
// passphrase that opened this vault (the same one, after a rekey), or the
// --vault-passphrase-file; then, on a terminal, a prompt for the
// passphrase set on the other workstation.
func (e *env) newKeyPassphrase(typed []byte) func(context.Context) ([]byte, error) {
	tried := false
	return func(context.Context) ([]byte, error) {
		if !tried {
			tried = true
			if typed != nil {
				return bytes.Clone(typed), nil
			}
			if e.passFile != "" {
				return readPassphraseFile(e.passFile)
			}
		}
		if !e.interactive() {
			return nil, withHint(fmt.Errorf("%w, and the passphrase given does not open it", replica.ErrNewKey),
				"run 'wardkey --profile "+e.profile+" sync' on a terminal and type the vault passphrase set on the workstation that changed the key")
		}
		fmt.Fprintln(e.err, "wardkey: the vault was given a new key on another workstation (passwd, recovery or rekey)")
		return e.promptSecret("Vault passphrase (the one set there)")
	}
}

// cmdSyncJoin creates this profile's vault from a remote: the vault key
// is unwrapped from <vault-id>/key.json with the vault passphrase.
func cmdSyncJoin(e *env, args []string) error {
	fs := e.flags("sync join")
	vaultID := fs.String("vault-id", "", "the vault to join, when the remote holds several")
	user := fs.String("remote-user", "", "the WebDAV user (default: from the URL)")
	pwFile := fs.String("remote-password-file", "", "read the WebDAV password from this file (WARDKEY_REMOTE_PASSWORD_FILE)")
	noKeyring := fs.Bool("no-keyring", false, "passphrase only (the default; kept for scripts)")
	withKeyring := fs.Bool("keyring", false, "also a keyring slot (a computer that is yours alone)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("sync join takes one REMOTE (a folder or a WebDAV URL)")
	}
	if *noKeyring && *withKeyring {
		return usagef("--keyring and --no-keyring exclude each other")
	}
	if e.demo {
		return usagef("sync join makes this profile's vault: leave out --demo")
	}
	if *withKeyring {
		if err := e.checkKeyringAllowed(); err != nil {
			return err
		}
	}
	if err := e.checkRemoteAllowed(pos[0]); err != nil {
		return err
	}
	dir := e.dir()
	if vault.Exists(dir) {
		return withHint(fmt.Errorf("profile %q already has a vault (%s); nothing was changed", e.profile, filepath.Join(dir, vault.VaultFile)),
			"join into another profile (--profile NAME), or sync this vault with '"+e.cmdline("sync --remote REMOTE")+"'")
	}
	local, err := vault.LoadLocal(dir)
	if err != nil {
		return fmt.Errorf("read this machine's settings: %w", err)
	}
	rc, err := e.remoteConfig(pos[0], *user, *pwFile, local, false)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *vaultID == "" {
		// Ask for the passphrase only once the remote answers with a vault.
		ids, err := replica.Vaults(ctx, rc.remote)
		if err != nil {
			return withHint(fmt.Errorf("list the vaults on %s: %w", rc.remote, err), syncHint(err, e.profile))
		}
		switch len(ids) {
		case 0:
			return withHint(fmt.Errorf("%s: %w", rc.remote, replica.ErrNoVault),
				"run 'wardkey sync --remote REMOTE' on the first workstation (its vault needs a passphrase: 'wardkey passwd')")
		case 1:
			*vaultID = ids[0]
		default:
			return withHint(fmt.Errorf("%s holds %d vaults (%s)", rc.remote, len(ids), strings.Join(ids, ", ")),
				"name one with --vault-id ID ('wardkey doctor' on the other workstation shows its vault; the ID is the folder name)")
		}
	}
	pass, err := e.vaultPassphrase("Vault passphrase (the one set on the other workstation)", false)
	if err != nil {
		return fmt.Errorf("the vault passphrase to join with: %w", err)
	}
	j, err := replica.Join(ctx, rc.remote, *vaultID, pass)
	clear(pass)
	if err != nil {
		if errors.Is(err, vault.ErrWrongPassphrase) {
			return withHint(err, "give the vault passphrase last set on the other workstations ('wardkey passwd' there changes it once it syncs)")
		}
		return withHint(fmt.Errorf("join: %w", err), syncHint(err, e.profile))
	}
	defer clear(j.Key)

	o := vault.JoinOptions{Options: e.options(), Slot: j.Slot, State: j.State}
	// A keyring slot only when asked for (DESIGN.md: never by sync join
	// unless asked): anyone at this OS login would open the vault.
	_ = noKeyring
	if *withKeyring {
		if err := vault.Probe(e.keyring()); err != nil {
			return withHint(fmt.Errorf("--keyring was asked for, but %w", err), "start the OS keyring, or leave out --keyring")
		}
		o.Keyring = e.keyring()
	}
	v, err := vault.CreateJoined(dir, j.VaultID, j.Key, o)
	if err != nil {
		return fmt.Errorf("create the joined vault: %w", err)
	}
	defer v.Close()
	fmt.Fprintf(e.err, "wardkey: joined vault %s from %s: %d accounts from %d replicas (opens with: %v)\n",
		j.VaultID, rc.remote, len(v.Accounts()), j.Replicas, v.SlotKinds())
	for _, s := range j.Skipped {
		fmt.Fprintf(e.err, "wardkey: warning: skipped replica %s\n", show(s))
	}
	rep, err := replica.Sync(ctx, v, rc.remote)
	e.reportSkipped(rep)
	if err != nil {
		return withHint(fmt.Errorf("the vault is joined, but its first sync failed: %w", err), "run '"+e.cmdline("sync --remote REMOTE")+"' again later: it remembers nothing until a sync succeeds")
	}
	if err := e.rememberRemote(rc); err != nil {
		return err
	}
	e.auditUnlocked(v)
	e.audit(v, audit.Event{Event: audit.Sync, Detail: map[string]any{"join": true, "pulled": rep.Pulled, "pushed": rep.Pushed, "replicas": rep.Replicas}})
	fmt.Fprintf(e.err, "wardkey: this workstation's replica is on %s; '%s' syncs from now on\n", rc.remote, e.cmdline("sync"))
	fmt.Fprintf(e.err, "wardkey: hint: the joined vault has no recovery code of its own: make one with 'wardkey --profile %s recovery --recovery-out FILE'\n", e.profile)
	return nil
}

// remoteConf is an opened remote and what to remember about it.
type remoteConf struct {
	remote  replica.Remote
	user    string
	pwFile  string // absolute; "" if the password came from elsewhere
	profile string
	dir     string
}

// remoteConfig opens a remote. WebDAV's password comes from
// --remote-password-file, WARDKEY_REMOTE_PASSWORD_FILE, the file
// remembered for this remote, or a prompt (when a user is known and there
// is a terminal); a password in the URL works but is warned about.
func (e *env) remoteConfig(spec, user, pwFile string, local vault.Local, remembered bool) (remoteConf, error) {
	rc := remoteConf{profile: e.profile, dir: e.dir()}
	if !replica.IsURL(spec) {
		r, err := replica.Open(spec)
		if err != nil {
			return rc, withHint(err, "give an existing folder: a mounted share, or a folder that Syncthing or Nextcloud keeps in step")
		}
		rc.remote = r
		return rc, nil
	}
	u, err := url.Parse(spec)
	if err != nil {
		return rc, usagef("the remote is not a valid URL")
	}
	_, pwInURL := u.User.Password()
	if pwInURL {
		fmt.Fprintln(e.err, "wardkey: warning: a password in the URL is visible to other users of this machine: use --remote-password-file instead")
	}
	sameRemote := remembered && strings.TrimSuffix(redactUser(spec), "/") == strings.TrimSuffix(local.SyncRemote, "/")
	if user == "" && u.User != nil {
		user = u.User.Username()
	}
	if user == "" && sameRemote {
		user = local.SyncUser
	}
	var pass []byte
	switch {
	case pwFile != "":
		abs, err := filepath.Abs(pwFile)
		if err != nil {
			return rc, err
		}
		if pass, err = readPassphraseFile(abs); err != nil {
			return rc, fmt.Errorf("the WebDAV password: %w", err)
		}
		rc.pwFile = abs
	case os.Getenv("WARDKEY_REMOTE_PASSWORD_FILE") != "":
		if pass, err = readPassphraseFile(os.Getenv("WARDKEY_REMOTE_PASSWORD_FILE")); err != nil {
			return rc, fmt.Errorf("the WebDAV password (WARDKEY_REMOTE_PASSWORD_FILE): %w", err)
		}
	case pwInURL:
	case sameRemote && local.SyncPasswordFile != "":
		if pass, err = readPassphraseFile(local.SyncPasswordFile); err != nil {
			return rc, withHint(fmt.Errorf("the WebDAV password: %w", err), "give it again with --remote-password-file F")
		}
		rc.pwFile = local.SyncPasswordFile
	case user != "" && e.interactive():
		if pass, err = e.promptSecret(fmt.Sprintf("WebDAV password for %s at %s", user, u.Host)); err != nil {
			return rc, err
		}
	}
	var opts []replica.Option
	if user != "" || pass != nil {
		opts = append(opts, replica.WithBasicAuth(user, pass))
		if u.Scheme == "http" && !isLoopback(u.Hostname()) {
			fmt.Fprintln(e.err, "wardkey: warning: over http:// the WebDAV password travels unencrypted (the replicas stay sealed): prefer https://")
		}
	}
	r, err := replica.Open(spec, opts...)
	if err != nil {
		return rc, err
	}
	rc.remote, rc.user = r, user
	return rc, nil
}

func redactUser(spec string) string {
	u, err := url.Parse(spec)
	if err != nil {
		return spec
	}
	u.User = nil
	return u.String()
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// rememberRemote stores the remote (never a password) in local.json after
// a sync that worked.
func (e *env) rememberRemote(rc remoteConf) error {
	_, err := vault.UpdateLocal(rc.dir, func(l *vault.Local) {
		spec := rc.remote.String()
		if l.SyncRemote != spec {
			l.SyncPasswordFile = ""
		}
		l.SyncRemote, l.SyncUser = spec, rc.user
		if rc.pwFile != "" {
			l.SyncPasswordFile = rc.pwFile
		}
	})
	if err != nil {
		return fmt.Errorf("remember the remote: %w", err)
	}
	return nil
}

func (e *env) reportSkipped(rep replica.Report) {
	for _, s := range rep.Skipped {
		fmt.Fprintf(e.err, "wardkey: warning: skipped replica %s\n", show(s))
	}
	for _, s := range rep.SetAside {
		fmt.Fprintf(e.err, "wardkey: warning: set aside from replica %s\n", show(s))
	}
}

// syncHint says what to do after a failed sync.
func syncHint(err error, profile string) string {
	switch {
	case errors.Is(err, replica.ErrUnauthorized):
		return "check the user (--remote-user) and the password (--remote-password-file F or WARDKEY_REMOTE_PASSWORD_FILE)"
	case errors.Is(err, replica.ErrNoDir):
		return "create a vault with '" + wording.Command(profile, "init") + "', or join one with '" + wording.Command(profile, "sync join REMOTE") + "'"
	case errors.Is(err, replica.ErrSeveralVaults):
		return "name one with --vault-id ID"
	case errors.Is(err, vault.ErrTampered), errors.Is(err, vault.ErrNotVault), errors.Is(err, vault.ErrKeyRotated):
		return ""
	case errors.Is(err, replica.ErrNewKey):
		return "run 'wardkey sync' on a terminal and type the vault passphrase set on the workstation that changed the key"
	case errors.Is(err, vault.ErrWrongPassphrase):
		return "the vault was given a new key on another workstation: give the passphrase set there; nothing was changed here"
	}
	return "nothing was lost: the local vault is whole; run '" + wording.Command(profile, "sync") + "' again when the remote answers"
}

// syncTimeout bounds a sync started from the code screen.
const syncTimeout = 2 * time.Minute

// tuiSync is what the code screen's "s" key calls (tui.Config.Sync): a
// sync with the remembered remote, its result as one line. It is nil when
// the profile has no remote yet, which hides the key. It never prompts:
// a WebDAV password comes from WARDKEY_REMOTE_PASSWORD_FILE or the file
// remembered by 'wardkey sync --remote-password-file F'.
func (e *env) tuiSync() func(ctx context.Context, v *vault.Vault) (string, error) {
	if e.demo {
		return nil
	}
	local, err := vault.LoadLocal(e.dir())
	if err != nil || local.SyncRemote == "" {
		return nil
	}
	return func(ctx context.Context, v *vault.Vault) (string, error) {
		local, err := vault.LoadLocal(e.dir())
		if err != nil {
			return "", fmt.Errorf("read this machine's settings: %w", err)
		}
		if err := e.checkRemoteAllowed(local.SyncRemote); err != nil {
			return "", err
		}
		quiet := *e
		quiet.stdio = stdio{in: strings.NewReader(""), out: discard{}, err: discard{}}
		rc, err := quiet.remoteConfig(local.SyncRemote, "", "", local, true)
		if err != nil {
			return "", err
		}
		ctx, cancel := context.WithTimeout(ctx, syncTimeout)
		defer cancel()
		rep, err := replica.Sync(ctx, v, rc.remote)
		if err != nil {
			if errors.Is(err, replica.ErrUnauthorized) && local.SyncPasswordFile == "" {
				return "", fmt.Errorf("the WebDAV server wants a password: run 'wardkey sync --remote-password-file F' once")
			}
			if errors.Is(err, replica.ErrNewKey) {
				return "", fmt.Errorf("the vault was given a new key on another workstation: run 'wardkey sync' in a terminal to take it")
			}
			return "", err
		}
		msg := fmt.Sprintf("synced %s: %s", rep.At.Local().Format("15:04"), rep)
		if len(rep.Skipped) > 0 {
			msg += " (run 'wardkey sync' to see why)"
		}
		if err := e.auditNow(v, audit.Event{Event: audit.Sync, Detail: map[string]any{"pulled": rep.Pulled, "pushed": rep.Pushed, "replicas": rep.Replicas}}); err != nil {
			msg += "; " + err.Error()
		}
		return msg, nil
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
