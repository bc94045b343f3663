package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var testKey = bytes.Repeat([]byte{7}, KeySize)

// memAnchor is an AnchorStore in memory.
type memAnchor struct {
	a  Anchor
	ok bool
}

func (m *memAnchor) Load() (Anchor, bool, error) { return m.a, m.ok, nil }
func (m *memAnchor) Store(a Anchor) error        { m.a, m.ok = a, true; return nil }

// clock gives times a millisecond apart.
func clock() func() time.Time {
	t := time.Date(2026, 11, 27, 14, 2, 3, 417_000_000, time.UTC)
	return func() time.Time { t = t.Add(time.Millisecond); return t }
}

func newLog(t testing.TB) (*Log, *memAnchor) {
	a := &memAnchor{}
	return &Log{Dir: t.TempDir(), Device: "dev1", Key: testKey, Anchor: a, Now: clock()}, a
}

func mustAppend(t testing.TB, l *Log, key []byte, evs ...Event) Result {
	t.Helper()
	saved := l.Key
	l.Key = key
	defer func() { l.Key = saved }()
	r, err := l.Append(evs...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func verifyOK(t *testing.T, l *Log, a *memAnchor) Report {
	t.Helper()
	r, err := Verify(l.Dir, testKey, &a.a)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) > 0 {
		t.Fatalf("problems: %v", r.Problems)
	}
	return r
}

func TestLineFormat(t *testing.T) {
	l, a := newLog(t)
	mustAppend(t, l, nil, Event{Event: UnlockFailed})
	mustAppend(t, l, testKey, Event{Event: Unlock}, Event{Event: CodeShown, Account: "3f9c0b7a1e2d4c55", Detail: map[string]any{"z": 1, "a": "x"}})
	b, err := os.ReadFile(filepath.Join(l.Dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	want := []string{
		`{"seq":1,"time":"2026-11-27T14:02:03.418Z","device":"dev1","event":"unlock_failed","auth":false,"mac":""}`,
		`{"seq":2,"time":"2026-11-27T14:02:03.419Z","device":"dev1","event":"unlock","auth":true,"mac":"MAC"}`,
		`{"seq":3,"time":"2026-11-27T14:02:03.419Z","device":"dev1","event":"code_shown","account":"3f9c0b7a1e2d4c55","detail":{"a":"x","z":1},"auth":true,"mac":"MAC"}`,
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines:\n%s", len(lines), b)
	}
	for i := range want {
		if got := macRE.ReplaceAllString(lines[i], `"mac":"MAC"`); got != want[i] {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, lines[i], want[i])
		}
	}
	// The macs, computed here from DESIGN's definition.
	zero := make([]byte, 32)
	mac := func(prev []byte, covered []string, line string) string {
		h := hmac.New(sha256.New, testKey)
		h.Write(prev)
		for _, c := range covered {
			h.Write([]byte(c + "\n"))
		}
		h.Write([]byte(line[:strings.Index(line, `,"mac"`)]))
		return hex.EncodeToString(h.Sum(nil))
	}
	m2 := mac(zero, []string{lines[0]}, lines[1])
	if !strings.HasSuffix(lines[1], `"mac":"`+m2+`"}`) {
		t.Errorf("line 2's mac is not HMAC(zero, line 1 + \\n, prefix): %s", lines[1])
	}
	m2b, _ := hex.DecodeString(m2)
	if m3 := mac(m2b, nil, lines[2]); !strings.HasSuffix(lines[2], `"mac":"`+m3+`"}`) {
		t.Errorf("line 3's mac is not HMAC(mac 2, prefix)")
	}
	r := verifyOK(t, l, a)
	if len(r.Entries) != 3 || !r.Entries[0].Locked() || !r.Entries[0].Verified || r.Pending != 0 {
		t.Errorf("entries: %+v", r.Entries)
	}
	if a.a.Last.Seq != 3 || a.a.Last.MAC != hex.EncodeToString(r.Entries[2].MAC) || !a.a.Valid(testKey) || a.a.Valid(zero) {
		t.Errorf("anchor %+v", a.a)
	}
	st, _ := os.Stat(filepath.Join(l.Dir, FileName))
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %o", st.Mode().Perm())
	}
}

var macRE = regexp.MustCompile(`"mac":"[0-9a-f]{64}"`)

func TestParseLineCanonical(t *testing.T) {
	good := `{"seq":2,"time":"2026-11-27T14:02:03.419Z","device":"d","event":"unlock","auth":true,"mac":"` + strings.Repeat("ab", 32) + `"}`
	if _, err := ParseLine([]byte(good)); err != nil {
		t.Fatal(err)
	}
	bad := []string{
		strings.Replace(good, `"seq":2,"time"`, `"time"`, 1),
		strings.Replace(good, `{"seq":2,`, `{"seq":2,"seq":3,`, 1),
		strings.Replace(good, `"seq"`, `"SEQ"`, 1),
		strings.Replace(good, `"device":"d","event"`, `"event":"unlock","device":"d","event"`, 1),
		strings.Replace(good, `.419Z`, `Z`, 1),
		strings.Replace(good, `.419Z`, `.419+00:00`, 1),
		strings.Replace(good, `"auth":true`, `"auth":true,"x":1`, 1),
		strings.Replace(good, `,"auth"`, ` ,"auth"`, 1),
		strings.Replace(good, `"auth":true`, `"auth":false`, 1),
		strings.Replace(good, `"auth":true`, `"account":"","auth":true`, 1),
		strings.Replace(good, `"auth":true`, `"detail":null,"auth":true`, 1),
		strings.Replace(good, `"auth":true`, `"detail":{"a": 1},"auth":true`, 1),
		strings.Replace(good, `"auth":true`, `"detail":[1],"auth":true`, 1),
		strings.Replace(good, "abab", "ABAB", 1),
		strings.Replace(good, "abab", "ab", 1),
		good + " ",
		"",
		"{}",
	}
	for _, b := range bad {
		if _, err := ParseLine([]byte(b)); err == nil {
			t.Errorf("accepted %s", b)
		}
	}
}

// buildLog writes n events, a mix of locked and authenticated appends of
// one to three lines, ending with an authenticated one.
func buildLog(t testing.TB, rng *rand.Rand, n int) (*Log, *memAnchor) {
	l, a := newLog(t)
	events := []string{Unlock, CodeShown, Add, Delete, Export, Config}
	for written := 0; written < n; {
		k := 1 + rng.IntN(3)
		key := testKey
		ev := events[rng.IntN(len(events))]
		if rng.IntN(3) == 0 && written+k < n {
			key, ev = nil, UnlockFailed
		}
		var evs []Event
		for range k {
			e := Event{Event: ev}
			if rng.IntN(2) == 0 {
				e.Account = fmt.Sprintf("%016x", rng.Uint64())
			}
			if rng.IntN(3) == 0 {
				e.Detail = map[string]any{"count": rng.IntN(100)}
			}
			evs = append(evs, e)
		}
		mustAppend(t, l, key, evs...)
		written += k
	}
	return l, a
}

func splitLines(b []byte) [][]byte {
	return bytes.SplitAfter(b, []byte{'\n'})[:bytes.Count(b, []byte{'\n'})]
}

// TestVerifyCatchesEverySingleChange: any single-line change, removal,
// reorder, or truncation of a log (ending, as after any unlocked command,
// with an authenticated line) is caught.
func TestVerifyCatchesEverySingleChange(t *testing.T) {
	noSync(t)
	for seed := range uint64(8) {
		rng := rand.New(rand.NewPCG(seed, 1))
		l, a := buildLog(t, rng, 5+rng.IntN(30))
		name := filepath.Join(l.Dir, FileName)
		orig, _ := os.ReadFile(name)
		verifyOK(t, l, a)
		lines := splitLines(orig)
		check := func(what string, b []byte) {
			t.Helper()
			if err := os.WriteFile(name, b, 0o600); err != nil {
				t.Fatal(err)
			}
			r, err := Verify(l.Dir, testKey, &a.a)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Problems) == 0 {
				t.Fatalf("seed %d: %s went unnoticed:\n%s", seed, what, b)
			}
		}
		for i := range lines {
			// Change one byte of line i (not its newline) to another.
			mod := bytes.Clone(lines[i])
			j := rng.IntN(len(mod) - 1)
			mod[j] = "0123456789abcdef\"{}:,x"[rng.IntN(22)]
			if mod[j] != lines[i][j] {
				check(fmt.Sprintf("a change of line %d", i+1), join(lines[:i], [][]byte{mod}, lines[i+1:]))
			}
			check(fmt.Sprintf("removing line %d", i+1), join(lines[:i], lines[i+1:]))
			if k := rng.IntN(len(lines)); k != i && !bytes.Equal(lines[k], lines[i]) {
				cp := append([][]byte(nil), lines...)
				cp[i], cp[k] = cp[k], cp[i]
				check(fmt.Sprintf("swapping lines %d and %d", i+1, k+1), join(cp))
			}
		}
		for range 10 {
			check("truncation", orig[:rng.IntN(len(orig))])
		}
		if err := os.Remove(name); err != nil {
			t.Fatal(err)
		}
		if r, _ := Verify(l.Dir, testKey, &a.a); len(r.Problems) == 0 || !strings.Contains(r.Problems[0].What, "deleted") {
			t.Fatalf("a deleted log: %v", r.Problems)
		}
	}
}

// noSync skips fsync for one test (they write hundreds of small logs).
func noSync(t testing.TB) {
	fsync = func(*os.File) error { return nil }
	t.Cleanup(func() { fsync = (*os.File).Sync })
}

func join(parts ...[][]byte) []byte {
	var b []byte
	for _, p := range parts {
		for _, l := range p {
			b = append(b, l...)
		}
	}
	return b
}

func TestVerifyNamesTheFirstProblem(t *testing.T) {
	l, a := newLog(t)
	for range 5 {
		mustAppend(t, l, testKey, Event{Event: CodeShown})
	}
	name := filepath.Join(l.Dir, FileName)
	orig, _ := os.ReadFile(name)
	lines := splitLines(orig)
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"altered", join(lines[:2], [][]byte{bytes.Replace(lines[2], []byte("code_shown"), []byte("code_copied"), 1)}, lines[3:]), "audit.log line 3 (seq 3): its mac does not hold: this line was altered"},
		{"removed", join(lines[:2], lines[3:]), "audit.log line 3 (seq 4): comes after seq 2: the line seq 3 was removed"},
		{"reordered", join(lines[:1], lines[2:3], lines[1:2], lines[3:]), "audit.log line 2 (seq 3): comes after seq 1: the line seq 2 was removed"},
		{"cut tail", join(lines[:3]), "audit.log: the log was cut: its last authenticated line is seq 3, but seq 5 was written"},
		{"cut line", orig[:len(orig)-10], "audit.log line 5: the line was cut (it has no end)"},
		{"garbage", join(lines[:1], [][]byte{[]byte("garbage\n")}, lines[1:]), "audit.log line 2: damaged"},
		{"first removed", join(lines[1:]), "audit.log line 1 (seq 2): comes after seq 0: the line seq 1 was removed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.WriteFile(name, tt.b, 0o600)
			r, _ := Verify(l.Dir, testKey, &a.a)
			if len(r.Problems) == 0 || !strings.HasPrefix(r.Problems[0].String(), tt.want) {
				t.Fatalf("got %v\nwant %s", r.Problems, tt.want)
			}
		})
	}
	os.WriteFile(name, orig, 0o600)
	bad := a.a
	bad.Last.Seq = 4
	if r, _ := Verify(l.Dir, testKey, &bad); len(r.Problems) == 0 || !strings.Contains(r.Problems[0].What, "anchor was altered") {
		t.Errorf("an altered anchor: %v", r.Problems)
	}
	if r, _ := Verify(l.Dir, testKey, nil); len(r.Problems) == 0 || !strings.Contains(r.Problems[0].What, "no audit anchor") {
		t.Errorf("no anchor: %v", r.Problems)
	}
}

// A locked line is covered by the next authenticated one: altering it
// before the next unlock shows then.
func TestLockedLinesCoveredLater(t *testing.T) {
	l, a := newLog(t)
	mustAppend(t, l, testKey, Event{Event: Unlock})
	mustAppend(t, l, nil, Event{Event: UnlockFailed}, Event{Event: UnlockFailed})
	r := verifyOK(t, l, a)
	if r.Pending != 2 || r.Entries[1].Verified {
		t.Fatalf("pending %d", r.Pending)
	}
	name := filepath.Join(l.Dir, FileName)
	b, _ := os.ReadFile(name)
	lines := splitLines(b)
	os.WriteFile(name, join(lines[:2]), 0o600) // the colleague removes one attempt
	mustAppend(t, l, testKey, Event{Event: Unlock})
	r, _ = Verify(l.Dir, testKey, &a.a)
	if len(r.Problems) != 0 {
		// A removed trailing locked line is not detectable: no mac covered
		// it yet. Document that the test knows.
		t.Logf("problems: %v", r.Problems)
	}
	// Altering a locked line that a later mac covers is caught.
	b, _ = os.ReadFile(name)
	os.WriteFile(name, bytes.Replace(b, []byte(`"unlock_failed"`), []byte(`"unlock_throttled"`), 1), 0o600)
	r, _ = Verify(l.Dir, testKey, &a.a)
	if len(r.Problems) == 0 || !strings.Contains(r.Problems[0].What, "written while locked since seq 2") {
		t.Fatalf("got %v", r.Problems)
	}
}

func TestDamagedTailRestarts(t *testing.T) {
	l, a := newLog(t)
	mustAppend(t, l, testKey, Event{Event: Unlock}, Event{Event: Add})
	name := filepath.Join(l.Dir, FileName)
	f, _ := os.OpenFile(name, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"seq":3,"time":"garb`)
	f.Close()
	// Locked: appended as is, no restart possible without the key.
	if r := mustAppend(t, l, nil, Event{Event: UnlockFailed}); r.Restarted != "" || r.Seq != 3 {
		t.Fatalf("locked append: %+v", r)
	}
	r := mustAppend(t, l, testKey, Event{Event: Unlock})
	if r.Restarted == "" || r.Seq != 5 {
		t.Fatalf("authenticated append over damage: %+v", r)
	}
	rep, _ := Verify(l.Dir, testKey, &a.a)
	if len(rep.Problems) != 2 || !strings.HasPrefix(rep.Problems[0].String(), "audit.log line 3: damaged") ||
		!strings.Contains(rep.Problems[1].What, "a fresh chain starts here") {
		t.Fatalf("problems: %v", rep.Problems)
	}
	// The fresh chain holds from there on.
	mustAppend(t, l, testKey, Event{Event: CodeShown})
	rep, _ = Verify(l.Dir, testKey, &a.a)
	if len(rep.Problems) != 2 || !rep.Entries[len(rep.Entries)-1].Verified {
		t.Fatalf("after the restart: %v", rep.Problems)
	}
}

func TestRotation(t *testing.T) {
	maxSize = 2000
	defer func() { maxSize = MaxSize }()
	l, a := newLog(t)
	rotations := 0
	for i := range 60 {
		key := testKey
		if i%4 == 1 {
			key = nil
		}
		if r := mustAppend(t, l, key, Event{Event: CodeShown, Detail: map[string]any{"i": i}}); r.Rotated {
			rotations++
		}
	}
	if rotations < 2 {
		t.Fatalf("%d rotations", rotations)
	}
	r := verifyOK(t, l, a)
	if r.Entries[0].File != RotatedName || r.Entries[len(r.Entries)-1].Seq != 60 {
		t.Fatalf("entries from %s to seq %d", r.Entries[0].File, r.Entries[len(r.Entries)-1].Seq)
	}
	os.Remove(filepath.Join(l.Dir, RotatedName))
	if r, _ := Verify(l.Dir, testKey, &a.a); len(r.Problems) == 0 || !strings.Contains(r.Problems[0].String(), "audit.log.1: was deleted") {
		t.Fatalf("deleted rotated file: %v", r.Problems)
	}
}

func TestConcurrentAppends(t *testing.T) {
	l, a := newLog(t)
	var mu sync.Mutex
	store := &lockedAnchor{m: a, mu: &mu}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ll := &Log{Dir: l.Dir, Device: fmt.Sprint("dev", g), Key: testKey, Anchor: store}
			if g == 3 {
				ll.Key = nil
			}
			for range 20 {
				if _, err := ll.Append(Event{Event: CodeShown}, Event{Event: CodeCopied}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	mustAppend(t, l, testKey, Event{Event: Lock})
	r := verifyOK(t, l, a)
	if len(r.Entries) != 161 {
		t.Fatalf("%d lines", len(r.Entries))
	}
}

type lockedAnchor struct {
	m  *memAnchor
	mu *sync.Mutex
}

func (s *lockedAnchor) Load() (Anchor, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m.Load()
}
func (s *lockedAnchor) Store(a Anchor) error { s.mu.Lock(); defer s.mu.Unlock(); return s.m.Store(a) }

func TestFailedSinceUnlock(t *testing.T) {
	l, _ := newLog(t)
	if n, _, err := FailedSinceUnlock(l.Dir); n != 0 || err != nil {
		t.Fatal(n, err)
	}
	mustAppend(t, l, nil, Event{Event: UnlockFailed})
	mustAppend(t, l, testKey, Event{Event: Unlock})
	mustAppend(t, l, nil, Event{Event: UnlockFailed})
	mustAppend(t, l, nil, Event{Event: UnlockThrottled})
	mustAppend(t, l, nil, Event{Event: UnlockFailed})
	n, last, err := FailedSinceUnlock(l.Dir)
	if n != 2 || err != nil || last.IsZero() {
		t.Fatalf("n=%d last=%v err=%v", n, last, err)
	}
}

func FuzzParseLine(f *testing.F) {
	f.Add([]byte(`{"seq":2,"time":"2026-11-27T14:02:03.419Z","device":"d","event":"unlock","auth":true,"mac":"` + strings.Repeat("ab", 32) + `"}`))
	f.Add([]byte(`{"seq":1,"time":"2026-11-27T14:02:03.418Z","device":"dev1","event":"unlock_failed","account":"x","detail":{"a":[1,{}]},"auth":false,"mac":""}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ParseLine(b)
		if err != nil {
			return
		}
		// What parses re-encodes to itself.
		again := appendMAC(appendPrefix(nil, l.Seq, l.Time, l.Device, l.Event, l.Account, l.Detail, l.Auth), l.MAC)
		if !bytes.Equal(again, b) {
			t.Fatalf("not canonical:\n%s\n%s", b, again)
		}
	})
}

// FuzzVerify: any file content verifies without panicking.
func FuzzVerify(f *testing.F) {
	l, a := buildLog(f, rand.New(rand.NewPCG(1, 2)), 8)
	b, _ := os.ReadFile(filepath.Join(l.Dir, FileName))
	f.Add(b)
	f.Add([]byte("garbage\n{}\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		os.WriteFile(filepath.Join(dir, FileName), b, 0o600)
		if _, err := Verify(dir, testKey, &a.a); err != nil {
			t.Fatal(err)
		}
		if _, _, err := FailedSinceUnlock(dir); err != nil {
			t.Fatal(err)
		}
	})
}
