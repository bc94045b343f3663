package app

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wardkey/wardkey/app/display"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

// listItem is one element of `list --json` (DESIGN.md): every key always
// present, never a secret.
type listItem struct {
	ID        string   `json:"id"`
	Issuer    string   `json:"issuer"`
	Name      string   `json:"name"`
	Type      string   `json:"type"`
	Algorithm string   `json:"algorithm"`
	Digits    int      `json:"digits"`
	Period    int      `json:"period"`
	Counter   uint64   `json:"counter"`
	Tags      []string `json:"tags"`
	Favorite  bool     `json:"favorite"`
}

func cmdList(e *env, args []string) error {
	fs := e.flags("list")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("list takes no arguments")
	}
	v, err := e.openVault()
	if err != nil {
		return err
	}
	defer v.Close()
	as := v.Accounts()
	if *asJSON {
		items := make([]listItem, 0, len(as))
		for _, a := range as {
			it := listItem{ID: a.ID, Issuer: a.Issuer, Name: a.Name, Type: string(a.Type), Algorithm: string(a.Algorithm),
				Digits: a.Digits, Period: a.Period, Counter: a.Counter, Tags: a.Tags, Favorite: a.Favorite}
			if it.Tags == nil {
				it.Tags = []string{}
			}
			if a.Type == vault.HOTP {
				it.Period = 0
			} else {
				it.Counter = 0
			}
			items = append(items, it)
		}
		// The exact values, with every character that could drive a
		// terminal as a \u escape (encoding/json leaves DEL, C1 and the
		// bidi controls raw).
		b, err := json.MarshalIndent(items, "", "  ")
		if err != nil {
			return err
		}
		_, err = e.out.Write(append(display.EscapeJSON(b), '\n'))
		return err
	}
	if len(as) == 0 {
		fmt.Fprintf(e.err, "wardkey: the vault has no accounts yet: add one with '%s' or '%s'\n", e.cmdline("add"), e.cmdline("import"))
		return nil
	}
	tw := tabwriter.NewWriter(e.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ISSUER\tNAME\tTYPE\tID")
	for _, a := range as {
		fav := ""
		if a.Favorite {
			fav = " *"
		}
		fmt.Fprintf(tw, "%s\t%s%s\t%s\t%s\n", show(a.Issuer), show(a.Name), fav, a.Type, a.ID)
	}
	return tw.Flush()
}

func cmdCode(e *env, args []string) error {
	fs := e.flags("code")
	at := fs.String("at", "", "the time: RFC 3339 or Unix seconds (no clock offset is added)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("code takes one QUERY")
	}
	var t time.Time
	if *at != "" {
		if t, err = parseTime(*at); err != nil {
			return usagef("--at %q: use RFC 3339 (2026-01-02T15:04:05Z) or Unix seconds", *at)
		}
	} else {
		e.prefetchKey() // before the offset's read of local.json
		t = e.now().Add(e.offset())
	}
	v, a, err := e.openAndFind(pos[0])
	if err != nil {
		return err
	}
	defer v.Close()
	var code string
	if a.Type == vault.HOTP {
		// The next counter is saved before its code is shown.
		var c uint64
		if err := v.Update(func(tx *vault.Tx) error {
			c, err = tx.NextHOTP(a.ID)
			return err
		}); err != nil {
			return err
		}
		code, err = vault.HOTPCode(a, c)
	} else {
		code, err = vault.TOTPCode(a, t)
	}
	if err != nil {
		return err
	}
	e.audit(v, audit.Event{Event: audit.CodeShown, Account: a.ID})
	fmt.Fprintln(e.out, code)
	return nil
}

// openAndFind opens the vault and picks the one account QUERY names. The
// caller closes the vault. The vault is opened for that one account
// (vault.Unlock.OneAccount): a change the caller then makes decodes and
// checks the rest first.
func (e *env) openAndFind(query string) (*vault.Vault, vault.Account, error) {
	e.oneAccount = true
	v, err := e.openVault()
	e.oneAccount = false
	if err != nil {
		return nil, vault.Account{}, err
	}
	a, err := v.Find(query)
	if err != nil {
		v.Close()
		return nil, vault.Account{}, err
	}
	return v, a, nil
}

func parseTime(s string) (time.Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), nil
	}
	return time.Parse(time.RFC3339, s)
}

func cmdDelete(e *env, args []string) error {
	fs := e.flags("delete")
	yes := fs.Bool("yes", false, "do not ask")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("delete takes one QUERY")
	}
	v, a, err := e.openAndFind(pos[0])
	if err != nil {
		return err
	}
	defer v.Close()
	if !*yes {
		if !e.interactive() {
			return withHint(fmt.Errorf("not deleting %s without confirmation", label(a)), "add --yes to delete without asking")
		}
		ans, err := e.promptLine(fmt.Sprintf("Delete %s (%s)? It cannot be undone here. [y/N] ", label(a), a.ID))
		if err != nil {
			return err
		}
		if !strings.EqualFold(ans, "y") && !strings.EqualFold(ans, "yes") {
			return fmt.Errorf("nothing deleted")
		}
	}
	if err := v.Update(func(tx *vault.Tx) error { tx.Delete(a.ID); return nil }); err != nil {
		return err
	}
	e.audit(v, audit.Event{Event: audit.Delete, Account: a.ID})
	fmt.Fprintf(e.err, "wardkey: deleted %s (%s)\n", label(a), a.ID)
	return nil
}
