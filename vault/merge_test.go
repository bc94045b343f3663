package vault

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// The property tests below draw random states from a small universe (few
// IDs, few contents, few stamp values) so that the interesting collisions
// happen often: the same ID in both inputs, equal stamps with different
// content, tombstones for live accounts, duplicates under two IDs. Each
// property runs over mergeRounds seeded draws; a failure prints the seed.

const mergeRounds = 400

// universe is the pool random states draw from.
type universe struct {
	ids     []string
	issuers []string
	names   []string
	secrets [][]byte
	devices []string
}

func newUniverse() universe {
	return universe{
		ids:     []string{"0a", "0b", "1c", "2d", "3e", "4f", "5a", "6b", "7c", "8d"},
		issuers: []string{"EHR", "Mail", ""},
		names:   []string{"dr.jones", "nurse", "x"},
		secrets: [][]byte{[]byte("12345678901234567890"), []byte("abcdefghij"), {0, 1, 2, 3, 4}},
		devices: []string{"dev-a", "dev-b", "dev-c"},
	}
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func (u universe) stamp(r *rand.Rand) Stamp {
	if r.IntN(10) == 0 {
		return Stamp{} // a zero stamp: hand-made or very old data
	}
	return Stamp{Wall: int64(r.IntN(4)), Logical: uint32(r.IntN(2)), Device: pick(r, u.devices)}
}

func (u universe) account(r *rand.Rand) Account {
	a := Account{
		ID:     pick(r, u.ids),
		Issuer: pick(r, u.issuers),
		Name:   pick(r, u.names),
		Secret: NewSecret(pick(r, u.secrets)),
		Type:   pick(r, []Type{TOTP, HOTP, Steam}),
		Digits: pick(r, []int{6, 8}),
		Period: pick(r, []int{30, 60}),
		Note:   pick(r, []string{"", "desk 3"}),
		Stamp:  u.stamp(r),
	}
	a.Algorithm = pick(r, []Algorithm{SHA1, SHA256})
	if a.Type == HOTP {
		a.Counter = uint64(r.IntN(5))
	}
	for range r.IntN(3) {
		a.Tags = append(a.Tags, pick(r, []string{"ward", "admin", "lab"}))
	}
	a.Favorite = r.IntN(2) == 0
	a.Normalize()
	return a
}

func (u universe) state(r *rand.Rand) State {
	var s State
	for range r.IntN(8) {
		s.Accounts = append(s.Accounts, u.account(r))
	}
	for range r.IntN(3) {
		s.Tombstones = append(s.Tombstones, Tombstone{ID: pick(r, u.ids), Stamp: u.stamp(r)})
	}
	if r.IntN(2) == 0 {
		s.Settings = Settings{LockAfter: pick(r, []int{0, 60, 300}), Stamp: u.stamp(r)}
	}
	return s
}

// canon is the storage encoding of a state: Merge sorts its output, so two
// merge results are equal exactly when their encodings are.
func canon(t testing.TB, s State) string {
	t.Helper()
	b, err := MarshalState(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// forSeeds runs fn over mergeRounds seeds, naming the seed on failure.
func forSeeds(t *testing.T, fn func(t *testing.T, r *rand.Rand)) {
	for seed := range uint64(mergeRounds) {
		r := rand.New(rand.NewPCG(seed, 0x77617264))
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { fn(t, r) })
		if t.Failed() {
			return
		}
	}
}

func TestMergeCommutative(t *testing.T) {
	u := newUniverse()
	forSeeds(t, func(t *testing.T, r *rand.Rand) {
		a, b := u.state(r), u.state(r)
		if ab, ba := canon(t, Merge(a, b)), canon(t, Merge(b, a)); ab != ba {
			t.Fatalf("Merge(a,b) != Merge(b,a)\n a: %s\n b: %s\nab: %s\nba: %s", canon(t, a), canon(t, b), ab, ba)
		}
	})
}

func TestMergeAssociative(t *testing.T) {
	u := newUniverse()
	forSeeds(t, func(t *testing.T, r *rand.Rand) {
		a, b, c := u.state(r), u.state(r), u.state(r)
		l := canon(t, Merge(Merge(a, b), c))
		if m := canon(t, Merge(a, Merge(b, c))); l != m {
			t.Fatalf("(a·b)·c != a·(b·c)\n a: %s\n b: %s\n c: %s\n l: %s\n r: %s", canon(t, a), canon(t, b), canon(t, c), l, m)
		}
	})
}

func TestMergeIdempotent(t *testing.T) {
	u := newUniverse()
	forSeeds(t, func(t *testing.T, r *rand.Rand) {
		a, b := u.state(r), u.state(r)
		if aa, a0 := canon(t, Merge(a, a)), canon(t, Merge(a, State{})); aa != a0 {
			t.Fatalf("Merge(a,a) != Merge(a,{})\n a: %s\naa: %s\na0: %s", canon(t, a), aa, a0)
		}
		ab := Merge(a, b)
		if again := canon(t, Merge(ab, b)); again != canon(t, ab) {
			t.Fatalf("merging b twice changed the result\n once: %s\ntwice: %s", canon(t, ab), again)
		}
		if again := canon(t, Merge(ab, ab)); again != canon(t, ab) {
			t.Fatalf("Merge(x,x) != x for a merge result\n x: %s\nxx: %s", canon(t, ab), again)
		}
	})
}

// TestMergeLosesNothing checks the result against the inputs directly:
// every account ID without a tombstone survives, with the newest stamp, the
// highest HOTP counter and the fields of one of its input versions; every
// tombstone survives with its newest stamp; no tombstoned account is live;
// the settings are the newest.
func TestMergeLosesNothing(t *testing.T) {
	u := newUniverse()
	forSeeds(t, func(t *testing.T, r *rand.Rand) {
		a, b := u.state(r), u.state(r)
		m := Merge(a, b)
		dead := map[string]Stamp{}
		for _, ts := range append(slices.Clone(a.Tombstones), b.Tombstones...) {
			if old, ok := dead[ts.ID]; !ok || ts.Stamp.Compare(old) > 0 {
				dead[ts.ID] = ts.Stamp
			}
		}
		versions := map[string][]Account{}
		for _, x := range append(slices.Clone(a.Accounts), b.Accounts...) {
			versions[x.ID] = append(versions[x.ID], x)
		}
		if len(m.Tombstones) != len(dead) {
			t.Fatalf("%d tombstones, want %d", len(m.Tombstones), len(dead))
		}
		for _, ts := range m.Tombstones {
			if want, ok := dead[ts.ID]; !ok || ts.Stamp != want {
				t.Fatalf("tombstone %s has stamp %v, want %v (present: %v)", ts.ID, ts.Stamp, want, ok)
			}
		}
		got := map[string]Account{}
		for _, x := range m.Accounts {
			if _, twice := got[x.ID]; twice {
				t.Fatalf("account %s appears twice", x.ID)
			}
			got[x.ID] = x
		}
		for id, vs := range versions {
			x, live := got[id]
			if _, gone := dead[id]; gone {
				if live {
					t.Fatalf("account %s is live although tombstoned", id)
				}
				continue
			}
			if !live {
				t.Fatalf("account %s was lost", id)
			}
			var maxStamp Stamp
			var maxCounter uint64
			for _, v := range vs {
				if v.Stamp.Compare(maxStamp) > 0 {
					maxStamp = v.Stamp
				}
				maxCounter = max(maxCounter, v.Counter)
			}
			if x.Stamp != maxStamp || x.Counter != maxCounter {
				t.Fatalf("account %s: stamp %v counter %d, want %v and %d", id, x.Stamp, x.Counter, maxStamp, maxCounter)
			}
			if !slices.ContainsFunc(vs, func(v Account) bool {
				return v.Stamp == x.Stamp && compareContent(v, x) == 0
			}) {
				t.Fatalf("account %s: fields match none of its input versions", id)
			}
		}
		if len(got) != len(versions)-countDead(versions, dead) {
			t.Fatalf("%d accounts, want %d: an account appeared from nowhere", len(got), len(versions)-countDead(versions, dead))
		}
		wantSettings := a.Settings.Stamp
		if b.Settings.Stamp.Compare(wantSettings) > 0 {
			wantSettings = b.Settings.Stamp
		}
		if m.Settings.Stamp != wantSettings {
			t.Fatalf("settings stamp %v, want the newest %v", m.Settings.Stamp, wantSettings)
		}
	})
}

func countDead(versions map[string][]Account, dead map[string]Stamp) int {
	n := 0
	for id := range versions {
		if _, ok := dead[id]; ok {
			n++
		}
	}
	return n
}

// TestMergePure checks that Merge leaves its inputs alone and that its
// result shares nothing with them.
func TestMergePure(t *testing.T) {
	u := newUniverse()
	forSeeds(t, func(t *testing.T, r *rand.Rand) {
		a, b := u.state(r), u.state(r)
		ca, cb := canon(t, a), canon(t, b)
		m := Merge(a, b)
		for i := range m.Accounts {
			if len(m.Accounts[i].Tags) > 0 {
				m.Accounts[i].Tags[0] = "changed"
			}
			m.Accounts[i].Secret.Wipe()
		}
		for i := range m.Tombstones {
			m.Tombstones[i].ID = "changed"
		}
		if canon(t, a) != ca || canon(t, b) != cb {
			t.Fatal("changing the merge result changed an input")
		}
	})
}

// TestMergeLiveKeepsSmallerID: of each set of duplicates, Live shows the
// one with the smallest ID, on every device whatever the merge order.
func TestMergeLiveKeepsSmallerID(t *testing.T) {
	u := newUniverse()
	forSeeds(t, func(t *testing.T, r *rand.Rand) {
		m := Merge(u.state(r), u.state(r))
		live := m.Live()
		type key struct{ iss, name, sec string }
		seen := map[key]string{}
		for _, x := range live {
			k := key{x.Issuer, x.Name, string(x.Secret.raw())}
			if other, ok := seen[k]; ok {
				t.Fatalf("duplicates %s and %s both live", other, x.ID)
			}
			seen[k] = x.ID
		}
		for _, x := range m.Accounts {
			k := key{x.Issuer, x.Name, string(x.Secret.raw())}
			if x.ID < seen[k] {
				t.Fatalf("Live kept %s, but %s is smaller", seen[k], x.ID)
			}
		}
	})
}

// replica is one device in TestReplicasConverge: a state and a clock, with
// the same operations a Tx offers.
type replica struct {
	state State
	clock *Clock
	wall  int64 // this device's wall clock, in ms; it jumps about
}

func newReplica(device string, start int64) *replica {
	r := &replica{wall: start}
	r.clock = NewClock(device, func() time.Time { return time.UnixMilli(r.wall) })
	return r
}

func (p *replica) apply(s State) {
	p.state = Merge(p.state, s)
	p.state.Dedupe(p.clock) // every save dedupes
}

// TestReplicasConverge simulates three devices that add, edit, delete, use
// HOTP codes, change settings and sync with each other in random order,
// with wall clocks that drift and jump back. At the end every order of
// merging the three states gives the same state, and no credential is lost
// unless a person deleted it.
func TestReplicasConverge(t *testing.T) {
	for seed := range uint64(60) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 42))
			devs := []*replica{newReplica("dev-a", 1000), newReplica("dev-b", 5000), newReplica("dev-c", 900)}
			var creds [][3]string // issuer, name, secret of every credential ever added
			deletedCred := map[string]bool{}
			for step := range 300 {
				d := pick(r, devs)
				d.wall += int64(r.IntN(5)) - 1 // sometimes back, sometimes still
				live := d.state.Live()
				switch op := r.IntN(10); {
				case op < 3 || len(live) == 0: // add: a new credential, or a duplicate of a known one
					var c [3]string
					if len(creds) > 0 && r.IntN(3) == 0 {
						c = pick(r, creds)
					} else {
						c = [3]string{pick(r, []string{"EHR", "Mail", "VPN"}), fmt.Sprint("user", step), fmt.Sprint("secret-", seed, "-", step)}
						creds = append(creds, c)
					}
					a := Account{ID: NewID(), Issuer: c[0], Name: c[1], Secret: NewSecret([]byte(c[2])), Type: pick(r, []Type{TOTP, HOTP})}
					a.Normalize()
					a.Stamp = d.clock.Now()
					d.apply(State{Accounts: []Account{a}})
				case op < 5: // edit a live account (never its secret)
					a := pick(r, live).Clone()
					a.Note = fmt.Sprint("edited at ", step)
					a.Favorite = !a.Favorite
					if r.IntN(3) == 0 {
						a.Name += "'"
					}
					a.Stamp = d.clock.Now()
					d.apply(State{Accounts: []Account{a}})
				case op < 6: // a person deletes a live account, and so its credential
					a := pick(r, live)
					deletedCred[string(a.Secret.raw())] = true
					d.apply(State{Tombstones: []Tombstone{{ID: a.ID, Stamp: d.clock.Now()}}})
				case op < 7: // a HOTP code
					if a := pick(r, live); a.Type == HOTP {
						a = a.Clone()
						a.Counter++
						a.Stamp = d.clock.Now()
						d.apply(State{Accounts: []Account{a}})
					}
				case op < 8:
					d.apply(State{Settings: Settings{LockAfter: 60 * r.IntN(5), Stamp: d.clock.Now()}})
				default: // sync: d merges another device's state
					o := pick(r, devs)
					d.clock.Observe(o.state.MaxStamp())
					d.apply(o.state)
				}
			}
			a, b, c := devs[0].state, devs[1].state, devs[2].state
			want := canon(t, Merge(Merge(a, b), c))
			for _, order := range [][3]State{{a, c, b}, {b, a, c}, {b, c, a}, {c, a, b}, {c, b, a}} {
				if got := canon(t, Merge(Merge(order[0], order[1]), order[2])); got != want {
					t.Fatal("devices do not converge: the merge order changed the result")
				}
			}
			final := Merge(Merge(a, b), c)
			final.Dedupe(NewClock("final", nil))
			have := map[string]bool{}
			for _, x := range final.Live() {
				have[string(x.Secret.raw())] = true
			}
			for _, cr := range creds {
				if !deletedCred[cr[2]] && !have[cr[2]] {
					t.Fatalf("credential %s:%s was lost without anyone deleting it", cr[0], cr[1])
				}
			}
			// HOTP counters never go back: each final counter is at least
			// every device's counter for that ID.
			for _, x := range final.Accounts {
				for _, d := range devs {
					if y, ok := d.state.Account(x.ID); ok && y.Counter > x.Counter {
						t.Fatalf("HOTP counter of %s went back from %d to %d", x.ID, y.Counter, x.Counter)
					}
				}
			}
		})
		if t.Failed() {
			return
		}
	}
}

// TestMergeEditAfterSeeingWins: an edit made after seeing another edit wins,
// even when the later device's wall clock is far behind.
func TestMergeEditAfterSeeingWins(t *testing.T) {
	fast, slow := newReplica("dev-fast", 10_000_000), newReplica("dev-slow", 10)
	a := Account{ID: "01", Issuer: "EHR", Name: "a", Secret: NewSecret([]byte("k")), Note: "fast"}
	a.Normalize()
	a.Stamp = fast.clock.Now()
	fast.apply(State{Accounts: []Account{a}})
	slow.clock.Observe(fast.state.MaxStamp())
	slow.apply(fast.state)
	b := a.Clone()
	b.Note = "slow, later"
	b.Stamp = slow.clock.Now()
	slow.apply(State{Accounts: []Account{b}})
	for _, m := range []State{Merge(fast.state, slow.state), Merge(slow.state, fast.state)} {
		if x, _ := m.Account("01"); x.Note != "slow, later" {
			t.Fatalf("note %q: the later edit lost to an earlier one with a faster clock", x.Note)
		}
	}
}

// tenThousand returns a state of n accounts from one device, and a second
// state holding the same IDs edited later on another device (every third
// one), half of its own new accounts, and some tombstones: a large sync.
func tenThousand(n int) (State, State) {
	ca, cb := NewClock("dev-a", nil), NewClock("dev-b", nil)
	var a, b State
	for i := range n {
		x := Account{ID: fmt.Sprintf("%016x", i*2), Issuer: fmt.Sprintf("Issuer %d", i%97), Name: fmt.Sprintf("user%d", i),
			Type: TOTP, Secret: NewSecret([]byte(fmt.Sprintf("secret-%020d", i))), Algorithm: SHA1, Digits: 6, Period: 30, Tags: []string{"t"}}
		x.Stamp = ca.Now()
		a.Accounts = append(a.Accounts, x)
		switch i % 3 {
		case 0:
			y := x.Clone()
			y.Note = "edited"
			y.Stamp = cb.Now()
			b.Accounts = append(b.Accounts, y)
		case 1:
			y := x.Clone()
			y.ID = fmt.Sprintf("%016x", i*2+1)
			y.Name += "-b"
			y.Stamp = cb.Now()
			b.Accounts = append(b.Accounts, y)
		default:
			if i%10 == 2 {
				b.Tombstones = append(b.Tombstones, Tombstone{ID: x.ID, Stamp: cb.Now()})
			}
		}
	}
	return a, b
}

// BenchmarkMerge10000 merges two 10,000-account states (budget: 50 ms).
func BenchmarkMerge10000(b *testing.B) {
	x, y := tenThousand(10_000)
	b.ResetTimer()
	for b.Loop() {
		m := Merge(x, y)
		if len(m.Accounts) == 0 {
			b.Fatal("empty merge")
		}
	}
}

// TestMergeTenThousandShape checks the benchmark's input means something.
func TestMergeTenThousandShape(t *testing.T) {
	x, y := tenThousand(3000)
	m := Merge(x, y)
	if got, want := len(m.Accounts), 3000+1000-100; got != want {
		t.Fatalf("%d accounts, want %d", got, want)
	}
	if !bytes.Contains([]byte(canon(t, m)), []byte(`"note":"edited"`)) {
		t.Fatal("no edit won the merge")
	}
}

// BenchmarkLive10000: State.Live over 10,000 accounts (Accounts, saves and
// every Find that falls back to the exact path pay it).
func BenchmarkLive10000(b *testing.B) {
	x, _ := tenThousand(10_000)
	b.ReportAllocs()
	for b.Loop() {
		if len(x.Live()) == 0 {
			b.Fatal("nothing live")
		}
	}
}

// duplicateOfSorted is duplicateOf as first written: every account sorted
// by issuer, name, secret and ID, and each run of equal issuer, name and
// secret kept at its first (smallest) ID.
func duplicateOfSorted(s State) map[string]string {
	dup := map[string]string{}
	if len(s.Accounts) < 2 {
		return dup
	}
	idx := make([]int, len(s.Accounts))
	for i := range idx {
		idx[i] = i
	}
	same := func(x, y *Account) int {
		return cmp.Or(strings.Compare(x.Issuer, y.Issuer), strings.Compare(x.Name, y.Name),
			bytes.Compare(x.Secret.raw(), y.Secret.raw()))
	}
	slices.SortFunc(idx, func(i, j int) int {
		x, y := &s.Accounts[i], &s.Accounts[j]
		return cmp.Or(same(x, y), strings.Compare(x.ID, y.ID))
	})
	keep := &s.Accounts[idx[0]]
	for _, i := range idx[1:] {
		a := &s.Accounts[i]
		if same(a, keep) == 0 {
			dup[a.ID] = keep.ID
			continue
		}
		keep = a
	}
	return dup
}

// TestDuplicateOfMatchesSort: the grouping duplicateOf finds exactly the
// duplicates the sort of every account found, on generated states with
// few names and secrets (many duplicates), an ID twice, and case traps.
func TestDuplicateOfMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 5))
	withDups := 0
	for round := range 500 {
		s := randomState(rng)
		got, want := s.duplicateOf(), duplicateOfSorted(s)
		if !maps.Equal(got, want) {
			t.Fatalf("round %d: duplicateOf %v, the sort %v", round, got, want)
		}
		if len(want) > 0 {
			withDups++
		}
	}
	if withDups < 100 {
		t.Fatalf("only %d of 500 states had duplicates: the test saw too few", withDups)
	}
}
