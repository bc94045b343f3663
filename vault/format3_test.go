package vault

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// testKey is the vault key of the files these tests seal.
var testKey = bytes.Repeat([]byte{9}, keySize)

// sealedFile seals plain (a format-2 payload) and dir as a format-3 file
// under testKey and parses it back.
func sealedFile(t testing.TB, plain, dir []byte) *parsed {
	t.Helper()
	out, err := sealPlain("0123456789abcdef0123456789abcdef", keyRef{id: "00112233445566778899aabbccddeeff"}, testKey, nil, plain, dir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := parseFile(out)
	if err != nil {
		t.Fatalf("a sealed format-3 file does not parse: %v", err)
	}
	return p
}

// partialVault opens p as File.Open does for Unlock.OneAccount: the
// directory and settings only. The vault is closed when the test ends.
func partialVault(t testing.TB, p *parsed) (*Vault, error) { return testOpen(t, p, true) }

// fullVault opens p as File.Open does without Unlock.OneAccount.
func fullVault(t testing.TB, p *parsed) (*Vault, error) { return testOpen(t, p, false) }

func testOpen(t testing.TB, p *parsed, oneAccount bool) (*Vault, error) {
	t.Helper()
	ix, pl, err := p.decryptIndexed(testKey, true, oneAccount, p.payloadBuffer(oneAccount))
	if err != nil {
		return nil, err
	}
	v := &Vault{key: secureBytes(testKey), lazy: ix}
	v.takeKeys(pl)
	if ix.part != nil {
		ix.part.key = v.key
	}
	t.Cleanup(v.Close)
	return v, nil
}

// TestPartialFindMatchesDecodedFind: on many generated states, a format-3
// file opened for one account answers every query exactly as the state
// decoded whole (the same account, or the same error in the same words),
// with the same newest stamp and settings, and decodes on first use to
// the same state; opened whole, the file is the index of format 2. Every
// other round reads the directory's halves at once.
func TestPartialFindMatchesDecodedFind(t *testing.T) {
	defer func(n int) { parallelStages = n }(parallelStages)
	rng := rand.New(rand.NewPCG(3, 14))
	for round := range 400 {
		parallelStages = 4096
		if round%2 == 1 {
			parallelStages = 2
		}
		s := randomState(rng)
		plain := marshalPayload(payload{state: s, auditKey: bytes.Repeat([]byte{7}, keySize)})
		dir, err := directoryOf(plain)
		if err != nil {
			t.Fatal(err)
		}
		p := sealedFile(t, plain, dir)
		part, err := partialVault(t, p)
		if err != nil {
			t.Fatalf("round %d: a valid file refused for one account: %v", round, err)
		}
		if part.lazy.part == nil {
			t.Fatal("not opened partly")
		}
		whole, err := fullVault(t, p)
		if err != nil || whole.lazy.part != nil {
			t.Fatalf("round %d: a valid file refused whole (%v), or left partly open", round, err)
		}
		full, err := decodedVault(t, plain)
		if err != nil {
			t.Fatal(err)
		}
		if part.LastChange() != full.LastChange() || part.Settings() != full.Settings() || whole.LastChange() != full.LastChange() {
			t.Fatalf("round %d: newest stamp %v / %v, settings %+v / %+v", round, part.LastChange(), full.LastChange(), part.Settings(), full.Settings())
		}
		if k, _ := part.AuditKey(); !bytes.Equal(k, bytes.Repeat([]byte{7}, keySize)) {
			t.Fatalf("round %d: audit key %x", round, k)
		}
		for _, q := range queriesFor(rng, s) {
			sameFind(t, part, full, q)
			sameFind(t, whole, full, q)
		}
		if st := part.State(); !equalStates(st, full.State()) || part.lazy != nil || part.Locked() {
			t.Fatalf("round %d: the state decoded on first use differs", round)
		}
		part.Close()
		whole.Close()
		full.Close()
	}
}

// TestPartialReadsOnlyWhatItNeeds: at 2,000 accounts a code's open
// decrypts the directory and the chunks of the settings, and Find the
// chunk of its one account; the others stay as sealed (zero in memory).
func TestPartialReadsOnlyWhatItNeeds(t *testing.T) {
	var s State
	c := NewClock("d", nil)
	for i := range 2000 {
		s.Accounts = append(s.Accounts, Account{ID: fmt.Sprintf("%016x", i), Issuer: fmt.Sprintf("Service %d", i%97), Name: fmt.Sprintf("user%d", i),
			Type: TOTP, Secret: NewSecret([]byte(fmt.Sprintf("secret-%020d", i))), Algorithm: SHA1, Digits: 6, Period: 30, Tags: []string{}, Stamp: c.Now()})
	}
	plain := marshalPayload(payload{state: s, auditKey: bytes.Repeat([]byte{7}, keySize)})
	dir, _ := directoryOf(plain)
	v, err := partialVault(t, sealedFile(t, plain, dir))
	if err != nil {
		t.Fatal(err)
	}
	opened := func() int {
		n := 0
		for _, o := range v.lazy.part.open {
			if o {
				n++
			}
		}
		return n
	}
	chunks := len(v.lazy.part.open)
	if chunks < 10 || opened() > 2 {
		t.Fatalf("%d of %d chunks decrypted at open", opened(), chunks)
	}
	before := opened()
	a, err := v.Find("user1234")
	if err != nil || a.Name != "user1234" || string(a.Secret.Bytes()) != fmt.Sprintf("secret-%020d", 1234) {
		t.Fatalf("found %q (%v)", a.Name, err)
	}
	if got := opened() - before; got < 1 || got > 2 {
		t.Fatalf("Find decrypted %d chunks", got)
	}
	for c, o := range v.lazy.part.open {
		if lo := c * chunkSize; !o && !allZero(v.lazy.plain[lo:min(lo+chunkSize, len(v.lazy.plain))]) {
			t.Fatalf("chunk %d is not decrypted but its bytes are not zero", c)
		}
	}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// TestFormat3RefusesTampering: a byte changed in any segment, two chunks
// swapped and a chunk cut off are refused whole with ErrTampered; opened
// for one account, Find then either fails with ErrTampered or returns an
// account the file really holds, and the rest fails when it is needed,
// closing the vault. A directory that does not describe the accounts
// (sealed with the key: only its holder could) opens whole as the
// accounts say, and a code from it is an account the file holds, or an
// error.
func TestFormat3RefusesTampering(t *testing.T) {
	var s State
	c := NewClock("d", nil)
	for i := range 1200 {
		s.Accounts = append(s.Accounts, Account{ID: fmt.Sprintf("%016x", i), Issuer: "Ward", Name: fmt.Sprintf("user%d", i),
			Type: TOTP, Secret: NewSecret([]byte(fmt.Sprintf("secret-%020d", i))), Algorithm: SHA1, Digits: 6, Period: 30, Tags: []string{}, Stamp: c.Now()})
	}
	s.Tombstones = []Tombstone{{ID: "dead", Stamp: c.Now()}}
	plain := marshalPayload(payload{state: s, auditKey: bytes.Repeat([]byte{7}, keySize)})
	dir, _ := directoryOf(plain)
	good := sealedFile(t, plain, dir)
	byID := map[string]Account{}
	for _, a := range s.Accounts {
		byID[a.ID] = a
	}
	try := func(name string, p *parsed, lie bool) {
		t.Helper()
		w, err := fullVault(t, p)
		switch {
		case lie && (err != nil || len(w.Accounts()) != 1200):
			t.Errorf("%s: opened whole: %v", name, err)
		case !lie && !errors.Is(err, ErrTampered):
			t.Errorf("%s: opened whole: %v", name, err)
		}
		v, err := partialVault(t, p)
		if err != nil {
			if !errors.Is(err, ErrTampered) {
				t.Errorf("%s: opened for one account: %v", name, err)
			}
			return
		}
		for _, q := range []string{"user0", "user1199", "user300", "0000000000000100"} {
			a, err := v.Find(q)
			if err != nil {
				if !errors.Is(err, ErrTampered) && !errors.Is(err, ErrNotFound) {
					t.Errorf("%s: Find(%q): %v", name, q, err)
				}
				continue
			}
			if want, ok := byID[a.ID]; !ok || !sameAccount(a, want) {
				t.Errorf("%s: Find(%q) gave an account the file does not hold: %+v", name, q, a)
			}
		}
		if lie {
			if st := v.State(); len(st.Accounts) != 1200 {
				t.Errorf("%s: the rest decoded to %d accounts", name, len(st.Accounts))
			}
			return
		}
		if st := v.State(); len(st.Accounts) != 0 || !v.Locked() {
			t.Errorf("%s: the rest decoded (%d accounts), or the vault stayed open", name, len(st.Accounts))
		}
		if err := v.Update(func(*Tx) error { return nil }); !errors.Is(err, ErrTampered) {
			t.Errorf("%s: Update after: %v", name, err)
		}
		if _, err := v.Find("user0"); !errors.Is(err, ErrTampered) {
			t.Errorf("%s: Find after: %v", name, err)
		}
	}
	payloadAt := len(good.raw) - len(good.env.Payload)
	chunks := (len(plain) + chunkSize - 1) / chunkSize
	if chunks < 5 {
		t.Fatalf("%d chunks: too few to test", chunks)
	}
	segments := []int{0, len(dir) + overhead - 1, len(dir) + overhead, len(dir) + overhead + chunks/2*(chunkSize+overhead), len(good.env.Payload) - 1}
	for _, at := range segments {
		b := bytes.Clone(good.raw)
		b[payloadAt+at] ^= 1
		p, err := parseFile(b)
		if err != nil {
			t.Fatal(err)
		}
		try(fmt.Sprintf("a byte changed at %d", at), p, false)
	}
	swapped := bytes.Clone(good.raw)
	c1 := payloadAt + len(dir) + overhead
	c2 := c1 + 2*(chunkSize+overhead)
	copy(swapped[c1:], good.raw[c2:c2+chunkSize+overhead])
	copy(swapped[c2:], good.raw[c1:c1+chunkSize+overhead])
	p, _ := parseFile(swapped)
	try("chunks 1 and 3 swapped", p, false)
	if _, err := parseFile(good.raw[:len(good.raw)-chunkSize]); !errors.Is(err, ErrTampered) {
		t.Errorf("a chunk cut off: %v", err)
	}

	// Directories that lie, sealed with the key.
	whole, pl, _ := indexPayload(plain)
	wipePayloadKeys(&pl)
	lies := map[string]func(d []byte) []byte{
		"a name changed": func(d []byte) []byte {
			i := bytes.Index(d, []byte("user300"))
			d[i+4] = '9'
			return d
		},
		"an account left out": func([]byte) []byte {
			w := *whole
			w.offsets = append(append([]uint32{}, whole.offsets[:10]...), whole.offsets[11:]...)
			d := w.directory()
			return d
		},
		"two accounts' places swapped": func([]byte) []byte {
			w := *whole
			w.offsets = append([]uint32{}, whole.offsets...)
			w.offsets[299], w.offsets[300] = w.offsets[300], w.offsets[299]
			return w.directory()
		},
		"the settings elsewhere": func([]byte) []byte {
			w := *whole
			w.tail -= 3
			return w.directory()
		},
		"another newest stamp": func([]byte) []byte {
			w := *whole
			w.newest.Logical++
			return w.directory()
		},
	}
	for name, lie := range lies {
		try(name, sealedFile(t, plain, lie(bytes.Clone(dir))), true)
	}
	if v, err := fullVault(t, sealedFile(t, plain, dir)); err != nil || len(v.Accounts()) != 1200 {
		t.Fatalf("the honest directory: %v", err)
	}
}

// TestOneAccountOpen: a vault written now is of format 3; opened for one
// account it finds, shows a code, counts a HOTP code on (which decodes and
// checks the rest first), and reopens with everything in place.
func TestOneAccountOpen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "default")
	k := memKeyring{}
	v, err := Create(dir, CreateOptions{Keyring: k})
	if err != nil {
		t.Fatal(err)
	}
	addAccount(t, v, testAccount("EHR", "dr.jones"))
	h := testAccount("Lab", "counter")
	h.Type, h.Period = HOTP, 0
	addAccount(t, v, h)
	v.Close()
	b, _ := os.ReadFile(filepath.Join(dir, VaultFile))
	if !bytes.Contains(b[:bytes.IndexByte(b, '\n')], []byte(`"version":3`)) {
		t.Fatalf("written as %s", b[:bytes.IndexByte(b, '\n')])
	}
	v, err = Open(dir, Unlock{Keyring: k, OneAccount: true})
	if err != nil {
		t.Fatal(err)
	}
	if v.lazy == nil || v.lazy.part == nil {
		t.Fatal("not opened for one account")
	}
	a, err := v.Find("counter")
	if err != nil || a.Type != HOTP {
		t.Fatalf("Find: %+v, %v", a, err)
	}
	if _, err := TOTPCode(a, time.Now()); err == nil {
		t.Log("a HOTP account gave a TOTP code") // not what is tested here
	}
	if err := v.Update(func(tx *Tx) error { _, err := tx.NextHOTP(a.ID); return err }); err != nil {
		t.Fatal(err)
	}
	v.Close()
	w, err := Open(dir, Unlock{Keyring: k})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if got, _ := w.State().Account(a.ID); got.Counter != a.Counter+1 || len(w.Accounts()) != 2 {
		t.Fatalf("after the save: counter %d, %d accounts", got.Counter, len(w.Accounts()))
	}
}

// TestDirectoryEntryNeverPanics: entries cut anywhere, and one whose
// offset overflows a uvarint, are refused, not a panic.
func TestDirectoryEntryNeverPanics(t *testing.T) {
	for _, b := range [][]byte{
		append([]byte{1, 'x', 0, 1, ':'}, bytes.Repeat([]byte{0xff}, 11)...),
		append([]byte{1, 'x', 0, 1, ':', 5}, bytes.Repeat([]byte{0xff}, 11)...),
		{1, 'x', 0, 1, ':', 5, 6},
	} {
		for n := range len(b) + 1 {
			var e dirEntry
			r := &reader{b: b[:n]}
			e.next(r)
			if r.err == nil && n < len(b) && n < 7 {
				t.Errorf("% x: accepted", b[:n])
			}
		}
	}
}

// containsShort is bytes.Contains, on every short string of a few bytes.
func TestContainsShort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 16))
	alphabet := []byte("ab:")
	str := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return b
	}
	for range 20000 {
		s, q := str(rng.IntN(9)), str(1+rng.IntN(4))
		if got, want := containsShort(s, q), bytes.Contains(s, q); got != want {
			t.Fatalf("containsShort(%q, %q) = %v", s, q, got)
		}
	}
}

// FuzzFormat3Directory: whatever directory a file is sealed with (only
// the key's holder could seal one), opening it for one account and
// finding never panics, and what Find returns is an account the payload
// holds; opened whole, it opens as its accounts say.
func FuzzFormat3Directory(f *testing.F) {
	rng := rand.New(rand.NewPCG(3, 15))
	s := randomState(rng)
	for len(s.Accounts) < 5 {
		s = randomState(rng)
	}
	plain := marshalPayload(payload{state: s, auditKey: bytes.Repeat([]byte{7}, keySize)})
	dir, _ := directoryOf(plain)
	f.Add(dir, s.Accounts[0].Name)
	f.Add(dir[:len(dir)-1], s.Accounts[1].ID)
	f.Add([]byte("WKD\x01"), "x")
	// An entry whose offset overflows a uvarint (found in review: the
	// length was then read at a negative offset).
	whole, pl, _ := indexPayload(plain)
	wipePayloadKeys(&pl)
	over := appendStamp(append([]byte{}, directoryMagic...), whole.newest)
	over = binary.AppendUvarint(binary.AppendUvarint(binary.AppendUvarint(over, uint64(whole.tail)), 1), 0)
	over = append(append(over, 1, 'x', 0, 1, ':'), bytes.Repeat([]byte{0xff}, 11)...)
	f.Add(over, "x")
	f.Add(over, "xy")
	full, err := unmarshalPayload(plain)
	if err != nil {
		f.Fatal(err)
	}
	want, err := decodedVault(f, plain)
	if err != nil {
		f.Fatal(err)
	}
	defer func(n int) { parallelStages = n }(parallelStages)
	f.Fuzz(func(t *testing.T, d []byte, query string) {
		if len(d) == 0 {
			return // a header without a directory length is refused before
		}
		parallelStages = 4096
		if len(query)%2 == 1 {
			parallelStages = 2 // the halves at once
		}
		p := sealedFile(t, plain, d)
		w, err := fullVault(t, p)
		if err != nil {
			t.Fatalf("opened whole: %v", err)
		}
		if !equalStates(w.State(), want.State()) {
			t.Fatal("opened whole: another state")
		}
		w.Close()
		v, err := partialVault(t, p)
		if err != nil {
			return
		}
		defer v.Close()
		for _, q := range append([]string{query}, s.Accounts[0].ID, s.Accounts[1].Name) {
			a, err := v.Find(q)
			if err != nil {
				continue
			}
			found := false
			for _, b := range full.state.Accounts {
				found = found || sameAccount(a, b)
			}
			if !found {
				t.Fatalf("Find(%q) gave an account the payload does not hold: %+v", q, a)
			}
		}
	})
}

// bigVault makes a vault of n accounts ("user0" …) with a keyring slot.
func bigVault(t *testing.T, n int) (string, memKeyring) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "default")
	k := memKeyring{}
	var s State
	c := NewClock("d", nil)
	for i := range n {
		s.Accounts = append(s.Accounts, Account{ID: fmt.Sprintf("%016x", i), Issuer: fmt.Sprintf("Service %d", i%97), Name: fmt.Sprintf("user%d", i),
			Type: TOTP, Secret: NewSecret([]byte(fmt.Sprintf("secret-%020d", i))), Algorithm: SHA1, Digits: 6, Period: 30, Tags: []string{}, Stamp: c.Now()})
	}
	v, err := Create(dir, CreateOptions{Keyring: k, State: s})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	return dir, k
}

// TestLoadReadsInPart: Load reads a large format-3 file as far as its
// directory; an open for one account reads the chunks it decrypts, and
// no other; a whole open reads the rest and closes the file. A save that
// renames a new file over it meanwhile changes nothing of what is read;
// the file cut short in place is refused (ErrTampered), not a panic.
func TestLoadReadsInPart(t *testing.T) {
	dir, k := bigVault(t, 4000)
	if st, _ := os.Stat(filepath.Join(dir, VaultFile)); st.Size() < partReadFrom {
		t.Fatalf("a file of %d bytes: too small to test", st.Size())
	}
	got := func(f *File) int {
		n := 0
		for _, g := range f.p.got {
			if g {
				n++
			}
		}
		return n
	}
	f, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if f.p.src == nil || got(f) != 0 {
		t.Fatalf("not read in part (%d chunks read)", got(f))
	}
	last := f.p.env.Payload[len(f.p.env.Payload)-overhead:]
	if !allZero(last) {
		t.Fatal("the last chunk was read")
	}
	v, err := f.Open(Unlock{Keyring: k, OneAccount: true})
	if err != nil {
		t.Fatal(err)
	}
	a, err := v.Find("user2345")
	if err != nil || string(a.Secret.Bytes()) != fmt.Sprintf("secret-%020d", 2345) {
		t.Fatalf("Find: %v", err)
	}
	if n := got(f); n < 2 || n > 4 {
		t.Fatalf("%d chunks read for one account and the settings", n)
	}
	// Another process saves: a new file is renamed over the one read.
	w, err := Open(dir, Unlock{Keyring: k})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Update(func(tx *Tx) error { tx.Delete("0000000000000001"); return nil }); err != nil {
		t.Fatal(err)
	}
	w.Close()
	b, err := v.Find("user1")
	if err != nil || b.ID != "0000000000000001" {
		t.Fatalf("Find after a save renamed over the file: %+v, %v", b, err)
	}
	if n := len(v.Accounts()); n != 4000 {
		t.Fatalf("the rest read after the save: %d accounts", n)
	}
	if f.p.src != nil {
		t.Fatal("the file is still open once all of it was read")
	}
	v.Close()

	// A whole open reads all of it at once.
	f, err = Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	v, err = f.Open(Unlock{Keyring: k})
	if err != nil || f.p.src != nil || len(v.Accounts()) != 3999 {
		t.Fatalf("a whole open: %v (file still open: %v)", err, f.p.src != nil)
	}
	v.Close()

	// The file cut short in place while a code reads it.
	f, err = Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	v, err = f.Open(Unlock{Keyring: k, OneAccount: true})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if err := os.Truncate(filepath.Join(dir, VaultFile), f.p.base+int64(f.p.header.Directory+overhead+100)); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Find("user10"); !errors.Is(err, ErrTampered) {
		t.Fatalf("Find in a file cut short: %v", err)
	}
}
