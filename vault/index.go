package vault

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"strings"
)

// The lazy payload index: `wardkey code` opens a vault to print one code,
// and decoding every account into an Account (strings, tags, a secret
// each) was most of its own work at 10,000 accounts. So File.Open checks
// a format-2 payload exactly as the decoder would (the decoder is the same
// scan, cloning what it keeps: decodePayload) but keeps only where each
// account entry starts; Vault.Find reads the entries' IDs, issuers and
// names in place and decodes the one account it returns. Everything else
// (State, Accounts, saves, merges) decodes the whole payload on first use
// (Vault.decoded). The payload stays decrypted in a buffer the vault owns
// (secmem.go) until then, and Close wipes it.

// payloadIndex is a format-2 payload checked as the decoder checks it,
// with its accounts not decoded.
type payloadIndex struct {
	plain    []byte   // the decrypted payload, in memory the vault owns once it holds the index
	offsets  []uint32 // where each account entry starts in plain, in file order
	newest   Stamp    // the newest stamp of the accounts and tombstones; its device a view until done
	settings Settings

	// Where the accounts section's body ends and the sections after the
	// tombstones start in plain: what a format-3 directory records.
	accountsEnd, tail int

	// A format-3 file opened for one account (format3.go): only the
	// directory and the chunks read so far are decrypted; names are read
	// from the directory. nil otherwise.
	part *partial
}

// observe keeps s if it is the newest stamp seen so far (its device still
// a view of plain: done clones it).
func (ix *payloadIndex) observe(s Stamp) {
	// The wall clock first, inlined: most stamps are not the newest.
	if s.Wall >= ix.newest.Wall && s.Compare(ix.newest) > 0 {
		ix.newest = s
	}
}

// indexPayload checks plain (a decrypted payload of format 2) as
// unmarshalPayload would, and indexes its accounts. The payload it returns
// holds the settings, the audit key and previous keys (the caller wipes
// those); its state's accounts and tombstones are empty. It returns an
// error exactly when unmarshalPayload would, with the same words.
func indexPayload(plain []byte) (*payloadIndex, payload, error) {
	if uint64(len(plain)) > math.MaxUint32 {
		// Offsets are uint32 (maxVaultFile keeps payloads far smaller).
		return nil, payload{}, fmt.Errorf("a payload of %d bytes is too large to index", len(plain))
	}
	ix := &payloadIndex{plain: plain}
	p, err := decodePayload(plain, ix, false)
	if err != nil {
		return nil, payload{}, err
	}
	ix.settings = p.state.Settings
	// The newest of State.MaxStamp's candidates; cloned, as plain is
	// wiped one day.
	if m := p.state.Settings.maxStamp(); m.Compare(ix.newest) > 0 {
		ix.newest = m
	}
	ix.newest.Device = strings.Clone(ix.newest.Device)
	return ix, p, nil
}

// decode decodes the whole payload, its secrets as views of plain (for
// the vault to adopt into its own buffer). The keys it holds are wiped:
// the vault took them at open. Only a format-3 payload opened for one
// account can fail here: the rest of it is decrypted and checked now.
func (ix *payloadIndex) decode() (State, error) {
	if ix.part != nil {
		if err := ix.complete(); err != nil {
			return State{}, err
		}
	}
	p, err := decodePayload(ix.plain, nil, true)
	if err != nil {
		// indexPayload accepted these bytes, the same scan, and they
		// live in memory only the vault writes.
		panic("vault: a payload checked at open no longer decodes: " + err.Error())
	}
	wipePayloadKeys(&p)
	return p.state, nil
}

// count is the number of accounts.
func (ix *payloadIndex) count() int { return len(ix.offsets) }

// entry reads the first fields of account entry i, as views of plain: ID,
// issuer, name and secret (the type, between them, is skipped).
func (ix *payloadIndex) entry(i int) (id, issuer, name string, secret []byte) {
	b, o := ix.plain, int(ix.offsets[i])
	id, o = checkedView(b, o)
	issuer, o = checkedView(b, o)
	name, o = checkedView(b, o)
	_, o = checkedField(b, o) // the type
	secret, _ = checkedField(b, o)
	return id, issuer, name, secret
}

// names returns account i's ID, issuer and name, as views of plain.
func (ix *payloadIndex) names(i int) (id, issuer, name string) {
	b, o := ix.plain, int(ix.offsets[i])
	id, o = checkedView(b, o)
	issuer, o = checkedView(b, o)
	name, _ = checkedView(b, o)
	return id, issuer, name
}

// checkedField reads the field at b[o:] in an entry the open-time scan
// accepted, and where it ends: no error to look for, as the scan found
// none (a bounds check would still stop a read past b). Find reads every
// entry's names through it; the reader's checks per field were most of
// that pass.
func checkedField(b []byte, o int) ([]byte, int) {
	if v, end, ok := fieldAt(b, o); ok {
		return v, end
	}
	n, k := binary.Uvarint(b[o:])
	end := o + k + int(n)
	return b[o+k : end : end], end
}

// checkedView is checkedField as a view (see view).
func checkedView(b []byte, o int) (string, int) {
	v, end := checkedField(b, o)
	return view(v), end
}

// hiddenDuplicate is hiddenDuplicate of the decoded accounts: another
// account with the same issuer, name and secret has a smaller ID.
func (ix *payloadIndex) hiddenDuplicate(i int) bool {
	xid, xis, xn, xs := ix.entry(i)
	for j := range ix.offsets {
		// Equalities first (a length compare rules out most entries), the
		// ID's order and the secret only for an entry that names the same
		// account: this pass reads every entry.
		id, issuer, name := ix.names(j)
		if j == i || name != xn || issuer != xis || id >= xid {
			continue
		}
		if _, _, _, s := ix.entry(j); bytes.Equal(s, xs) {
			return true
		}
	}
	return false
}

// account decodes account i alone, as a copy of its own (strings, tags and
// secret on the heap: the caller's, as Vault.Find's result always was).
func (ix *payloadIndex) account(i int) Account {
	r := &reader{b: ix.plain[ix.offsets[i]:]}
	sc := newAccountScanner()
	sc.next(r, uint64(i))
	if r.err != nil {
		panic("vault: an account checked at open no longer decodes: " + r.err.Error())
	}
	return sc.clone(true)
}

// free wipes the payload and gives its buffer back.
func (ix *payloadIndex) free() {
	if ix.part != nil {
		ix.part.wipe(ix.plain)
		secureRelease(ix.plain)
	} else {
		secureFree(ix.plain)
	}
	ix.plain, ix.offsets = nil, nil
}

// accountList is what findOne reads: a state's accounts, decoded
// (accountSlice) or indexed in a payload (*payloadIndex).
type accountList interface {
	count() int
	names(i int) (id, issuer, name string)
	hiddenDuplicate(i int) bool
}

// accountSlice is decoded accounts as an accountList.
type accountSlice []Account

func (as accountSlice) count() int { return len(as) }

func (as accountSlice) names(i int) (id, issuer, name string) {
	return as[i].ID, as[i].Issuer, as[i].Name
}

func (as accountSlice) hiddenDuplicate(i int) bool { return hiddenDuplicate(as, i) }

// parallelStages is the number of accounts from which stageCounts splits
// its pass between two goroutines (a variable: tests lower it). Below it
// the second goroutine's start costs more than it saves.
var parallelStages = 4096

// stageCounts is findOne's one pass over l: how many accounts match each
// stage and the first of them. From parallelStages accounts, with more
// than one processor, the two halves are counted at once (the pass is
// most of a code at 10,000 accounts, and a code runs alone); the halves'
// counts add and the first half's first hit comes first, so the answer is
// the sequential pass's.
func stageCounts[L accountList](l L, m *matcher) (count, first [stages]int) {
	n := l.count()
	if n < parallelStages || runtime.GOMAXPROCS(0) < 2 {
		return countStages(l, m, 0, n)
	}
	half := n / 2
	var c2, f2 [stages]int
	m2 := m.clone()
	inHalves(func() { count, first = countStages(l, m, 0, half) }, func() { c2, f2 = countStages(l, m2, half, n) })
	for s := range stages {
		if count[s] == 0 {
			first[s] = f2[s]
		}
		count[s] += c2[s]
	}
	return count, first
}

// inHalves runs first here and second in a goroutine of its own, and
// returns when both have. Even if first panics, second is waited for (the
// caller holds the vault's lock while both read its payload); a panic of
// second is raised again here.
func inHalves(first, second func()) {
	var p2 any
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() { p2 = recover() }()
		second()
	}()
	func() {
		defer func() { <-done }()
		first()
	}()
	if p2 != nil {
		panic(p2)
	}
}

// countStages counts the stages of accounts [from, to) of l.
func countStages[L accountList](l L, m *matcher, from, to int) (count, first [stages]int) {
	for i := from; i < to; i++ {
		id, issuer, name := l.names(i)
		if s := m.stage(id, issuer, name); s < stages {
			if count[s] == 0 {
				first[s] = i
			}
			count[s]++
		}
	}
	return count, first
}

// findOne decides a query over l as Find(State{Accounts: l}.Live(), query)
// would, without working out every duplicate first (State.Live sorts all
// accounts to find them, while a query has one hit or a few): the stage is
// decided over all accounts in one pass, then only the deciding stage's
// hits are checked against the others. It returns the index of the one
// live account named, or slow when the exact path must answer (hidden
// duplicates among the hits, several hits: it words the ambiguity).
func findOne[L accountList](l L, query string) (i int, slow bool, err error) {
	m, err := newMatcher(query)
	if err != nil {
		return 0, false, err
	}
	count, first := stageCounts(l, m)
	s := 0
	for s < stages && count[s] == 0 {
		s++
	}
	if s == stages {
		return 0, false, notFound(query)
	}
	if count[s] > maxCheckedHits {
		return 0, true, nil
	}
	if count[s] > 1 {
		// Several hits: at most one is live only where duplicates hide
		// the others, which the exact path works out.
		return 0, true, nil
	}
	// One hit. An account that hides it has its issuer and name, so it
	// matches the stages of names as it does: were the hit found by
	// issuer or name, that account would be a hit of the same stage (or,
	// its ID the query, of the ID's stage, which would have decided).
	// Only a hit by ID needs the pass that looks for one.
	if i := first[s]; s != stageID || !l.hiddenDuplicate(i) {
		return i, false, nil
	}
	return 0, true, nil
}
