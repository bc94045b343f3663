package vault

import (
	"bytes"
	"fmt"
	"math"
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
// the vault took them at open.
func (ix *payloadIndex) decode() State {
	p, err := decodePayload(ix.plain, nil, true)
	if err != nil {
		// indexPayload accepted these bytes, the same scan, and they
		// live in memory only the vault writes.
		panic("vault: a payload checked at open no longer decodes: " + err.Error())
	}
	wipePayloadKeys(&p)
	return p.state
}

// count is the number of accounts.
func (ix *payloadIndex) count() int { return len(ix.offsets) }

// entry reads the first fields of account entry i, as views of plain: ID,
// issuer, name and secret (the type, between them, is skipped).
func (ix *payloadIndex) entry(i int) (id, issuer, name string, secret []byte) {
	r := reader{b: ix.plain[ix.offsets[i]:]}
	id, issuer, name = r.view(), r.view(), r.view()
	_ = r.bytes()
	return id, issuer, name, r.bytes()
}

// names returns account i's ID, issuer and name, as views of plain.
func (ix *payloadIndex) names(i int) (id, issuer, name string) {
	id, issuer, name, _ = ix.entry(i)
	return id, issuer, name
}

// hiddenDuplicate is hiddenDuplicate of the decoded accounts: another
// account with the same issuer, name and secret has a smaller ID.
func (ix *payloadIndex) hiddenDuplicate(i int) bool {
	xid, xis, xn, xs := ix.entry(i)
	for j, off := range ix.offsets {
		// Field by field, each read only while the ones before match:
		// this pass reads every entry.
		r := reader{b: ix.plain[off:]}
		if j == i || r.view() >= xid || r.view() != xis || r.view() != xn {
			continue
		}
		_ = r.bytes() // the type
		if bytes.Equal(r.bytes(), xs) {
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
	secureFree(ix.plain)
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
	n := l.count()
	var count, first [stages]int
	for i := range n {
		id, issuer, name := l.names(i)
		if s := m.stage(id, issuer, name); s < stages {
			if count[s] == 0 {
				first[s] = i
			}
			count[s]++
		}
	}
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
	live := -1
	for i, k := first[s], 0; k < count[s]; i++ {
		id, issuer, name := l.names(i)
		if m.stage(id, issuer, name) != s {
			continue
		}
		k++
		if live >= 0 || l.hiddenDuplicate(i) {
			return 0, true, nil
		}
		live = i
	}
	return live, false, nil
}
