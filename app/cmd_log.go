package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wardkey/wardkey/app/wording"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

// cmdLog shows this profile's audit log; --verify checks its chain under
// the vault's audit key (which opens the vault) and exits 1 naming the
// first line altered, removed, reordered or cut.
func cmdLog(e *env, args []string) error {
	fs := e.flags("log")
	asJSON := fs.Bool("json", false, "print the lines as stored (one JSON object a line)")
	since := fs.String("since", "", "only events since: a duration (90m, 36h), days (7d), or an RFC 3339 time")
	verify := fs.Bool("verify", false, "check every line's mac and the anchor (opens the vault)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("log takes no arguments")
	}
	var from time.Time
	if *since != "" {
		if from, err = parseSince(*since, e.now()); err != nil {
			return usagef("--since %q: use a duration (90m, 36h), days (7d) or an RFC 3339 time", *since)
		}
	}
	if e.demo {
		return usagef("the demo keeps no audit log: leave out --demo")
	}
	dir := e.dir()
	if !vault.Exists(dir) {
		return e.explainOpen(vault.ErrNoVault)
	}
	var rep audit.Report
	if *verify {
		v, err := e.openVault()
		if err != nil {
			return err
		}
		v.Close()
		if e.auditLog.key == nil {
			return errors.New("this vault gave no audit key, so the log cannot be verified")
		}
		rep, err = audit.Verify(dir, e.auditLog.key, loadAnchor(dir, e.auditLog.key))
		if err != nil {
			return fmt.Errorf("read the audit log: %w", err)
		}
	} else if rep, err = audit.Read(dir); err != nil {
		return fmt.Errorf("read the audit log: %w", err)
	}
	for _, en := range rep.Entries {
		if en.Time.Before(from) {
			continue
		}
		if *asJSON {
			fmt.Fprintf(e.out, "%s\n", en.Raw)
			continue
		}
		fmt.Fprintln(e.out, logLine(en, *verify))
	}
	switch {
	case len(rep.Problems) > 0 && *verify:
		for _, p := range rep.Problems[1:] {
			fmt.Fprintf(e.err, "wardkey: also: %s\n", p)
		}
		return withHint(fmt.Errorf("the audit log does not verify: %s", rep.Problems[0]),
			"someone changed it, or the disk damaged it; keep a copy of audit.log, audit.anchor and local.json for whoever looks into it")
	case len(rep.Problems) > 0:
		fmt.Fprintf(e.err, "wardkey: warning: the audit log is damaged: %s: '%s' checks it\n", rep.Problems[0], e.cmdline("log --verify"))
	case *verify:
		fmt.Fprintf(e.err, "wardkey: the audit log verifies: %s", wording.Count(len(rep.Entries), "line"))
		if rep.Pending > 0 {
			fmt.Fprintf(e.err, " (the last %d written while locked: the next unlock covers them)", rep.Pending)
		}
		fmt.Fprintln(e.err)
	}
	return nil
}

// logLine is one event for a person: local time, seq, event, account ID,
// detail, and whether it was written while locked.
func logLine(en audit.Entry, verified bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  #%-5d %-16s", en.Time.Local().Format("2006-01-02 15:04:05"), en.Seq, en.Event)
	if en.Account != "" {
		fmt.Fprintf(&b, " account=%s", en.Account)
	}
	if en.Detail != nil {
		var m map[string]any
		if json.Unmarshal(en.Detail, &m) == nil {
			for _, k := range slices.Sorted(maps.Keys(m)) {
				fmt.Fprintf(&b, " %s=%v", k, m[k])
			}
		}
	}
	if en.Locked() {
		b.WriteString("  (written while locked)")
	}
	if verified && !en.Verified && !en.Locked() {
		b.WriteString("  (NOT VERIFIED)")
	}
	return strings.TrimRight(b.String(), " ")
}

// parseSince reads --since: a Go duration, N days (7d), or RFC 3339.
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return time.Time{}, errors.New("bad days")
		}
		return now.AddDate(0, 0, -n), nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Parse(time.RFC3339, s)
}
