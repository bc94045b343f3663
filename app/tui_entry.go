//go:build !wardkey_lean

package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/app/oslock"
	"github.com/wardkey/wardkey/app/strength"
	"github.com/wardkey/wardkey/app/tui"
	"github.com/wardkey/wardkey/app/wording"
	"github.com/wardkey/wardkey/sync/clock"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/atomicfile"
	"github.com/wardkey/wardkey/vault/audit"
	"github.com/wardkey/wardkey/vault/backup"
)

// recentFile keeps, per profile, when each account's code was last copied
// (account IDs and Unix seconds only), for "sort by recent use".
const recentFile = "recent.json"

// tuiClockWait bounds the code screen's background NTP question.
const tuiClockWait = 3 * time.Second

// tuiFPS bounds how often the TUI draws during a burst of messages. With the
// patched Bubble Tea (go.mod's replace) a frame after idle is drawn at once and
// an idle screen has no ticker, so it no longer trades keystroke latency
// against idle CPU (docs/performance.md).
const tuiFPS = 60

// runTUI starts the code screen: the first-run screen when the profile has
// no vault, else the unlock screen (a keyring vault opens at once), or the
// demo with --demo.
func runTUI(e *env) error {
	if !e.interactive() {
		if !e.demo && !vault.Exists(e.dir()) {
			return withHint(fmt.Errorf("profile %q has no vault yet", e.profile), "run '"+e.cmdline("init")+"', or 'wardkey --demo' on a terminal to try the demo")
		}
		return withHint(errors.New("the code screen needs a terminal"), "use '"+e.cmdline("list")+"' and '"+e.cmdline("code QUERY")+"' in scripts")
	}
	cfg, err := e.tuiConfig()
	if err != nil {
		return err
	}
	if path := os.Getenv("WARDKEY_TUI_LOG"); path != "" {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("open the TUI log (WARDKEY_TUI_LOG): %w", err)
		}
		defer f.Close()
		cfg.Log = slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	// A lock ends this process and starts the binary again in its place
	// (same PID, a fresh address space): Go cannot wipe what its runtime,
	// Bubble Tea's input reader or a library copied, so only a new address
	// space leaves no secret behind (DESIGN "Hardening (v3)").
	cfg.EndOnLock = canRelaunch
	cfg.Locked = os.Getenv(lockedEnv) == "1"
	cfg.LockedWhy = show(os.Getenv(lockedWhyEnv)) // from the environment: text, never terminal controls
	os.Unsetenv(lockedEnv)
	os.Unsetenv(lockedWhyEnv)
	// Released Bubble Tea v2.1 draws only on a frame ticker that runs for
	// the program's whole life (a key waits for the next tick; an idle screen
	// wakes fps times a second). The fork in app/internal/third_party (upstream
	// PR #1796) stops the ticker while nothing changes and draws the first
	// frame after idle at once: 3-6 ms per keystroke, 0.3 % of a core idle at
	// 1,000 accounts (docs/performance.md, "The Bubble Tea fork").
	cfg.OSLock = true
	p := tea.NewProgram(tui.New(cfg), tea.WithFPS(tuiFPS), tea.WithoutSignalHandler())
	stop := stopOnSignals(p)
	final, err := p.Run()
	if sig := stop(); sig != nil {
		return fmt.Errorf("stopped by %v: the vault was locked and a copied code cleared", sig)
	}
	if err != nil && !errors.Is(err, tea.ErrInterrupted) {
		return fmt.Errorf("the code screen: %w", err)
	}
	if m, ok := final.(tui.Model); ok {
		if why, ok := m.Relaunch(); ok {
			err := relaunch(why)
			return fmt.Errorf("the code screen locked, but could not start again: %w", err)
		}
	}
	return nil
}

// The relaunched code screen learns from these that it follows a lock, and
// why. They hold no secret.
const (
	lockedEnv    = "WARDKEY_LOCKED"
	lockedWhyEnv = "WARDKEY_LOCKED_WHY"
)

// stopGrace is how long the code screen has, after a signal, to lock,
// clear the clipboard and quit before it is killed.
const stopGrace = 5 * time.Second

// stopOnSignals makes SIGTERM, SIGHUP and SIGINT lock the code screen,
// clear a copied code that is still ours, and quit (tui.StopMsg), instead
// of killing the process with the vault open. The returned function stops
// listening and reports the signal that came, if one did.
func stopOnSignals(p *tea.Program) func() os.Signal {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT)
	done := make(chan struct{})
	got := make(chan os.Signal, 1)
	go func() {
		select {
		case s := <-sigs:
			got <- s
			p.Send(tui.StopMsg{Signal: s.String()})
			select {
			case <-done:
			case <-time.After(stopGrace):
				p.Kill()
			}
		case <-done:
		}
	}()
	return func() os.Signal {
		signal.Stop(sigs)
		close(done)
		select {
		case s := <-got:
			return s
		default:
			return nil
		}
	}
}

// tuiConfig gives the TUI what it needs from this environment: the
// profile it starts on and a backend over the functions the commands use.
// Tests drive the TUI through it (tui_entry_test.go), so this glue is what
// they check.
func (e *env) tuiConfig() (tui.Config, error) {
	e.inTUI = true // audit events are written at once; nothing on stderr
	dir := e.dir()
	cfg := tui.Config{
		Profile: tui.Profile{
			Name:           e.profile,
			DisplayName:    displayName(dir),
			Demo:           e.demo,
			HasVault:       vault.Exists(dir),
			DefaultKeyring: e.profile == vault.DefaultProfile && e.policy().KeyringAllowed(),
			PassphraseFile: e.passFile != "",
		},
		Backend:      &tuiBackend{e: e, clip: systemClipboard()},
		Export:       true,
		BackupBanner: true, // wardkey export records LastBackup in local.json
		Now:          e.hooks.Now,
	}
	if h, err := os.UserHomeDir(); err == nil {
		cfg.Home = h
	}
	cfg.Caps = map[string]int{}
	for _, r := range vault.SettingRanges {
		s, _ := lookupSetting(r.Key)
		cfg.Caps[r.Key] = e.policyCap(s.cap)
	}
	cfg.Shared = e.policy().Shared
	if !e.profileSet && !e.demo {
		// Several people here, or a shared machine: ask who. On a shared
		// machine with nobody yet, the picker's first run creates a
		// person's profile, never the default one.
		if ps, err := listProfiles(e.home); cfg.Shared || err == nil && len(ps) > 1 {
			cfg.Picker = true
		}
	}
	if cfg.Profile.HasVault && !e.demo {
		info, err := vault.ReadInfo(dir)
		if err != nil {
			return cfg, e.explainOpen(err)
		}
		cfg.Profile.Slots = info.Slots
	}
	return cfg, nil
}

// tuiBackend is the code screen's tui.Backend: every method is what the
// matching command does, without its printing.
type tuiBackend struct {
	e    *env
	clip tui.Clipboard

	osOnce  sync.Once
	osLocks chan string
}

var _ tui.Backend = (*tuiBackend)(nil)

// env is the environment of profile: this one, or a copy for another. A
// profile the screen names was chosen ("Who are you?", ctrl+n), so it
// counts as named: on a shared machine its audit log is written.
func (b *tuiBackend) env(profile string) *env {
	if profile == "" || profile == b.e.profile && (b.e.profileSet || !b.e.policy().Shared) {
		return b.e
	}
	e := *b.e
	e.profile = profile
	e.profileSet = true
	return &e
}

// vaultOf is the *vault.Vault behind a tui.Vault this backend handed out.
func vaultOf(v tui.Vault) (*vault.Vault, error) {
	vv, ok := v.(*vault.Vault)
	if !ok {
		return nil, errors.New("not a vault this program opened")
	}
	return vv, nil
}

// UnlockWait is the slowing of failed attempts ('wardkey' waits it out,
// the TUI shows it). The test hook NoSleep turns the wait off.
func (b *tuiBackend) UnlockWait(profile string) (int, time.Duration) {
	e := b.env(profile)
	n, w, _ := e.unlockWait() // an unreadable count: the longest wait
	if e.hooks.NoSleep {
		return n, 0
	}
	return n, w
}

// Open unlocks through the CLI's one unlock: the keyring slot, then the
// passphrase typed (or the passphrase file).
func (b *tuiBackend) Open(profile string, pass []byte) (tui.Vault, error) {
	e := b.env(profile)
	if e.demo {
		return demoVault()
	}
	var p func() ([]byte, error)
	switch {
	case pass != nil:
		p = func() ([]byte, error) { return pass, nil }
	case e.passFile != "":
		p = func() ([]byte, error) { return readPassphraseFile(e.passFile) }
	}
	// The screen shows the wait (UnlockWait): nothing on stderr under it.
	quiet := *e
	quiet.err = discard{}
	v, err := quiet.unlock(p, "")
	if err != nil {
		return nil, err
	}
	return v, nil
}

// OpenDemo opens the embedded demo vault.
func (b *tuiBackend) OpenDemo() (tui.Vault, error) { return demoVault() }

// ProbeKeyring reports whether the OS keyring works.
func (b *tuiBackend) ProbeKeyring() error { return vault.Probe(b.e.keyring()) }

// Create makes profile's vault as 'wardkey init' would with these slots
// (the passphrase checked as init checks it, a keyring slot only where the
// policy allows one), or as 'wardkey restore' into a new profile does with
// r.Restore. Without r.RecoveryCode the recovery code is pending
// (vault.Local.RecoveryPending): the TUI writes its slot once the person
// has written it down (AddRecovery).
func (b *tuiBackend) Create(profile string, r tui.CreateRequest) (tui.Vault, error) {
	e := b.env(profile)
	if len(r.Passphrase) > 0 {
		if err := e.tuiPassphraseCheck(r.Passphrase); err != nil {
			clear(r.Passphrase)
			return nil, err
		}
	}
	o := vault.CreateOptions{Options: e.options(), Passphrase: r.Passphrase, RecoveryCode: r.RecoveryCode}
	if r.Keyring {
		if err := e.policy().CheckKeyring(); err != nil {
			clear(r.Passphrase)
			return nil, err
		}
		o.Keyring = e.keyring()
	}
	var plan vault.RestorePlan
	if r.Restore != nil {
		o.State, _ = vault.Vet(*r.Restore, e.now().Add(e.offset()))
		plan = vault.PlanRestore(vault.State{}, o.State, false)
	}
	v, err := vault.Create(e.dir(), o)
	if err != nil {
		return nil, err
	}
	if r.RecoveryCode == "" {
		if _, err := vault.UpdateLocal(e.dir(), func(l *vault.Local) { l.RecoveryPending = true }); err != nil {
			v.Close()
			return nil, fmt.Errorf("note the recovery code to come in %s: %w", vault.LocalFile, err)
		}
	}
	if r.Restore != nil {
		e.audit(v, audit.Event{Event: audit.Restore, Detail: restoreCounts(plan)})
	}
	return v, nil
}

// tuiPassphraseCheck is init's check of a new vault passphrase
// (min_passphrase_score), worded for the screen: the reason, then what to
// do, with nothing printed on the terminal under it.
func (e *env) tuiPassphraseCheck(p []byte) error {
	if err := e.policy().CheckPassphraseScore(strength.Estimate(p, e.profile).Score); err != nil {
		return fmt.Errorf("%w: four or more unrelated words make a strong passphrase", err)
	}
	return nil
}

// Local reads local.json beside the vault (the demo has none).
func (b *tuiBackend) Local(v tui.Vault) vault.Local {
	if v.Dir() == "" {
		return vault.Local{}
	}
	l, _ := vault.LoadLocal(v.Dir())
	return l
}

// CanSync says whether 'wardkey sync --remote' ran on this profile.
func (b *tuiBackend) CanSync(v tui.Vault) bool {
	return v.Dir() != "" && b.e.tuiSync() != nil
}

// Sync is 'wardkey sync' with the remembered remote, never prompting.
func (b *tuiBackend) Sync(ctx context.Context, v tui.Vault) (string, error) {
	vv, err := vaultOf(v)
	if err != nil {
		return "", err
	}
	if err := b.envOf(v.Dir()).profileGone(v.Dir()); err != nil {
		return "", err
	}
	sync := b.e.tuiSync()
	if sync == nil {
		return "", fmt.Errorf("no remote yet: run '%s' once", wording.Command(filepath.Base(vv.Dir()), "sync --remote DIR|URL"))
	}
	return sync(ctx, vv)
}

// Recent reads recent.json beside the vault.
func (b *tuiBackend) Recent(v tui.Vault) map[string]int64 {
	m := map[string]int64{}
	if v.Dir() == "" {
		return m
	}
	if data, err := os.ReadFile(filepath.Join(v.Dir(), recentFile)); err == nil {
		_ = json.Unmarshal(data, &m)
	}
	return m
}

// SaveRecent writes recent.json beside the vault, atomically but without
// an fsync: it is rewritten at every copy, and a crash that loses it loses
// only the order of "sort by recent use" (Recent reads an empty or
// damaged file as none), not worth two fsyncs beside the audit line's.
func (b *tuiBackend) SaveRecent(v tui.Vault, m map[string]int64) error {
	if v.Dir() == "" {
		return nil
	}
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return atomicfile.ReplaceUnsynced(filepath.Join(v.Dir(), recentFile), data)
}

// MeasureClock asks the policy's ntp_server, else server (the one
// 'wardkey clock' last used), else the default server, within tuiClockWait.
func (b *tuiBackend) MeasureClock(ctx context.Context, server string) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, tuiClockWait)
	defer cancel()
	r, err := clock.Measure(ctx, b.e.ntpServer(server))
	return r.Offset, err
}

// Profiles lists the home's profiles for the picker.
func (b *tuiBackend) Profiles() ([]tui.Profile, error) { return listProfiles(b.e.home) }

// OSLocks watches the OS session's lock (app/oslock: logind, the screen
// savers), started once per process at the first call; nil where no bus
// answers. The watcher lives as long as the process.
func (b *tuiBackend) OSLocks() <-chan string {
	b.osOnce.Do(func() {
		w, err := oslock.Watch(context.Background(), oslock.Options{})
		if err != nil || len(w.Sources()) == 0 {
			w.Close()
			return
		}
		b.osLocks = make(chan string)
		go func() {
			for ev := range w.C {
				b.osLocks <- ev.Source
			}
		}()
	})
	if b.osLocks == nil {
		return nil
	}
	return b.osLocks
}

// CheckBackupTarget refuses an existing file or a missing folder.
func (b *tuiBackend) CheckBackupTarget(path, typed string) error {
	return checkBackupTarget(path, typed)
}

// CheckBackupPassphrase is export's strength check.
func (b *tuiBackend) CheckBackupPassphrase(pass []byte, profile string) error {
	return strength.Check(pass, profile)
}

// Export is 'wardkey export --out path' with the passphrase typed.
func (b *tuiBackend) Export(v tui.Vault, path string, pass []byte) (tui.ExportResult, error) {
	vv, err := vaultOf(v)
	if err != nil {
		return tui.ExportResult{}, err
	}
	w, err := writeBackupFile(vv, path, pass, backupWrite{now: b.e.now()})
	if err != nil {
		return tui.ExportResult{}, err
	}
	return tui.ExportResult{Accounts: w.live, Local: w.local, Noted: w.noted, NoteErr: w.noteErr}, nil
}

// ReadBackup is the first half of 'wardkey restore FILE': open, decrypt,
// check, in the same words.
func (b *tuiBackend) ReadBackup(path, typed string, pass []byte) (backup.Backup, error) {
	return readBackupFile(path, typed, pass)
}

// Clipboard is this desktop's clipboard, found once at start.
func (b *tuiBackend) Clipboard() tui.Clipboard { return b.clip }

// Reauth checks the passphrase typed again at the code screen (export,
// restore, delete, settings) through the unlock's counting (env.reauth);
// the screen shows the wait, so nothing goes to stderr.
func (b *tuiBackend) Reauth(profile string, v tui.Vault, pass []byte) error {
	quiet := *b.env(profile)
	quiet.err = discard{}
	return quiet.reauth(v.ID(), pass)
}

// SaveSettings is 'wardkey config set' for every value of the settings
// screen at once: each checked first (range, the policy's cap, the display
// name's rules), then only what differs is written, one config event each.
func (b *tuiBackend) SaveSettings(profile string, v tui.Vault, ch tui.SettingsChange) (tui.SettingsChange, error) {
	e := b.env(profile)
	vv, err := vaultOf(v)
	if err != nil {
		return ch, err
	}
	if vv.Dir() == "" {
		return ch, errors.New("the demo has no settings to change: nothing in it is saved")
	}
	values := map[string]int{vault.SettingLockAfter: ch.LockAfter, vault.SettingReauthAfter: ch.ReauthAfter, vault.SettingClipboardClear: ch.ClipboardClear}
	var changed []string
	for _, k := range configKeys {
		r, ok := lookupSetting(k)
		if !ok {
			continue // display_name
		}
		if err := e.checkSetting(r, values[k]); err != nil {
			return ch, screenSentence(err)
		}
		if cur, _ := strconv.Atoi(e.configValue(vv, k)); cur != values[k] {
			changed = append(changed, k)
		}
	}
	clean, err := vault.CleanDisplayName(ch.DisplayName)
	if err != nil {
		return ch, fmt.Errorf("display_name: %w; nothing was changed", err)
	}
	nameChanged := clean != e.configValue(vv, "display_name")
	if nameChanged && clean != "" {
		// Checked before anything is written (SetDisplayName checks again
		// under the home's lock), so a taken name changes nothing.
		if err := vault.DisplayNameFree(e.home, e.profile, clean); err != nil {
			return ch, fmt.Errorf("display_name: %w; nothing was changed", err)
		}
	}
	set := slices.Clone(changed)
	if len(set) > 0 {
		cur := vv.Settings()
		if err := vv.Update(func(tx *vault.Tx) error {
			for _, k := range set {
				if err := setSetting(tx, cur, k, values[k]); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return ch, fmt.Errorf("save the settings: %w", err)
		}
		for _, k := range set {
			e.audit(vv, audit.Event{Event: audit.Config, Detail: map[string]any{"key": k, "value": values[k]}})
		}
	}
	// The display name last: the vault's settings, written first, are
	// the ones a failure must not leave half done.
	if nameChanged {
		if _, err := vault.SetDisplayName(e.home, e.profile, clean); err != nil {
			if len(set) > 0 {
				return ch, fmt.Errorf("display_name: %w (the other settings were saved)", err)
			}
			return ch, fmt.Errorf("display_name: %w; nothing was changed", err)
		}
		changed = append(changed, "display_name")
		e.audit(vv, audit.Event{Event: audit.Config, Detail: map[string]any{"key": "display_name"}})
	}
	slices.SortFunc(changed, func(a, b string) int { return slices.Index(configKeys, a) - slices.Index(configKeys, b) })
	ch.DisplayName, ch.Changed = clean, changed
	return ch, nil
}

// screenSentence is a refusal as the code screen shows it: the error and
// its hint in one line.
func screenSentence(err error) error {
	var he hintError
	if errors.As(err, &he) && he.hint != "" && !strings.Contains(he.hint, "'") {
		return fmt.Errorf("%w; %s", err, he.hint)
	}
	return err
}

// CreateProfile makes a new person's profile, as 'wardkey --profile NAME
// init' with a display name would, but with no recovery slot yet: the
// recovery code is pending until the person has written it down
// (AddRecovery). Never a keyring slot: a profile made from "Who are you?"
// is one person's on a workstation others use.
func (b *tuiBackend) CreateProfile(r tui.NewProfileRequest) (tui.Vault, tui.Profile, error) {
	fail := func(err error) (tui.Vault, tui.Profile, error) {
		clear(r.Passphrase)
		return nil, tui.Profile{}, err
	}
	if err := vault.CheckProfile(r.Name); err != nil {
		return fail(err)
	}
	e := b.env(r.Name)
	dir := e.dir()
	if vault.Exists(dir) {
		return fail(fmt.Errorf("profile %q already exists: choose another name, or pick it on \"Who are you?\"", r.Name))
	}
	clean, err := vault.CleanDisplayName(r.DisplayName)
	if err != nil {
		return fail(err)
	}
	if clean == "" {
		return fail(errors.New("type your name as colleagues know it (for example Dr Jones): \"Who are you?\" shows it"))
	}
	if err := vault.DisplayNameFree(e.home, r.Name, clean); err != nil {
		return fail(fmt.Errorf("%w; choose another", err))
	}
	if len(r.Passphrase) == 0 {
		return fail(errors.New("type a passphrase"))
	}
	v, err := b.Create(r.Name, tui.CreateRequest{Passphrase: r.Passphrase})
	if err != nil {
		return nil, tui.Profile{}, err
	}
	clean, err = vault.SetDisplayName(e.home, r.Name, clean)
	if err != nil {
		// The vault is made; the name can be set later with 'wardkey config set display_name'.
		clean = ""
	}
	return v, tui.Profile{Name: r.Name, DisplayName: clean, HasVault: true, Slots: v.SlotKinds()}, nil
}

// AddRecovery writes the recovery slot of a vault whose code the person has
// written down, and clears the pending mark in local.json.
func (b *tuiBackend) AddRecovery(v tui.Vault, code string) error {
	vv, err := vaultOf(v)
	if err != nil {
		return err
	}
	if err := vv.AddRecoverySlot(code, b.e.options()); err != nil {
		return fmt.Errorf("write the recovery code: %w", err)
	}
	_, err = vault.UpdateLocal(vv.Dir(), func(l *vault.Local) { l.RecoveryPending = false })
	if err == nil {
		e := b.envDir(vv.Dir())
		e.audit(vv, audit.Event{Event: audit.Recovery})
	}
	return err
}

// DropKeyring is the shared machine's conversion of a keyring-only vault:
// a new key (as 'wardkey passwd' gives), a passphrase slot under pass
// (checked as init checks it), no keyring slot, the keyring item deleted.
func (b *tuiBackend) DropKeyring(v tui.Vault, pass []byte) error {
	vv, err := vaultOf(v)
	if err != nil {
		clear(pass)
		return err
	}
	e := b.envDir(vv.Dir())
	if err := e.tuiPassphraseCheck(pass); err != nil {
		clear(pass)
		return err
	}
	res, err := vv.Rekey(context.Background(), vault.RekeyOptions{Options: e.options(), Passphrase: pass, NewPassphrase: true, Keyring: e.keyring(), DropKeyring: true})
	if err != nil {
		return fmt.Errorf("set the passphrase: %w", err)
	}
	e.audit(vv, audit.Event{Event: audit.Passwd, Detail: map[string]any{"keyring_dropped": true}})
	if res.KeyringLeft != nil {
		return fmt.Errorf("the vault now opens with the passphrase only, but its old keyring item could not be deleted (it opens nothing saved from now on): %w", res.KeyringLeft)
	}
	return nil
}

// envDir is the environment of the profile whose folder is dir.
func (b *tuiBackend) envDir(dir string) *env { return b.env(filepath.Base(dir)) }
