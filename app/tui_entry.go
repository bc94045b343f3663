package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/app/tui"
	"github.com/wardkey/wardkey/importer"
	"github.com/wardkey/wardkey/sync/clock"
	"github.com/wardkey/wardkey/vault"

	"github.com/wardkey/wardkey/vault/atomicfile"
)

// recentFile keeps, per profile, when each account's code was last copied
// (account IDs and Unix seconds only), for "sort by recent use".
const recentFile = "recent.json"

// runTUI starts the code screen: the first-run screen when the profile has
// no vault, else the unlock screen (a keyring vault opens at once), or the
// demo with --demo.
func runTUI(e *env) error {
	if !e.interactive() {
		if !e.demo && !vault.Exists(e.dir()) {
			return withHint(fmt.Errorf("profile %q has no vault yet", e.profile), "run 'wardkey init', or 'wardkey --demo' on a terminal to try the demo")
		}
		return withHint(errors.New("the code screen needs a terminal"), "use 'wardkey list' and 'wardkey code QUERY' in scripts")
	}
	cfg, err := e.tuiConfig()
	if err != nil {
		return err
	}
	p := tea.NewProgram(tui.New(cfg), tea.WithFPS(10))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrInterrupted) {
		return fmt.Errorf("the code screen: %w", err)
	}
	return nil
}

// tuiConfig gives the TUI what it needs from this environment.
func (e *env) tuiConfig() (tui.Config, error) {
	dir := e.dir()
	cfg := tui.Config{
		Profile:        e.profile,
		Demo:           e.demo,
		HasVault:       vault.Exists(dir),
		DefaultKeyring: e.profile == vault.DefaultProfile,
		PassphraseFile: e.passFile != "",
		Now:            e.hooks.Now,
		OpenDemo:       demoVault,
		BackupBanner:   true, // wardkey export records LastBackup in local.json
		Clipboard:      tui.SystemClipboard(),
		// Export (x) and restore (R) word and write files as the CLI does.
		App:            "wardkey " + Version,
		WriteNewFile:   func(path string, data []byte) error { return writeNewFile(path, data, false) },
		RefuseExisting: refuseExisting,
		ExplainBackup:  explainBackup,
		// Sync now (s): nil, hiding the key, until 'wardkey sync --remote' ran.
		Sync: e.tuiSync(),
		// The NTP banner: the clinic's server if 'wardkey clock' named one.
		MeasureClock: func() (time.Duration, error) {
			l, _ := vault.LoadLocal(dir)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			r, err := clock.Measure(ctx, l.ClockServer)
			return r.Offset, err
		},
	}
	if h, err := os.UserHomeDir(); err == nil {
		cfg.Home = h
	}
	if cfg.HasVault && !e.demo {
		info, err := vault.ReadInfo(dir)
		if err != nil {
			return cfg, e.explainOpen(err)
		}
		cfg.Slots = info.Slots
	}
	cfg.Open = func(pass []byte) (*vault.Vault, error) {
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
		return e.unlock(p, "")
	}
	cfg.UnlockWait = func() (int, time.Duration) {
		n, w, err := e.unlockWait()
		if err != nil || e.hooks.NoSleep {
			return n, 0
		}
		return n, w
	}
	cfg.ProbeKeyring = func() error { return vault.Probe(e.keyring()) }
	cfg.Create = func(r tui.CreateRequest) (*vault.Vault, error) {
		o := vault.CreateOptions{Options: e.options(), Passphrase: r.Passphrase, RecoveryCode: r.RecoveryCode}
		if r.Keyring {
			o.Keyring = e.keyring()
		}
		return vault.Create(dir, o)
	}
	cfg.ImportFile = func(path string) ([]vault.Account, error) {
		r, err := importer.ImportFile(path, importer.Options{})
		if errors.Is(err, importer.ErrPassphraseNeeded) {
			return nil, withHint(err, "import encrypted exports with 'wardkey import --passphrase-file F FILE'")
		}
		return r.Accounts, err
	}
	cfg.Local = func() vault.Local {
		l, _ := vault.LoadLocal(dir)
		return l
	}
	cfg.Recent = func() map[string]int64 {
		m := map[string]int64{}
		if b, err := os.ReadFile(filepath.Join(dir, recentFile)); err == nil {
			_ = json.Unmarshal(b, &m)
		}
		return m
	}
	cfg.SaveRecent = func(m map[string]int64) error {
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		return atomicfile.Replace(filepath.Join(dir, recentFile), b, "")
	}
	return cfg, nil
}
