package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/wardkey/wardkey/sync/clock"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

// ntpServer is the NTP server asked when none is named or remembered:
// WARDKEY_NTP_SERVER where it is set (tests point it at loopback, so no
// test asks a public server), else clock.DefaultServer.
func ntpServer() string { return firstNonEmpty(os.Getenv("WARDKEY_NTP_SERVER"), clock.DefaultServer) }

// clockJSON is `clock --json`: the CLI contract's keys, always present.
type clockJSON struct {
	Server        string  `json:"server"`
	OffsetSeconds float64 `json:"offset_seconds"`
	RTTSeconds    float64 `json:"rtt_seconds"`
	Stratum       int     `json:"stratum"`
}

// cmdClock measures this clock against NTP and, with --apply, stores the
// offset in local.json, so every code (CLI and TUI) uses it.
func cmdClock(e *env, args []string) error {
	fs := e.flags("clock")
	server := fs.String("server", "", "the NTP server, HOST or HOST:PORT (default: the policy's ntp_server, else the one last applied, else "+clock.DefaultServer+")")
	asJSON := fs.Bool("json", false, "print the measurement as JSON")
	apply := fs.Bool("apply", false, "store the offset: codes use it from now on")
	force := fs.Bool("force", false, "with --apply: accept an offset beyond 15 minutes")
	reset := fs.Bool("reset", false, "remove the stored offset")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("clock takes no arguments")
	}
	if *apply && *reset {
		return usagef("--apply and --reset exclude each other")
	}
	if *force && !*apply {
		return usagef("--force goes with --apply")
	}
	dir := e.dir()
	local, err := vault.LoadLocal(dir)
	if err != nil {
		return fmt.Errorf("read this machine's settings: %w", err)
	}
	if *reset {
		if *server != "" || *asJSON {
			return usagef("--reset takes no --server or --json")
		}
		if _, err := vault.UpdateLocal(dir, func(l *vault.Local) { l.ClockOffset, l.ClockForced = 0, false }); err != nil {
			return fmt.Errorf("remove the clock offset: %w", err)
		}
		fmt.Fprintf(e.err, "wardkey: the clock offset is removed (it was %+g s): codes use the system clock\n", local.ClockOffset)
		return nil
	}
	srv := firstNonEmpty(*server, e.ntpServer(local.ClockServer))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	r, err := clock.Measure(ctx, srv)
	if err != nil {
		return withHint(fmt.Errorf("measure the clock: %w", err), clockHint(err, *server != ""))
	}
	if *asJSON {
		b, err := json.Marshal(clockJSON{Server: r.Server, OffsetSeconds: clock.Seconds(r.Offset), RTTSeconds: clock.Seconds(r.RTT), Stratum: r.Stratum})
		if err != nil {
			return err
		}
		fmt.Fprintln(e.out, string(b))
	} else {
		fmt.Fprintf(e.out, "%s (stratum %d, round trip %s): this clock is %s\n",
			r.Server, r.Stratum, r.RTT.Round(100*time.Microsecond), clock.Describe(r.Offset))
	}
	if !*apply {
		applied := local.Offset()
		switch {
		case local.ClockOffset != 0:
			fmt.Fprintf(e.err, "wardkey: codes use an applied offset of %+g s\n", local.ClockOffset)
			if clock.Wrong(r.Offset, applied) {
				fmt.Fprintf(e.err, "wardkey: hint: run '%s' to correct it, or '%s' once the system clock is right\n", e.cmdline("clock --apply"), e.cmdline("clock --reset"))
			}
		case clock.Wrong(r.Offset, 0):
			fmt.Fprintf(e.err, "wardkey: hint: codes may be refused: set the system clock, or run '%s' to correct codes on this machine\n", e.cmdline("clock --apply"))
		}
		return nil
	}
	if err := clock.CheckApply(r.Offset, *force); err != nil {
		return withHint(err, "set the system clock (timedatectl, or your OS settings); or, if you are sure, apply it anyway with --apply --force")
	}
	if r.Offset.Abs() > vault.MaxForcedClockOffset {
		return withHint(fmt.Errorf("the clock is off by %s, more than %s: not even --force applies that", clock.Describe(r.Offset), vault.MaxForcedClockOffset),
			"set the system clock (timedatectl, or your OS settings)")
	}
	off := clock.Seconds(r.Offset)
	if _, err := vault.UpdateLocal(dir, func(l *vault.Local) {
		l.ClockOffset = off
		l.ClockForced = r.Offset.Abs() > vault.MaxClockOffset
		l.ClockServer = r.Server
		l.ClockCheckedAt = e.now().UTC()
	}); err != nil {
		return fmt.Errorf("store the clock offset: %w", err)
	}
	// clock --apply does not open the vault (the offset is this machine's):
	// its line is written as one of a locked vault.
	e.auditLocked(audit.Event{Event: audit.ClockApply, Detail: map[string]any{"offset_seconds": off, "server": r.Server}})
	fmt.Fprintf(e.err, "wardkey: applied: codes of profile %q use %+g s from now on ('%s' removes it)\n", e.profile, off, e.cmdline("clock --reset"))
	return nil
}

// clockHint says what to try when the server does not answer.
func clockHint(err error, named bool) string {
	switch {
	case errors.Is(err, clock.ErrBadAnswer):
		return "that server is not synchronised or asks to be left alone: try another with --server"
	case named:
		return "check the server name and port, and that UDP to it is allowed; codes keep the offset they had"
	}
	return "no network, or UDP port 123 is blocked: give your organisation's NTP server with --server HOST; codes keep the offset they had"
}

// doctorClockWait bounds doctor's NTP question: doctor must stay quick.
const doctorClockWait = 2 * time.Second

// clockCheck is doctor's clock line: a sane date, then NTP when a server
// answers within doctorClockWait (offline is a warning, not a failure).
func clockCheck(e *env) checkResult {
	now := e.now()
	if now.Year() < 2024 {
		return checkResult{"clock", checkFail, fmt.Sprintf("the system clock says %s: codes will be wrong; set the date", now.Format(time.RFC3339))}
	}
	l, _ := vault.LoadLocal(e.dir())
	applied := ""
	if l.ClockOffset != 0 {
		applied = fmt.Sprintf("; codes use an applied offset of %+g s", l.ClockOffset)
	}
	srv := e.ntpServer(l.ClockServer)
	ctx, cancel := context.WithTimeout(context.Background(), doctorClockWait)
	defer cancel()
	r, err := clock.Measure(ctx, srv)
	if err != nil {
		return checkResult{"clock", checkWarn, fmt.Sprintf("could not compare with NTP (%s did not answer)%s: run '%s' when online", srv, applied, e.cmdline("clock --server HOST"))}
	}
	if p := e.policy(); p.MaxClockOffset > 0 {
		if off := (r.Offset - l.Offset()).Abs(); off > time.Duration(p.MaxClockOffset)*time.Second {
			return checkResult{"clock", checkFail, fmt.Sprintf("%s says codes here are %.1f s off, beyond the administrator's policy (%s, max_clock_offset = %d)%s: %s",
				r.Server, off.Seconds(), p.File, p.MaxClockOffset, applied, withProfile(clock.Advice, e.profile))}
		}
	}
	if clock.Wrong(r.Offset, l.Offset()) {
		return checkResult{"clock", checkWarn, fmt.Sprintf("%s says this clock is %s%s: %s", r.Server, clock.Describe(r.Offset), applied, withProfile(clock.Advice, e.profile))}
	}
	return checkResult{"clock", checkOK, fmt.Sprintf("%s says this clock is %s%s", r.Server, clock.Describe(r.Offset), applied)}
}

// offset is the applied clock correction of this profile (sync/clock),
// within its bounds (vault.Local.Offset): one out of bounds (an edited
// local.json) is ignored with a warning.
func (e *env) offset() time.Duration {
	l, err := vault.LoadLocal(e.dir())
	if err != nil {
		return 0
	}
	if l.OffsetIgnored() {
		fmt.Fprintf(e.err, "wardkey: warning: the clock offset in %s (%+g s) is beyond %s and was not applied with --force (or beyond %s): ignored, codes use the system clock\n",
			vault.LocalFile, l.ClockOffset, vault.MaxClockOffset, vault.MaxForcedClockOffset)
		fmt.Fprintf(e.err, "wardkey: hint: run '%s', then '%s' if the clock is still off\n", e.cmdline("clock --reset"), e.cmdline("clock --apply"))
	}
	return l.Offset()
}
