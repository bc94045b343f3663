package tui

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/backup"
)

// The steps of the restore screen, in order.
type restoreStep int

const (
	resPath restoreStep = iota // the backup file
	resPass                    // its passphrase
	resBusy                    // decrypting, or applying the plan
	resPlan                    // what the restore does; u toggles undelete
)

// restoreModel restores a backup (R): the file, its passphrase, the
// decryption with a spinner, then the plan (vault.PlanRestore) before
// anything changes.
type restoreModel struct {
	sh     *shared
	path   textinput.Model
	pass   textinput.Model
	step   restoreStep
	busy   string
	err    string
	spin   spinner.Model
	file   string         // the backup being restored (expanded)
	typed  []byte         // the passphrase, from enter until the root takes it
	backup *backup.Backup // decrypted and checked; nil before
	info   string         // one line about the backup
	plans  [2]vault.RestorePlan
	undel  bool // bring back accounts deleted here
	top    int  // first plan line shown
}

// Messages of the restore screen.
type (
	// backupReadMsg is a decrypted backup and its two plans (without and
	// with undelete), or why it did not open.
	backupReadMsg struct {
		file   string
		backup backup.Backup
		info   string
		plans  [2]vault.RestorePlan
		err    string
		retype bool // the passphrase was wrong: ask it again
	}
	// restoredMsg is the result of applying the plan.
	restoredMsg struct {
		done       vault.RestorePlan
		accounts   []vault.Account
		lastChange time.Time
		err        error
	}
)

func newRestore(sh *shared) restoreModel {
	m := restoreModel{sh: sh, spin: newSpinner(sh)}
	m.path = newField("Backup file: ", false)
	m.path.CharLimit = 4096
	m.path.Placeholder = "~/wardkey-backup-….age"
	m.pass = newField("Passphrase:  ", true)
	m.setWidth(sh.width)
	return m
}

// setWidth fits the fields to a terminal w cells wide.
func (m *restoreModel) setWidth(w int) {
	m.path.SetWidth(max(w-17, 8))
	m.pass.SetWidth(max(min(w-17, 40), 8))
}

// Init focuses the path.
func (m restoreModel) Init() (restoreModel, tea.Cmd) { return m, m.path.Focus() }

// wipe forgets the passphrase and the decrypted backup.
func (m restoreModel) wipe() restoreModel {
	m.pass.Reset()
	clear(m.typed)
	m.typed = nil
	if m.backup != nil {
		wipeAll(m.backup.State.Accounts)
		m.backup = nil
	}
	for i := range m.plans {
		wipePlan(m.plans[i])
		m.plans[i] = vault.RestorePlan{}
	}
	return m
}

func wipePlan(p vault.RestorePlan) {
	for _, l := range [][]vault.Account{p.Added, p.Updated, p.Unchanged, p.Duplicates, p.KeptDeleted, p.Undeleted, p.Removed} {
		wipeAll(l)
	}
}

// plan is the plan as the undelete toggle stands.
func (m restoreModel) plan() vault.RestorePlan {
	if m.undel {
		return m.plans[1]
	}
	return m.plans[0]
}

// readBackupCmd decrypts and checks the whole backup, then plans the
// restore both ways, before anything is changed.
// typed is the path as the person typed it, for messages.
func readBackupCmd(cfg Config, v *vault.Vault, file, typed string, pass []byte) tea.Cmd {
	return func() tea.Msg {
		defer clear(pass)
		explain := func(err error) backupReadMsg {
			retype := errors.Is(err, backup.ErrWrongPassphrase)
			if cfg.ExplainBackup != nil {
				err = cfg.ExplainBackup(typed, err)
			}
			return backupReadMsg{file: file, err: sentence(err), retype: retype}
		}
		f, err := os.Open(file)
		if err != nil {
			return backupReadMsg{file: file, err: sentence(describeFileErr(typed, err))}
		}
		b, err := backup.Read(f, pass)
		f.Close()
		freeKDFMemory()
		if err != nil {
			return explain(err)
		}
		cur := v.State()
		defer wipeAll(cur.Accounts)
		msg := backupReadMsg{file: file, backup: b, info: backupInfo(b, v.ID())}
		msg.plans[0] = vault.PlanRestore(cur, b.State, false)
		msg.plans[1] = vault.PlanRestore(cur, b.State, true)
		return msg
	}
}

// applyRestoreCmd merges the backup into the vault.
func applyRestoreCmd(v *vault.Vault, b vault.State, undelete bool) tea.Cmd {
	return func() tea.Msg {
		var done vault.RestorePlan
		err := v.Update(func(tx *vault.Tx) error {
			var err error
			done, err = vault.ApplyRestore(tx, b, undelete)
			return err
		})
		if err != nil {
			return restoredMsg{err: fmt.Errorf("restore: %w", err)}
		}
		as, last := snapshot(v)
		return restoredMsg{done: done, accounts: as, lastChange: last}
	}
}

// backupInfo says what the backup is, as 'wardkey restore' does.
func backupInfo(b backup.Backup, vaultID string) string {
	whose := ""
	switch {
	case vaultID == "":
	case b.VaultID == vaultID:
		whose = ", of this vault"
	case b.VaultID != "":
		whose = ", from another vault"
	}
	when := "of unknown date"
	if !b.Created.IsZero() {
		when = "made " + b.Created.UTC().Format("2006-01-02 15:04 UTC")
	}
	return fmt.Sprintf("Backup %s%s: %s.", when, whose, countOf(len(b.State.Live()), "account"))
}

func countOf(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// restoreSummary is the toast after a restore.
func restoreSummary(p vault.RestorePlan) string {
	parts := []string{fmt.Sprintf("%d added", len(p.Added)), fmt.Sprintf("%d updated", len(p.Updated))}
	if n := len(p.Undeleted); n > 0 {
		parts = append(parts, fmt.Sprintf("%d brought back", n))
	}
	if n := len(p.Removed); n > 0 {
		parts = append(parts, fmt.Sprintf("%d deleted as in the backup", n))
	}
	return "Restored: " + strings.Join(parts, ", ") + "."
}

// restoreAction is what the restore screen asks the root to do.
type restoreAction int

const (
	resNone  restoreAction = iota
	resBack                // cancel
	resRead                // decrypt the backup (spinner running)
	resApply               // apply the plan (spinner running)
)

// Update handles typing, the plan's keys and the decryption's answer.
func (m restoreModel) Update(msg tea.Msg) (restoreModel, restoreAction, tea.Cmd) {
	k := m.sh.keys
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if m.step != resBusy {
			return m, resNone, nil
		}
		var cmd tea.Cmd
		if m.spin, cmd = m.spin.Update(msg); cmd != nil {
			cmd = spinCmd(m.sh, m.spin)
		}
		return m, resNone, cmd
	case backupReadMsg:
		if msg.err != "" {
			m.step, m.busy, m.err = resPass, "", msg.err
			if msg.retype {
				return m, resNone, m.pass.Focus()
			}
			m.step = resPath
			m.pass.Blur()
			return m, resNone, m.path.Focus()
		}
		b := msg.backup
		m.backup, m.file, m.info, m.plans = &b, msg.file, msg.info, msg.plans
		m.step, m.busy, m.err, m.top, m.undel = resPlan, "", "", 0, false
		return m, resNone, nil
	case restoredMsg: // failures only: the root takes successes
		m.step, m.busy, m.err = resPlan, "", sentence(msg.err)
		return m, resNone, nil
	case tea.KeyPressMsg:
		if m.step == resBusy {
			return m, resNone, nil
		}
		if matches(msg, k.Back) {
			return m.wipe(), resBack, nil
		}
		switch m.step {
		case resPath:
			if matches(msg, k.Submit) {
				if strings.TrimSpace(m.path.Value()) == "" {
					m.err = "Type the backup file's path."
					return m, resNone, nil
				}
				m.err = ""
				m.step = resPass
				m.path.Blur()
				return m, resNone, m.pass.Focus()
			}
		case resPass:
			switch {
			case matches(msg, k.Submit):
				if m.pass.Value() == "" {
					m.err = "Type the backup's passphrase."
					return m, resNone, nil
				}
				m.err = ""
				m.file = m.sh.cfg.expand(m.path.Value())
				m.step, m.busy = resBusy, "Decrypting the backup (scrypt takes a second or two)…"
				m.typed = []byte(m.pass.Value())
				m.pass.Blur()
				m.pass.Reset()
				return m, resRead, spinCmd(m.sh, m.spin)
			case msg.String() == "shift+tab":
				m.err = ""
				m.pass.Reset()
				m.pass.Blur()
				m.step = resPath
				return m, resNone, m.path.Focus()
			}
		case resPlan:
			switch {
			case matches(msg, k.Undelete):
				m.undel = !m.undel
			case matches(msg, k.Up):
				m.top = max(m.top-1, 0)
			case matches(msg, k.Down):
				m.top++
			case matches(msg, k.Submit):
				if !m.plan().Changes() {
					return m.wipe(), resBack, nil
				}
				m.step, m.busy, m.err = resBusy, "Restoring…", ""
				return m, resApply, spinCmd(m.sh, m.spin)
			}
			return m, resNone, nil
		}
	}
	var cmd tea.Cmd
	switch m.step {
	case resPath:
		m.path, cmd = m.path.Update(msg)
	case resPass:
		m.pass, cmd = m.pass.Update(msg)
	}
	return m, resNone, cmd
}

// planLines lists the plan category by category, as 'wardkey restore'
// prints it.
func (m restoreModel) planLines() []string {
	st := m.sh.styles
	p := m.plan()
	var out []string
	section := func(title string, as []vault.Account, list bool, note string) {
		out = append(out, fmt.Sprintf("%s: %d", title, len(as)))
		if list {
			for _, a := range as {
				out = append(out, "  "+a.Label())
			}
		}
		if note != "" && len(as) > 0 {
			out = append(out, st.Faint.Render("  ("+note+")"))
		}
	}
	section("Added", p.Added, true, "")
	section("Updated", p.Updated, true, "")
	section("Unchanged", p.Unchanged, false, "")
	section("Duplicates", p.Duplicates, true, "the same issuer, name and secret are here already: kept once")
	if m.undel {
		section("Deleted here, brought back", p.Undeleted, true, "under new IDs")
	}
	section("Deleted here, kept deleted", p.KeptDeleted, true, "u brings them back")
	if len(p.Removed) > 0 {
		section("Deleted in the backup", p.Removed, true, "deleted later elsewhere: the delete wins")
	}
	if p.Settings {
		out = append(out, "Settings: newer in the backup")
	}
	return out
}

// View renders the restore screen.
func (m restoreModel) View(w, h int) string {
	st := m.sh.styles
	lines := []string{st.Title.Render("Restore a backup"), ""}
	if m.step == resPlan || (m.step == resBusy && m.backup != nil) {
		lines = append(lines, cut(strings.TrimSpace(m.path.Value()), w))
		lines = append(lines, strings.Split(wrapLines([]string{m.info}, w), "\n")...)
		lines = append(lines, "")
		body := strings.Split(wrapLines(m.planLines(), w), "\n")
		box := "[ ]"
		if m.undel {
			box = "[x]"
		}
		var foot []string
		foot = append(foot, "", st.Key.Render("u")+" "+box+" bring back accounts deleted here")
		switch {
		case m.step == resBusy:
			foot = append(foot, "", m.spin.View()+" "+st.Faint.Render(m.busy))
		case m.err != "":
			foot = append(foot, "", st.Error.Render(m.err))
		case !m.plan().Changes():
			foot = append(foot, "", "The vault already holds everything in this backup.", st.Faint.Render("enter or esc back"))
		default:
			foot = append(foot, "", st.Faint.Render("enter restore · ↑/↓ scroll · esc cancel"))
		}
		foot = strings.Split(wrapLines(foot, w), "\n")
		avail := max(h-len(lines)-len(foot), 1)
		if len(body) > avail {
			top := min(m.top, len(body)-avail)
			more := top+avail < len(body)
			body = body[top : top+avail]
			if more {
				body[len(body)-1] = st.Faint.Render("  … ↓ for more")
			}
		}
		lines = append(lines, body...)
		lines = append(lines, foot...)
		return fit(strings.Join(lines, "\n"), w, h)
	}
	lines = append(lines, "Accounts in the backup are merged into this vault: nothing here is lost, and nothing changes before you see the plan.", "")
	if m.step == resPath {
		lines = append(lines, m.path.View())
	} else {
		lines = append(lines, st.Label.Render("Backup file: ")+m.path.Value(), m.pass.View())
	}
	switch {
	case m.step == resBusy:
		lines = append(lines, "", m.spin.View()+" "+st.Faint.Render(m.busy))
	case m.err != "":
		lines = append(lines, "", st.Error.Render(m.err))
	}
	if m.step != resBusy {
		hint := "enter next · esc cancel"
		if m.step == resPass {
			hint = "enter decrypt · shift+tab change the file · esc cancel"
		}
		lines = append(lines, "", st.Faint.Render(hint))
	}
	return fit(wrapLines(lines, w), w, h)
}

// describeFileErr words a failure to open a file without Go's "open PATH:"
// prefix.
func describeFileErr(typed string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("there is no file %s; nothing was changed", typed)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%s cannot be read (permission denied); nothing was changed", typed)
	}
	return fmt.Errorf("open the backup: %w", err)
}
