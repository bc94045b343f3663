//go:build unix

package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// tmuxPane runs one program in a detached tmux session on a socket of its
// own and watches it through a control-mode client (tmux -C), which reports
// every byte the program writes as a "%output" line the moment tmux reads
// it. Keystroke-to-screen latency is the time from writing send-keys to
// that client until the first %output that follows: the program's frame
// for wardkey, the terminal's echo for cat, measured the same way, so
// tmux's own share cancels out in the ratio.
type tmuxPane struct {
	sock   string
	ctl    *exec.Cmd
	in     io.WriteCloser
	output chan time.Time
	pid    int
}

func startPane(sock string, env []string, argv ...string) (*tmuxPane, error) {
	args := []string{"-L", sock, "-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "100", "-y", "30"}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	args = append(args, strings.Join(argv, " "))
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("tmux new-session: %v: %s", err, out)
	}
	p := &tmuxPane{sock: sock, output: make(chan time.Time, 4096)}
	out, err := exec.Command("tmux", "-L", sock, "display-message", "-p", "-t", "t", "#{pane_pid}").Output()
	if err != nil {
		p.close()
		return nil, fmt.Errorf("tmux pane pid: %v", err)
	}
	if p.pid, err = strconv.Atoi(strings.TrimSpace(string(out))); err != nil {
		p.close()
		return nil, err
	}
	p.ctl = exec.Command("tmux", "-L", sock, "-C", "attach", "-t", "t")
	if p.in, err = p.ctl.StdinPipe(); err != nil {
		return nil, err
	}
	r, err := p.ctl.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := p.ctl.Start(); err != nil {
		p.close()
		return nil, err
	}
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "%output ") {
				select {
				case p.output <- time.Now():
				default:
				}
			}
		}
		close(p.output)
	}()
	if _, err := io.WriteString(p.in, "refresh-client -C 100x30\n"); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

// waitScreen polls the pane until its text holds want.
func (p *tmuxPane) waitScreen(want string, max time.Duration) error {
	deadline := time.Now().Add(max)
	for time.Now().Before(deadline) {
		out, err := exec.Command("tmux", "-L", p.sock, "capture-pane", "-p", "-t", "t").Output()
		if err == nil && strings.Contains(string(out), want) {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("%q never appeared on the screen", want)
}

// drain throws away the output so far.
func (p *tmuxPane) drain() {
	for len(p.output) > 0 {
		<-p.output
	}
}

// quiet drains output until none has come for d.
func (p *tmuxPane) quiet(d time.Duration, max time.Duration) error {
	deadline := time.After(max)
	for {
		select {
		case _, ok := <-p.output:
			if !ok {
				return errors.New("tmux control client ended")
			}
		case <-time.After(d):
			return nil
		case <-deadline:
			return errors.New("the screen never settled")
		}
	}
}

// key sends one key and returns how long until the pane's first output.
func (p *tmuxPane) key(k string) (time.Duration, error) {
	for len(p.output) > 0 {
		<-p.output
	}
	start := time.Now()
	if _, err := fmt.Fprintf(p.in, "send-keys -t t %s\n", k); err != nil {
		return 0, err
	}
	select {
	case t, ok := <-p.output:
		if !ok {
			return 0, errors.New("tmux control client ended")
		}
		return t.Sub(start), nil
	case <-time.After(2 * time.Second):
		return 0, fmt.Errorf("no output 2 s after key %s", k)
	}
}

// latencies sends n keys, alternating between the given ones, each at
// 0.25-0.65 s past a wall-clock second so that the code screen's own
// once-a-second redraw is not taken for the answer to the key, and returns
// the latencies.
func (p *tmuxPane) latencies(n int, keys ...string) ([]time.Duration, error) {
	var out []time.Duration
	for i := range n {
		now := time.Now()
		frac := time.Duration(now.Nanosecond())
		wait := 250*time.Millisecond - frac
		if frac > 250*time.Millisecond {
			wait += time.Second
		}
		// Spread the keys over the renderer's frame phase: 37 ms steps
		// are no multiple of a frame at 10, 30, 60 or 120 fps.
		wait += time.Duration((i*37)%100) * time.Millisecond
		time.Sleep(wait)
		d, err := p.key(keys[i%len(keys)])
		if err != nil {
			return nil, err
		}
		out = append(out, d)
		// Let the rest of the frame arrive before the next key.
		time.Sleep(60 * time.Millisecond)
	}
	return out, nil
}

// cpuTicks is the CPU time (user + system) of the pane's process so far.
func (p *tmuxPane) cpuTime() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * time.Second / 100, nil // clock ticks: 100 Hz on Linux
}

// idle measures the pane process's CPU over d, as a share of one core.
func (p *tmuxPane) idle(d time.Duration) (float64, error) {
	c0, err := p.cpuTime()
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	time.Sleep(d)
	c1, err := p.cpuTime()
	if err != nil {
		return 0, err
	}
	return float64(c1-c0) / float64(time.Since(t0)), nil
}

func (p *tmuxPane) close() {
	if p.in != nil {
		_ = p.in.Close()
	}
	_ = exec.Command("tmux", "-L", p.sock, "kill-server").Run()
	if p.ctl != nil && p.ctl.Process != nil {
		_ = p.ctl.Wait()
	}
}
