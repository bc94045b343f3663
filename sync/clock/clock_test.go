package clock

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// fakeServer answers every NTP query with a packet that reply builds from
// the request. nil reply: it reads and never answers (a black hole).
func fakeServer(t *testing.T, reply func(req []byte) []byte) string {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			if reply != nil {
				_, _ = c.WriteTo(reply(buf[:n]), from)
			}
		}
	}()
	return c.LocalAddr().String()
}

// kissOfDeath answers stratum 0 with code RATE: "stop asking me".
func kissOfDeath(req []byte) []byte {
	p := make([]byte, 48)
	p[0] = 0<<6 | 4<<3 | 4 // leap 0, version 4, mode server
	p[1] = 0               // stratum 0: kiss-of-death
	copy(p[12:16], "RATE")
	copy(p[24:32], req[40:48]) // origin = client's transmit time
	now := uint64(time.Now().Unix()+2208988800) << 32
	binary.BigEndian.PutUint64(p[32:40], now)
	binary.BigEndian.PutUint64(p[40:48], now)
	return p
}

func TestMeasureFailures(t *testing.T) {
	closed := func() string {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		a := c.LocalAddr().String()
		c.Close()
		return a
	}()
	for _, tc := range []struct {
		name    string
		server  string
		timeout time.Duration // of the caller's context; 0: none
		want    error
		within  time.Duration
	}{
		{"closed port", closed, 0, ErrNoAnswer, time.Second},
		{"black hole, caller's deadline", fakeServer(t, nil), 300 * time.Millisecond, ErrNoAnswer, time.Second},
		{"black hole, own limit", fakeServer(t, nil), 0, ErrNoAnswer, MaxWait + time.Second},
		{"kiss of death", fakeServer(t, kissOfDeath), 0, ErrBadAnswer, time.Second},
		{"name that does not resolve", "ntp.wardkey.invalid", 2 * time.Second, ErrNoAnswer, 3 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			start := time.Now()
			r, err := Measure(ctx, tc.server)
			took := time.Since(start)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Measure(%s) = %v, want %v", tc.server, err, tc.want)
			}
			if took > tc.within {
				t.Errorf("took %v, want at most %v", took, tc.within)
			}
			if r.Server != tc.server || r.Offset != 0 {
				t.Errorf("result %+v on failure", r)
			}
			if !strings.Contains(err.Error(), tc.server) {
				t.Errorf("error %q does not name the server", err)
			}
		})
	}
}

func TestMeasureDefaultServer(t *testing.T) {
	// "" asks the default server. No test asks a public one: the default
	// is pointed at a closed loopback port, and the answer must be "no
	// answer" from that server, in time.
	defer func(s string) { defaultServer = s }(defaultServer)
	defaultServer = "127.0.0.1:9"
	if DefaultServer != "pool.ntp.org" {
		t.Errorf("DefaultServer = %q", DefaultServer)
	}
	start := time.Now()
	r, err := Measure(context.Background(), "")
	if r.Server != "127.0.0.1:9" || !errors.Is(err, ErrNoAnswer) {
		t.Errorf("Measure(\"\") = %+v, %v; want the default server and ErrNoAnswer", r, err)
	}
	if d := time.Since(start); d > MaxWait+time.Second {
		t.Errorf("Measure took %v, more than MaxWait", d)
	}
}

func TestWrongAndCorrected(t *testing.T) {
	if Wrong(WarnAt, 0) || !Wrong(WarnAt+time.Millisecond, 0) || Wrong(90*time.Second, 88*time.Second) {
		t.Error("Wrong does not draw the line at WarnAt of the residual")
	}
	if got := Corrected(90 * time.Second); got != "This clock is 90 s behind: codes are corrected (wardkey clock)" {
		t.Errorf("Corrected(90 s) = %q", got)
	}
	if got := Corrected(-WarnAt); got != "" {
		t.Errorf("Corrected(-WarnAt) = %q, want none", got)
	}
}

func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{90*time.Second + 2*time.Millisecond, "90.002 s behind"},
		{-2500 * time.Millisecond, "2.5 s ahead"},
		{400 * time.Microsecond, "right"},
		{0, "right"},
	} {
		if got := Describe(tc.d); got != tc.want {
			t.Errorf("Describe(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestCheckApply(t *testing.T) {
	for _, tc := range []struct {
		d     time.Duration
		force bool
		ok    bool
	}{
		{90 * time.Second, false, true},
		{-15 * time.Minute, false, true},
		{15*time.Minute + time.Second, false, false},
		{-16 * time.Minute, false, false},
		{-16 * time.Minute, true, true},
		{48 * time.Hour, true, true},
	} {
		err := CheckApply(tc.d, tc.force)
		if (err == nil) != tc.ok {
			t.Errorf("CheckApply(%v, %v) = %v, want ok=%v", tc.d, tc.force, err, tc.ok)
		}
	}
}

func TestBanner(t *testing.T) {
	for _, tc := range []struct {
		measured, applied time.Duration
		want              string
	}{
		{90 * time.Second, 0, "90 s behind"},
		{90 * time.Second, 90 * time.Second, ""},
		{90 * time.Second, 88 * time.Second, ""},
		{-6 * time.Second, 0, "6 s ahead"},
		{5 * time.Second, 0, ""},
		{0, 30 * time.Second, "30 s ahead"}, // applied, but the clock was fixed since
	} {
		got := Banner(tc.measured, tc.applied)
		if (got == "") != (tc.want == "") || !strings.Contains(got, tc.want) {
			t.Errorf("Banner(%v, %v) = %q, want %q", tc.measured, tc.applied, got, tc.want)
		}
		if got != "" && !strings.Contains(got, "wardkey clock --apply") {
			t.Errorf("Banner %q does not say the fix", got)
		}
	}
}

func TestSeconds(t *testing.T) {
	if got := Seconds(90*time.Second + 2345*time.Microsecond); got != 90.002 {
		t.Errorf("Seconds = %v, want 90.002", got)
	}
	if got := Seconds(-1500 * time.Millisecond); got != -1.5 {
		t.Errorf("Seconds = %v, want -1.5", got)
	}
}
