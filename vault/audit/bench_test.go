package audit

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkAppend: one CLI command's append (two events), with its fsync.
// Goal: ≤ 1 ms.
func BenchmarkAppend(b *testing.B) {
	l, _ := newLog(b)
	l.Anchor = nil
	for b.Loop() {
		if _, err := l.Append(Event{Event: Unlock}, Event{Event: CodeShown, Account: "3f9c0b7a1e2d4c55"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendAnchorFile is BenchmarkAppend with the anchor kept as
// wardkey keeps it, in audit.anchor: the slot's write is all it adds.
// Goal: ≤ 1 ms.
func BenchmarkAppendAnchorFile(b *testing.B) {
	l := fileLog(b)
	for b.Loop() {
		if _, err := l.Append(Event{Event: Unlock}, Event{Event: CodeShown, Account: "3f9c0b7a1e2d4c55"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify100k: log --verify of a 100,000-line log. Goal: ≤ 1 s.
func BenchmarkVerify100k(b *testing.B) {
	noSync(b)
	maxSize = 1 << 30 // one file: 100,000 lines is about 19 MB, more than the two files of a rotated log hold
	defer func() { maxSize = MaxSize }()
	l, a := newLog(b)
	evs := make([]Event, 1000)
	for i := range evs {
		evs[i] = Event{Event: CodeShown, Account: "3f9c0b7a1e2d4c55", Detail: map[string]any{"n": i}}
	}
	for i := range 100 {
		key := testKey
		if i%10 == 3 {
			key = nil
		}
		mustAppend(b, l, key, evs...)
	}
	var size int64
	for _, n := range []string{RotatedName, FileName} {
		if st, err := os.Stat(filepath.Join(l.Dir, n)); err == nil {
			size += st.Size()
		}
	}
	b.ReportMetric(float64(size)/1e6, "MB")
	b.ResetTimer()
	for b.Loop() {
		r, err := Verify(l.Dir, testKey, &a.a)
		if err != nil || len(r.Problems) > 0 || len(r.Entries) != 100_000 {
			b.Fatal(err, r.Problems, len(r.Entries))
		}
	}
}
