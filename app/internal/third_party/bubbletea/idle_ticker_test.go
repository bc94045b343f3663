package tea

// Tests for wardkey's patch (../bubbletea-idle-ticker.patch): the renderer's
// ticker runs only while there are frames to draw. They run in a
// testing/synctest bubble, whose clock moves only when every goroutine in it
// is blocked, so "without waiting for a tick" and "over ten seconds" are
// exact, not timed.

import (
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

type bumpMsg struct{}

type counterModel struct{ n int }

func (m *counterModel) Init() Cmd { return nil }

func (m *counterModel) Update(msg Msg) (Model, Cmd) {
	if _, ok := msg.(bumpMsg); ok {
		m.n++
	}
	return m, nil
}

// View is a line of five letters, a for 0, b for 1 …: each count redraws the
// whole line, so its text is in the output.
func (m *counterModel) View() View { return NewView(label(m.n)) }

func label(n int) string { return strings.Repeat(string(rune('a'+n)), 5) }

// countingRenderer counts the renderer's flushes: one per tick, and one per
// frame drawn at once.
type countingRenderer struct {
	renderer
	mu      sync.Mutex
	flushes int
}

func (r *countingRenderer) flush(closing bool) error {
	r.mu.Lock()
	r.flushes++
	r.mu.Unlock()
	return r.renderer.flush(closing)
}

func (r *countingRenderer) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.flushes
}

// syncWriter is the terminal: what was written, and in how many writes.
type syncWriter struct {
	mu     sync.Mutex
	b      strings.Builder
	writes int
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes++
	return w.b.Write(p)
}

func (w *syncWriter) state() (string, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String(), w.writes
}

// runIdle starts a program at fps in the bubble and returns once its first
// frame is drawn and its ticker has had a frame interval to stop.
func runIdle(t *testing.T, fps int) (*Program, *countingRenderer, *syncWriter, func()) {
	t.Helper()
	out := &syncWriter{}
	r := &countingRenderer{renderer: newCursedRenderer(out, nil, 80, 24)}
	p := NewProgram(&counterModel{}, WithInput(nil), WithOutput(out), WithFPS(fps),
		WithoutSignalHandler(), WithWindowSize(80, 24))
	p.renderer = r
	done := make(chan error, 1)
	go func() {
		_, err := p.Run()
		done <- err
	}()
	time.Sleep(2 * time.Second / time.Duration(fps))
	synctest.Wait()
	if s, _ := out.state(); !strings.Contains(s, label(0)) {
		t.Fatalf("first frame not drawn: %q", s)
	}
	return p, r, out, func() {
		p.Quit()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

func TestIdleProgramDoesNotWake(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, r, _, stop := runIdle(t, 60)
		defer stop()
		before := r.count()
		time.Sleep(10 * time.Second) // 600 ticks at 60 fps
		synctest.Wait()
		if n := r.count() - before; n != 0 {
			t.Errorf("an idle program flushed its renderer %d times in 10 s, want 0", n)
		}
	})
}

func TestFrameAfterIdleIsDrawnAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _, out, stop := runIdle(t, 1) // a tick a second: waiting for one would show
		defer stop()
		start := time.Now()
		p.Send(bumpMsg{})
		synctest.Wait()
		if s, _ := out.state(); !strings.Contains(s, label(1)) {
			t.Fatalf("the frame after idle was not drawn at once: %q", s)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("the frame after idle waited %v for the ticker", d)
		}
	})
}

func TestBurstIsCoalesced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _, out, stop := runIdle(t, 10)
		defer stop()
		_, writes := out.state()
		for range 20 {
			p.Send(bumpMsg{})
		}
		time.Sleep(time.Second / 10) // one frame interval
		synctest.Wait()
		s, after := out.state()
		if !strings.Contains(s, label(20)) {
			t.Fatalf("the burst's last frame was not drawn within a frame: %q", s)
		}
		// The first message of the burst is drawn at once, the rest of it
		// on the next tick.
		if n := after - writes; n > 2 {
			t.Errorf("20 messages within one frame were drawn in %d writes, want at most 2", n)
		}
		// And the ticker stops again.
		time.Sleep(time.Second)
		synctest.Wait()
		if _, n := out.state(); n != after {
			t.Errorf("%d writes after the burst, want none", n-after)
		}
	})
}
