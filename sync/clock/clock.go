// Package clock measures this machine's clock against an NTP server, so
// that codes can be corrected when the system clock is wrong.
//
// Time-based codes fail first when a clock is wrong: a workstation 40
// seconds slow shows codes the service has already retired. [Measure] asks
// an NTP server (pool.ntp.org, or the clinic's own) how far the system clock
// is off; the app can then store that offset in the profile's local.json
// (vault.Local.ClockOffset), and every code is computed at
//
//	time.Now().Add(offset)
//
// The offset belongs to the machine, never to the vault: it is not synced
// and not backed up.
//
// # Offline
//
// Measure never waits more than [MaxWait], whatever the context says, and
// changes nothing: offline it fails with [ErrNoAnswer] and codes keep the
// offset they had.
package clock

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"time"

	"github.com/beevik/ntp"
)

// DefaultServer is asked when no server is named.
const DefaultServer = "pool.ntp.org"

// defaultServer is what Measure asks for "": DefaultServer, except in
// this package's tests, which never ask a public server.
var defaultServer = DefaultServer

// MaxWait is the longest Measure waits for an answer, in total.
const MaxWait = 5 * time.Second

// MaxApply is the largest offset that is applied without --force: beyond
// it the system clock, not wardkey, needs fixing.
const MaxApply = 15 * time.Minute

// WarnAt is the offset beyond which the code screen shows a banner.
const WarnAt = 5 * time.Second

// samples is how many queries Measure makes when the server answers; the
// one with the shortest round trip gives the offset.
const samples = 3

// ErrNoAnswer: the NTP server could not be reached or did not answer in time.
var ErrNoAnswer = errors.New("no answer from the NTP server")

// ErrBadAnswer: the server answered, but its answer is unfit to set a clock
// by (unsynchronised, kiss-of-death, out-of-range stratum).
var ErrBadAnswer = errors.New("the NTP server's answer cannot be used")

// Result is one measurement.
type Result struct {
	// Server is the server asked, as given (host or host:port).
	Server string
	// Offset is server time minus local time: positive when this clock is
	// behind.
	Offset time.Duration
	// RTT is the round-trip time of the sample used.
	RTT time.Duration
	// Stratum is the server's distance from a reference clock (1 = next
	// to one).
	Stratum int
}

// Seconds returns d in seconds, rounded to the millisecond: how offsets
// are stored and printed.
func Seconds(d time.Duration) float64 {
	return math.Round(d.Seconds()*1000) / 1000
}

// Measure asks server (DefaultServer when "") for the offset of the system
// clock. It takes up to three samples and keeps the one with the shortest
// round trip. It returns within MaxWait, or sooner if ctx ends.
func Measure(ctx context.Context, server string) (Result, error) {
	if server == "" {
		server = defaultServer
	}
	ctx, cancel := context.WithTimeout(ctx, MaxWait)
	defer cancel()
	var best *ntp.Response
	var firstErr error
	for i := 0; i < samples; i++ {
		r, err := query(ctx, server)
		if err == nil {
			err = r.Validate()
			if err != nil {
				err = fmt.Errorf("%w: %w", ErrBadAnswer, err)
			}
		}
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			if best == nil && !errors.Is(err, ErrBadAnswer) {
				break // unreachable: do not spend the rest of the wait
			}
			continue
		}
		if best == nil || r.RTT < best.RTT {
			best = r
		}
		if ctx.Err() != nil {
			break
		}
	}
	if best == nil {
		if errors.Is(firstErr, ErrBadAnswer) {
			return Result{Server: server}, fmt.Errorf("ask %s: %w", server, firstErr)
		}
		return Result{Server: server}, fmt.Errorf("ask %s: %w: %w", server, ErrNoAnswer, firstErr)
	}
	return Result{Server: server, Offset: best.ClockOffset, RTT: best.RTT, Stratum: int(best.Stratum)}, nil
}

// query makes one NTP query bounded by ctx: name resolution, and the wait
// for the answer, which ends when ctx does (the socket is closed then).
func query(ctx context.Context, server string) (*ntp.Response, error) {
	deadline, _ := ctx.Deadline()
	wait := time.Until(deadline)
	if wait <= 0 {
		return nil, context.DeadlineExceeded
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	done := make(chan struct{})
	defer close(done)
	return ntp.QueryWithOptions(server, ntp.QueryOptions{
		Timeout: wait,
		Dialer: func(_, remote string) (net.Conn, error) {
			var d net.Dialer
			c, err := d.DialContext(ctx, "udp", remote)
			if err != nil {
				return nil, err
			}
			go func() {
				select {
				case <-ctx.Done():
					c.SetDeadline(time.Now()) // wake the read now
				case <-done:
				}
			}()
			return c, nil
		},
	})
}

// CheckApply reports whether an offset may be applied: within ±MaxApply,
// or any offset when force is set.
func CheckApply(offset time.Duration, force bool) error {
	if force || offset.Abs() <= MaxApply {
		return nil
	}
	return fmt.Errorf("the clock is off by %s, more than %s: set the system clock instead", Describe(offset), MaxApply)
}

// Describe says how an offset (server minus local) reads to a person:
// "90.002 s behind", "2.5 s ahead", "right".
func Describe(offset time.Duration) string {
	s := Seconds(offset)
	switch {
	case s > 0:
		return fmt.Sprintf("%s s behind", trim(s))
	case s < 0:
		return fmt.Sprintf("%s s ahead", trim(-s))
	}
	return "right"
}

func trim(s float64) string {
	return fmt.Sprint(s) // shortest form: 90, 90.002
}

// Wrong reports whether codes may be refused: the system clock's offset
// (measured, from Measure) less the offset codes already use (applied,
// vault.Local.Offset) is beyond WarnAt. The code screen's banner, 'wardkey
// clock' and 'wardkey doctor' all decide with it.
func Wrong(measured, applied time.Duration) bool {
	return (measured - applied).Abs() > WarnAt
}

// Advice is what to do when codes may be wrong (see Wrong): the code
// screen's banner and 'wardkey doctor' both say it after the offset.
const Advice = "codes may be refused; fix: wardkey clock --apply"

// Banner is the code screen's line when codes may be wrong (see Wrong),
// short enough for 80 columns, or "" when all is well.
func Banner(measured, applied time.Duration) string {
	if !Wrong(measured, applied) {
		return ""
	}
	return fmt.Sprintf("Clock %s: %s", Describe(measured-applied), Advice)
}

// Corrected is the note the code screen shows while an applied offset of
// more than WarnAt corrects every code, or "" for a smaller one.
func Corrected(applied time.Duration) string {
	if applied.Abs() <= WarnAt {
		return ""
	}
	return fmt.Sprintf("This clock is %s: codes are corrected (wardkey clock)", Describe(applied))
}
