package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/app/wording"
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
	c      *common
	path   textinput.Model
	pass   secretField // bytes, wiped when taken
	step   restoreStep
	busy   string
	err    string
	spin   spinner.Model
	file   string         // the backup being restored (expanded)
	backup *backup.Backup // decrypted and checked; nil before
	info   string         // one line about the backup
	plans  [2]vault.RestorePlan
	undel  bool    // bring back accounts deleted here
	apply  buttons // the plan's cancel and restore buttons, cancel focused
	top    int     // first plan line shown
	w, h   int
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
		changed
		done vault.RestorePlan
		err  error
	}
)

// newRestore is the restore screen, the path focused.
func newRestore(c *common) (restoreModel, tea.Cmd) {
	m := restoreModel{c: c, spin: newSpinner(c)}
	m.path = c.newField("Backup file: ", 4096)
	m.path.Placeholder = "~/wardkey-backup-….age"
	m.pass = newSecretField("Passphrase:  ", 1024)
	m.pass.focused = false
	m = m.SetSize(c.width, c.height-2).(restoreModel)
	return m, m.path.Focus()
}

// SetSize fits the fields to a terminal w cells wide.
func (m restoreModel) SetSize(w, h int) screen {
	m.w, m.h = w, h
	m.path.SetWidth(max(w-17, 8))
	m.pass.setWidth(max(min(w-17, 40), 8))
	return m
}

// ShortHelp is the hint under the form or the plan.
func (m restoreModel) ShortHelp() []key.Binding {
	k := m.c.keys
	switch m.step {
	case resPass:
		return []key.Binding{relabel(k.Submit, "decrypt"), relabel(k.PrevStep, "change the file"), relabel(k.Back, "cancel")}
	case resPlan:
		if !m.plan().Changes() {
			return []key.Binding{bind(append(k.Submit.Keys(), k.Back.Keys()...), k.Submit.Help().Key+" or "+k.Back.Help().Key, "back")}
		}
		return []key.Binding{relabel(k.NextButton, "choose"), relabel(k.Submit, "press"), bind(append(k.Up.Keys(), k.Down.Keys()...), "↑/↓", "scroll"), relabel(k.Back, "cancel")}
	}
	return []key.Binding{relabel(k.Submit, "next"), relabel(k.Back, "cancel")}
}

// FullHelp is every key of the screen.
func (m restoreModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{{relabel(k.Submit, "next; on the plan, press the button"), relabel(k.PrevStep, "change the file"), relabel(k.NextButton, "choose a button"), k.Undelete, k.Up, k.Down, relabel(k.Back, "cancel")}}
}

// wipe forgets the passphrase and the decrypted backup.
func (m restoreModel) wipe() restoreModel {
	m.pass.wipe()
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

// backupInfo says what the backup is, as 'wardkey restore' does.
func backupInfo(b backup.Backup, vaultID string) string {
	return wording.Sentence(wording.BackupInfo(b.Created, b.VaultID, len(b.State.Live()), vaultID))
}

// countOf says "1 account", "3 accounts".
func countOf(n int, what string) string { return wording.Count(n, what) }

// restoreSummary is the note after a restore.
func restoreSummary(p vault.RestorePlan) string {
	return "Restored: " + wording.RestoreSummary(p) + "."
}

// Update handles typing, the plan's keys and the decryption's answer.
func (m restoreModel) Update(msg tea.Msg) (screen, tea.Cmd) {
	k := m.c.keys
	switch msg := msg.(type) {
	case tea.BackgroundColorMsg:
		restyleFields(msg, &m.path)
		m.spin.Style = m.c.styles.Faint
		return m, nil
	case spinner.TickMsg:
		if m.step != resBusy {
			return m, nil
		}
		var cmd tea.Cmd
		if m.spin, cmd = m.spin.Update(msg); cmd != nil {
			cmd = spinCmd(m.c, m.spin)
		}
		return m, cmd
	case backupReadMsg:
		if m.step != resBusy {
			wipeRead(msg)
			return m, nil
		}
		if msg.err != "" {
			m.step, m.busy, m.err = resPass, "", msg.err
			if msg.retype {
				m.pass.focused = true
				return m, nil
			}
			m.step = resPath
			m.pass.focused = false
			return m, m.path.Focus()
		}
		b := msg.backup
		m.backup, m.file, m.info, m.plans = &b, msg.file, msg.info, msg.plans
		m.step, m.busy, m.err, m.top, m.undel = resPlan, "", "", 0, false
		m.apply = newButtons("cancel", "restore")
		return m, nil
	case restoredMsg:
		if msg.err == nil {
			m = m.wipe()
			return nil, toast(restoreSummary(msg.done), false)
		}
		m.step, m.busy, m.err = resPlan, "", sentence(msg.err)
		m.apply.focus = 0
		return m, nil
	case tea.KeyPressMsg:
		if m.step == resBusy {
			return m, nil
		}
		if matches(msg, k.Back) {
			return m.close()
		}
		switch m.step {
		case resPath:
			if matches(msg, k.Submit) {
				if strings.TrimSpace(m.path.Value()) == "" {
					m.err = "Type the backup file's path."
					return m, nil
				}
				m.err = ""
				m.step = resPass
				m.path.Blur()
				m.pass.focused = true
				return m, nil
			}
		case resPass:
			switch {
			case matches(msg, k.Submit):
				if m.pass.empty() {
					m.err = "Type the backup's passphrase."
					return m, nil
				}
				m.err = ""
				m.file = cleanPath(m.path.Value(), m.c.cfg.Home)
				m.step, m.busy = resBusy, "Decrypting the backup (scrypt takes a second or two)…"
				pass := m.pass.take() // readBackupCmd wipes it
				m.pass.focused = false
				return m, tea.Batch(spinCmd(m.c, m.spin), readBackupCmd(m.c.backend(), m.c.sess.v, m.file, strings.TrimSpace(m.path.Value()), pass))
			case matches(msg, k.PrevStep):
				m.err = ""
				m.pass.wipe()
				m.pass.focused = false
				m.step = resPath
				return m, m.path.Focus()
			}
		case resPlan:
			switch {
			case matches(msg, k.Undelete):
				m.undel = !m.undel
			case matches(msg, k.Up):
				m.top = max(m.top-1, 0)
			case matches(msg, k.Down):
				m.top++
			case !m.plan().Changes():
				if matches(msg, k.Submit) {
					return m.close()
				}
			default:
				var pressed, cancelled bool
				m.apply, pressed, cancelled = m.apply.update(k, msg)
				if cancelled {
					return m.close()
				}
				if !pressed {
					return m, nil
				}
				m.step, m.busy, m.err = resBusy, "Restoring…", ""
				return m, tea.Batch(spinCmd(m.c, m.spin), applyRestoreCmd(m.c.sess, m.backup.State, m.undel))
			}
			return m, nil
		}
	}
	var cmd tea.Cmd
	switch m.step {
	case resPath:
		m.path, cmd = m.path.Update(msg)
	case resPass:
		m.pass = m.pass.update(k, msg)
	}
	return m, cmd
}

// planLines lists the plan category by category, in the words and order
// 'wardkey restore' prints it (app/wording).
func (m restoreModel) planLines() []string {
	st := m.c.styles
	p := m.plan()
	var out []string
	for _, sec := range wording.RestorePlan(p, m.undel, m.c.keys.Undelete.Help().Key) {
		out = append(out, fmt.Sprintf("%s: %d", strings.ToUpper(sec.Title[:1])+sec.Title[1:], len(sec.Accounts)))
		if sec.List {
			for _, a := range sec.Accounts {
				out = append(out, "  "+label(a))
			}
		}
		if sec.Note != "" && len(sec.Accounts) > 0 {
			out = append(out, st.Faint.Render("  ("+sec.Note+")"))
		}
	}
	if l := wording.PlanSettings(p); l != "" {
		out = append(out, strings.ToUpper(l[:1])+l[1:])
	}
	return out
}

// forget wipes the passphrase and the decrypted backup (on lock).
func (m restoreModel) forget() { m.wipe() }

// wipeRead wipes a decrypted backup nobody will show.
func wipeRead(msg backupReadMsg) {
	wipeAll(msg.backup.State.Accounts)
	for _, p := range msg.plans {
		wipePlan(p)
	}
}

// View renders the restore screen.
func (m restoreModel) View() string {
	w, h := m.w, m.h
	st := m.c.styles
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
		foot = append(foot, "", st.Key.Render(m.c.keys.Undelete.Help().Key)+" "+box+" bring back accounts deleted here")
		switch {
		case m.step == resBusy:
			foot = append(foot, "", m.spin.View()+" "+st.Faint.Render(m.busy))
		case m.err != "":
			foot = append(foot, "", st.Error.Render(m.err))
		case !m.plan().Changes():
			foot = append(foot, "", "The vault already holds everything in this backup.", m.c.hints(m.ShortHelp()...))
		default:
			foot = append(foot, "", m.apply.view(st), "", m.c.hints(m.ShortHelp()...))
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
		lines = append(lines, st.Label.Render("Backup file: ")+m.path.Value(), m.pass.view(st))
	}
	switch {
	case m.step == resBusy:
		lines = append(lines, "", m.spin.View()+" "+st.Faint.Render(m.busy))
	case m.err != "":
		lines = append(lines, "", st.Error.Render(m.err))
	}
	if m.step != resBusy {
		lines = append(lines, "", m.c.hints(m.ShortHelp()...))
	}
	return fit(wrapLines(lines, w), w, h)
}

// close wipes what the screen holds and goes back to the list.
func (m restoreModel) close() (screen, tea.Cmd) {
	m.wipe()
	return nil, nil
}
