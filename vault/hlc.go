package vault

import (
	"cmp"
	"fmt"
	"sync"
	"time"
)

// Stamp is a hybrid logical clock reading: physical milliseconds, a logical
// counter for events within one millisecond (or behind a clock that went
// back), and the device ID as the final tie-break. Stamps are totally
// ordered by [Stamp.Compare].
type Stamp struct {
	Wall    int64  `json:"wall"`    // Unix milliseconds
	Logical uint32 `json:"logical"` // counter within Wall
	Device  string `json:"device"`  // the device that made the change
}

// Compare orders stamps: -1 if s is older than o, 0 if equal, +1 if newer.
func (s Stamp) Compare(o Stamp) int {
	if c := cmp.Compare(s.Wall, o.Wall); c != 0 {
		return c
	}
	if c := cmp.Compare(s.Logical, o.Logical); c != 0 {
		return c
	}
	return cmp.Compare(s.Device, o.Device)
}

// IsZero reports whether the stamp was never set.
func (s Stamp) IsZero() bool { return s == Stamp{} }

// String renders a stamp for diagnostics.
func (s Stamp) String() string {
	return fmt.Sprintf("%s+%d@%s", time.UnixMilli(s.Wall).UTC().Format(time.RFC3339Nano), s.Logical, s.Device)
}

// Clock issues stamps for one device. Every stamp it issues is newer than
// every stamp it has issued or observed, whatever the wall clock says, so an
// edit made after seeing another edit always wins a merge.
type Clock struct {
	mu     sync.Mutex
	device string
	now    func() time.Time
	last   Stamp
}

// NewClock returns a clock for a device. now may be nil (time.Now).
func NewClock(device string, now func() time.Time) *Clock {
	if now == nil {
		now = time.Now
	}
	return &Clock{device: device, now: now}
}

// Device is the ID this clock stamps with.
func (c *Clock) Device() string { return c.device }

// Observe advances the clock past a stamp seen elsewhere, but never past
// now + MaxAhead: a stamp from far in the future (a crafted backup, a
// broken clock elsewhere) does not make every later change of this device
// carry it.
func (c *Clock) Observe(s Stamp) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if limit := c.now().Add(MaxAhead).UnixMilli(); s.Wall > limit {
		s = Stamp{Wall: limit}
	}
	if s.Wall > c.last.Wall || s.Wall == c.last.Wall && s.Logical > c.last.Logical {
		c.last.Wall, c.last.Logical = s.Wall, s.Logical
	}
}

// Now issues a new stamp.
func (c *Clock) Now() Stamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.now().UnixMilli()
	if w > c.last.Wall {
		c.last = Stamp{Wall: w, Device: c.device}
	} else {
		c.last = Stamp{Wall: c.last.Wall, Logical: c.last.Logical + 1, Device: c.device}
	}
	return c.last
}
