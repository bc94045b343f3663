package vault

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// randomState makes a state as a payload may hold it, not only as Merge
// leaves it: duplicates (the same issuer, name and secret under several
// IDs), an ID twice, tombstones naming accounts still listed, names with
// case traps, every type.
func randomState(rng *rand.Rand) State {
	words := []string{"Mail", "mail", "EHR", "Lab", "ß", "İ", "x", "K", "", "Σ"}
	word := func() string { return words[rng.IntN(len(words))] }
	c := NewClock(fmt.Sprintf("dev%d", rng.IntN(3)), nil)
	var s State
	for i := range rng.IntN(30) {
		a := Account{ID: fmt.Sprintf("%04d", rng.IntN(400)*100+i%3), Issuer: word(), Name: word(),
			Secret: NewSecret([]byte{byte(1 + rng.IntN(3))}), Tags: []string{}, Note: word(), Favorite: rng.IntN(2) == 0}
		if a.Issuer == "" && a.Name == "" {
			a.Name = "n"
		}
		switch rng.IntN(3) {
		case 0:
			a.Type, a.Algorithm, a.Digits, a.Period = TOTP, SHA256, 8, 60
		case 1:
			a.Type, a.Algorithm, a.Digits, a.Counter = HOTP, SHA1, 6, uint64(rng.IntN(9))
		default:
			a.Type, a.Algorithm, a.Digits, a.Period = Steam, SHA1, SteamDigits, 30
		}
		for range rng.IntN(3) {
			a.Tags = append(a.Tags, word())
		}
		a.Stamp = c.Now()
		s.Accounts = append(s.Accounts, a)
	}
	for range rng.IntN(4) {
		id := fmt.Sprintf("%04d", rng.IntN(4000))
		if len(s.Accounts) > 0 && rng.IntN(2) == 0 {
			id = s.Accounts[rng.IntN(len(s.Accounts))].ID
		}
		s.Tombstones = append(s.Tombstones, Tombstone{ID: id, Stamp: c.Now()})
	}
	if rng.IntN(2) == 0 {
		s.Settings = Settings{LockAfter: 300, Stamp: c.Now()}
	}
	return s
}

// queriesFor are queries over s: IDs, names in other cases, pieces, and
// names of nothing.
func queriesFor(rng *rand.Rand, s State) []string {
	q := []string{"", " ", "nothing like it", "a", "mail", "MAIL:LAB", "ß", "ss", "i", "0", "00"}
	for range 8 {
		if len(s.Accounts) == 0 {
			break
		}
		a := s.Accounts[rng.IntN(len(s.Accounts))]
		q = append(q, a.ID, strings.ToUpper(a.Issuer+":"+a.Name), a.Name, a.Issuer)
	}
	return q
}

// indexedVault is a vault holding b's payload as Open leaves it: indexed,
// in memory of its own, closed (its mapping released) when the test ends.
// A refused payload's buffer is freed at once: fuzzing makes millions.
func indexedVault(t testing.TB, b []byte) (*Vault, error) {
	t.Helper()
	buf := secureBytes(b)
	ix, p, err := indexPayload(buf)
	if err != nil {
		secureFree(buf)
		return nil, err
	}
	wipePayloadKeys(&p)
	v := &Vault{lazy: ix}
	t.Cleanup(v.Close)
	return v, nil
}

// decodedVault is a vault holding b's payload decoded whole, as Open did
// before the index.
func decodedVault(t testing.TB, b []byte) (*Vault, error) {
	t.Helper()
	p, err := unmarshalPayload(b)
	if err != nil {
		return nil, err
	}
	wipePayloadKeys(&p)
	v := &Vault{}
	v.adopt(p.state)
	t.Cleanup(v.Close)
	return v, nil
}

// sameFind fails unless both vaults answer query alike: the same account
// (every field, the secret's bytes), or the same error, in the same words
// (an ambiguity lists the same accounts).
func sameFind(t testing.TB, lazy, full *Vault, query string) {
	t.Helper()
	got, gerr := lazy.Find(query)
	want, werr := full.Find(query)
	if fmt.Sprint(gerr) != fmt.Sprint(werr) {
		t.Fatalf("Find(%q) on the index: %v; decoded: %v", query, gerr, werr)
	}
	if !sameAccount(got, want) {
		t.Fatalf("Find(%q) on the index gave %s (%s), decoded %s (%s)", query, got.Label(), got.ID, want.Label(), want.ID)
	}
}

// sameAccount compares every field, secrets by their bytes.
func sameAccount(a, b Account) bool {
	sa, sb := a.Secret.raw(), b.Secret.raw()
	a.Secret, b.Secret = Secret{}, Secret{}
	return reflect.DeepEqual(a, b) && bytes.Equal(sa, sb)
}

// equalStates compares two states, secrets by their bytes.
func equalStates(a, b State) bool {
	if len(a.Accounts) != len(b.Accounts) || !reflect.DeepEqual(a.Tombstones, b.Tombstones) || a.Settings != b.Settings {
		return false
	}
	for i := range a.Accounts {
		if !sameAccount(a.Accounts[i], b.Accounts[i]) {
			return false
		}
	}
	return true
}

// TestIndexFindMatchesDecodedFind: on many generated payloads, Find on a
// vault as Open leaves it (indexed) answers exactly as Find on the decoded
// state did, ambiguity, duplicates and tombstoned accounts included, and
// Find(State.Live()) is that answer; the index's newest stamp and settings
// are the decoded state's; and the state decoded on first use is the one
// decoded at once.
func TestIndexFindMatchesDecodedFind(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 2))
	for round := range 400 {
		s := randomState(rng)
		b := marshalPayload(payload{state: s, auditKey: bytes.Repeat([]byte{7}, keySize)})
		lazy, err := indexedVault(t, b)
		if err != nil {
			t.Fatalf("round %d: the index refused a valid payload: %v", round, err)
		}
		full, err := decodedVault(t, b)
		if err != nil {
			t.Fatal(err)
		}
		if lazy.LastChange() != full.LastChange() || lazy.Settings() != full.Settings() {
			t.Fatalf("round %d: newest stamp %v / %v, settings %+v / %+v", round, lazy.LastChange(), full.LastChange(), lazy.Settings(), full.Settings())
		}
		ids := map[string]bool{}
		for _, a := range s.Accounts {
			ids[a.ID] = true
		}
		for _, q := range queriesFor(rng, s) {
			sameFind(t, lazy, full, q)
			if len(ids) < len(s.Accounts) {
				// One ID twice (no wardkey writes it, Merge keeps one):
				// State.Live hides both copies of a duplicated account,
				// findLive (before the index too) neither.
				continue
			}
			want, werr := Find(State{Accounts: full.state.Accounts}.Live(), q)
			got, gerr := full.Find(q)
			if fmt.Sprint(gerr) != fmt.Sprint(werr) || got.ID != want.ID {
				t.Fatalf("round %d: Find(%q) = %s, %v; over State.Live: %s, %v", round, q, got.ID, gerr, want.ID, werr)
			}
		}
		if st := lazy.State(); !equalStates(st, full.State()) || lazy.lazy != nil {
			t.Fatalf("round %d: the state decoded on first use differs", round)
		}
		for _, q := range queriesFor(rng, s) {
			sameFind(t, lazy, full, q) // decoded now
		}
		lazy.Close()
		full.Close()
	}
}

// TestIndexAcceptsWhatDecoderAccepts: every truncation and many byte
// changes of a payload are refused by the index exactly when the decoder
// refuses them, in the same words.
func TestIndexAcceptsWhatDecoderAccepts(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 3))
	s := randomState(rng)
	for len(s.Accounts) < 3 {
		s = randomState(rng)
	}
	b := marshalPayload(payload{state: s, auditKey: bytes.Repeat([]byte{7}, keySize),
		oldKeys: []oldKey{{id: newKeyID(), gen: 1, key: bytes.Repeat([]byte{8}, keySize)}}})
	check := func(what string, c []byte) {
		t.Helper()
		_, ierr := indexedVault(t, c)
		_, derr := decodedVault(t, c)
		if fmt.Sprint(ierr) != fmt.Sprint(derr) {
			t.Fatalf("%s: index %v, decoder %v", what, ierr, derr)
		}
	}
	for n := range len(b) + 1 {
		check(fmt.Sprintf("the first %d bytes", n), b[:n])
	}
	accepted := 0
	for i := range 3000 {
		c := bytes.Clone(b)
		c[rng.IntN(len(c))] = byte(rng.IntN(256))
		if i%3 == 0 {
			c[rng.IntN(len(c))] ^= byte(1 << rng.IntN(8))
		}
		check(fmt.Sprintf("change %d", i), c)
		if _, err := decodedVault(t, c); err == nil {
			accepted++
		}
	}
	if accepted == 0 {
		t.Error("no changed payload was accepted: the test only saw refusals")
	}
}

// TestOpenIndexes: Open indexes a format-2 vault file; Find, Settings and
// LastChange answer from the index without decoding the accounts; any use
// that needs them (State, Accounts, Update) decodes once, and the vault
// then behaves as before.
func TestOpenIndexes(t *testing.T) {
	dir, v := newTestVault(t, "pw")
	addAccount(t, v, testAccount("EHR", "dr.jones"))
	b := addAccount(t, v, testAccount("Lab", "counter"))
	v.Close()
	open := func() *Vault {
		w, err := Open(dir, Unlock{Passphrase: passphrase("pw")})
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	w := open()
	if w.lazy == nil || len(w.state.Accounts) != 0 {
		t.Fatal("Open decoded the accounts")
	}
	if a, err := w.Find("lab"); err != nil || a.ID != b.ID {
		t.Fatalf("Find: %v, %v", a.ID, err)
	}
	_ = w.Settings()
	_ = w.LastChange()
	if w.lazy == nil {
		t.Fatal("Find, Settings or LastChange decoded the accounts")
	}
	if err := w.Update(func(tx *Tx) error { tx.Delete(b.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if w.lazy != nil || len(w.Accounts()) != 1 {
		t.Fatalf("after a save: indexed %v, %d accounts", w.lazy != nil, len(w.Accounts()))
	}
	w.Close()
	for _, use := range []func(*Vault){
		func(v *Vault) { _ = v.State() },
		func(v *Vault) { _ = v.Accounts() },
		func(v *Vault) { _ = v.Reload() },
	} {
		w := open()
		use(w)
		if w.lazy != nil || len(w.state.Accounts) != 1 {
			t.Errorf("indexed %v, %d accounts decoded", w.lazy != nil, len(w.state.Accounts))
		}
		w.Close()
	}
	w = open()
	w.Close()
	if w.lazy != nil {
		t.Error("Close kept the indexed payload")
	}
	if _, err := w.Find("lab"); err == nil {
		t.Error("Find after Close found an account")
	}
}

// TestIndexedFindAllocatesNothingPerAccount: Find on a vault just opened
// allocates as much at 10,000 accounts as at 1,000.
func TestIndexedFindAllocatesNothingPerAccount(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under -race; make test checks them without it")
	}
	allocs := func(n int, q string) float64 {
		var s State
		for i := range n {
			s.Accounts = append(s.Accounts, Account{ID: fmt.Sprintf("%016x", i), Issuer: fmt.Sprintf("Issuer %d", i%37), Name: fmt.Sprintf("user%d", i),
				Type: TOTP, Secret: NewSecret([]byte(fmt.Sprintf("secret-%020d", i))), Algorithm: SHA1, Digits: 6, Period: 30, Tags: []string{}})
		}
		v, err := indexedVault(t, marshalPayload(payload{state: s, auditKey: make([]byte, keySize)}))
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		a := testing.AllocsPerRun(10, func() { _, _ = v.Find(q) })
		if v.lazy == nil {
			t.Fatalf("Find(%q) decoded the payload", q)
		}
		return a
	}
	for _, q := range []string{"user500", "Issuer 3:user3", "000000000000000a", "nothing like it"} {
		small, large := allocs(1000, q), allocs(10000, q)
		if large > small || large > 16 {
			t.Errorf("Find(%q): %v allocations at 1,000 accounts, %v at 10,000", q, small, large)
		}
	}
}

// FuzzPayloadIndex: for any payload bytes, the index accepts exactly what
// the decoder accepts (in the same words), and on what both accept, Find
// answers alike for the fuzzed query and the accounts' own IDs and names,
// and the state decoded on first use is the decoder's.
func FuzzPayloadIndex(f *testing.F) {
	rng := rand.New(rand.NewPCG(14, 4))
	for range 6 {
		s := randomState(rng)
		f.Add(marshalPayload(payload{state: s, auditKey: bytes.Repeat([]byte{7}, keySize)}), "mail")
	}
	c := NewClock("d", nil)
	dup := testAccount("A", "a")
	dup.ID, dup.Stamp = "0001", c.Now()
	dup.Normalize()
	other := dup
	other.ID = "0000"
	st := State{Accounts: []Account{dup, other}, Tombstones: []Tombstone{{ID: "0001", Stamp: c.Now()}}}
	f.Add(marshalPayload(payload{state: st, auditKey: bytes.Repeat([]byte{7}, keySize)}), "a")
	f.Add(marshalStateBinary(st), "0001")
	f.Add(marshalStateBinary(State{}), "x")
	v1 := append([]byte("WKS\x01"), appendAccounts(nil, st.Accounts)...)
	v1 = appendStamp(binary.AppendVarint(appendTombstones(v1, nil), 300), c.Now())
	f.Add(v1, "a")
	f.Fuzz(func(t *testing.T, b []byte, query string) {
		if !bytes.HasPrefix(b, binaryMagicV2) {
			return // Open indexes format 2 only; the rest decodes whole
		}
		lazy, ierr := indexedVault(t, b)
		full, derr := decodedVault(t, b)
		if fmt.Sprint(ierr) != fmt.Sprint(derr) {
			t.Fatalf("index: %v; decoder: %v", ierr, derr)
		}
		if ierr != nil {
			return
		}
		defer lazy.Close()
		defer full.Close()
		if lazy.LastChange() != full.LastChange() || lazy.Settings() != full.Settings() {
			t.Fatal("the index's newest stamp or settings differ")
		}
		qs := []string{query}
		for _, a := range full.state.Accounts {
			qs = append(qs, a.ID, a.Name, a.Issuer+":"+a.Name)
		}
		for _, q := range qs {
			sameFind(t, lazy, full, q)
		}
		if !equalStates(lazy.State(), full.State()) {
			t.Fatal("the state decoded on first use differs")
		}
	})
}

// BenchmarkIndexVsDecode: BenchmarkOpenFindCode's payload, once decrypted,
// indexed and searched, and decoded whole and searched, side by side.
func BenchmarkIndexVsDecode(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		var s State
		for i := range n {
			s.Accounts = append(s.Accounts, Account{ID: fmt.Sprintf("%016x", i), Issuer: fmt.Sprintf("Service %d", i%97), Name: fmt.Sprintf("user%d", i),
				Type: TOTP, Secret: NewSecret([]byte(fmt.Sprintf("secret-%020d", i))), Algorithm: SHA1, Digits: 6, Period: 30, Tags: []string{}})
		}
		plain := marshalPayload(payload{state: s, auditKey: make([]byte, keySize)})
		q := fmt.Sprintf("user%d", n/2)
		for _, way := range []struct {
			name string
			open func(testing.TB, []byte) (*Vault, error)
		}{{"index", indexedVault}, {"decode", decodedVault}} {
			b.Run(fmt.Sprintf("%d/%s", n, way.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					v, err := way.open(b, plain)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := v.Find(q); err != nil {
						b.Fatal(err)
					}
					v.Close()
				}
			})
		}
	}
}

// An ambiguous Find names the accounts it matched without handing out
// their secrets: those are views of the vault's buffer, unmapped by Close
// and by every save, so an error kept longer than the vault must not hold
// them.
func TestAmbiguousFindHoldsNoSecrets(t *testing.T) {
	dir := t.TempDir()
	v, err := Create(dir, CreateOptions{Passphrase: []byte("pw"), Options: Options{KDF: &KDFParams{Alg: "argon2id", Memory: 64, Time: 1, Threads: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if err := v.Update(func(tx *Tx) error {
		for _, n := range []string{"one", "two"} {
			if _, err := tx.Add(Account{Issuer: "Ward", Name: n, Type: TOTP, Secret: NewSecret([]byte("12345678901234567890")), Algorithm: SHA1, Digits: 6, Period: 30}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	_, err = v.Find("ward")
	var amb *AmbiguousError
	if !errors.As(err, &amb) || len(amb.Matches) != 2 {
		t.Fatalf("Find(ward) = %v, want two matches", err)
	}
	for _, a := range amb.Matches {
		if !a.Secret.IsZero() || a.ID == "" || a.Name == "" {
			t.Fatalf("a match holds a secret or lacks its name/ID: %s", a.Label())
		}
	}
}

// withParallelStages runs f with findOne's pass split between two
// goroutines from n accounts on, on at least two processors.
func withParallelStages(t *testing.T, n int, f func()) {
	t.Helper()
	old, procs := parallelStages, runtime.GOMAXPROCS(2)
	parallelStages = n
	defer func() { parallelStages = old; runtime.GOMAXPROCS(procs) }()
	f()
}

// The pass split between two goroutines counts every stage as the one
// pass does, first hit included, over decoded and indexed accounts, and
// Find on the index answers as Find on the decoded accounts with it.
func TestStageCountsParallelMatchesSequential(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 7))
	withParallelStages(t, 2, func() {
		for round := range 200 {
			s := randomState(rng)
			b := marshalPayload(payload{state: s, auditKey: bytes.Repeat([]byte{7}, keySize)})
			lazy, err := indexedVault(t, b)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range queriesFor(rng, s) {
				m, err := newMatcher(q)
				if err != nil {
					continue
				}
				for _, l := range []accountList{accountSlice(s.Accounts), lazy.lazy} {
					wc, wf := countStages(l, m, 0, l.count())
					gc, gf := stageCounts(l, m)
					for st := range stages {
						if gc[st] != wc[st] || (wc[st] > 0 && gf[st] != wf[st]) {
							t.Fatalf("round %d, %q, %T: counts %v first %v; one pass: %v %v", round, q, l, gc, gf, wc, wf)
						}
					}
				}
			}
			lazy.Close()
		}
	})
}

// TestIndexFindMatchesDecodedFind with the pass split from two accounts.
func TestIndexFindMatchesDecodedFindParallel(t *testing.T) {
	if raceEnabled {
		// Minutes under the race detector; TestStageCountsParallelMatchesSequential
		// runs the split there.
		t.Skip("skipped under -race: make test runs it")
	}
	withParallelStages(t, 2, func() { TestIndexFindMatchesDecodedFind(t) })
}
