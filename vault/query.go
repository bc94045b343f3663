package vault

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SortAccounts sorts by issuer, then name (case-insensitive), then ID: the
// order of `wardkey list`.
func SortAccounts(as []Account) {
	// Lower-case each key once, not once per comparison, and sort small
	// keys that name their account by index: an Account is about 200
	// bytes, and every swap of the sort moved one.
	type keyed struct {
		issuer, name, id string
		i                int
	}
	ks := make([]keyed, len(as))
	for i, a := range as {
		ks[i] = keyed{strings.ToLower(a.Issuer), strings.ToLower(a.Name), a.ID, i}
	}
	slices.SortFunc(ks, func(x, y keyed) int {
		return cmp.Or(strings.Compare(x.issuer, y.issuer), strings.Compare(x.name, y.name), strings.Compare(x.id, y.id))
	})
	sorted := make([]Account, len(as))
	for j, k := range ks {
		sorted[j] = as[k.i]
	}
	copy(as, sorted)
}

// AmbiguousError lists the accounts a query matched when it should match one.
type AmbiguousError struct {
	Query   string
	Matches []Account
}

func (e *AmbiguousError) Error() string {
	// The first few: a query of one letter in a vault of thousands named
	// every account, one line of screens.
	labels := make([]string, 0, min(len(e.Matches), maxAmbiguousShown+1))
	for _, a := range e.Matches[:min(len(e.Matches), maxAmbiguousShown)] {
		labels = append(labels, fmt.Sprintf("%s (%s)", a.Label(), a.ID))
	}
	if more := len(e.Matches) - maxAmbiguousShown; more > 0 {
		labels = append(labels, fmt.Sprintf("and %d more", more))
	}
	return fmt.Sprintf("%q matches %d accounts: %s", e.Query, len(e.Matches), strings.Join(labels, ", "))
}

// maxAmbiguousShown is how many of an ambiguous query's matches its error
// names.
const maxAmbiguousShown = 10

// Unwrap makes errors.Is(err, ErrAmbiguous) true.
func (e *AmbiguousError) Unwrap() error { return ErrAmbiguous }

// Find picks one account by query, in stages; the first stage with any hit
// decides: an account ID; an exact, case-insensitive match of the issuer,
// the name, or "issuer:name"; a case-insensitive substring of "issuer:name".
// Several hits in the deciding stage give an *AmbiguousError.
//
// It allocates nothing per account: one reused buffer holds the lower-cased
// "issuer:name" of the account at hand, and the stages are decided in one
// pass that only counts hits; the hits themselves are gathered (a second
// pass) only when a query is ambiguous.
func Find(as []Account, query string) (Account, error) {
	m, err := newMatcher(query)
	if err != nil {
		return Account{}, err
	}
	var count [stages]int
	var first [stages]int
	for i := range as {
		if s := m.stage(as[i].ID, as[i].Issuer, as[i].Name); s < stages {
			if count[s] == 0 {
				first[s] = i
			}
			count[s]++
		}
	}
	for s := range stages {
		switch count[s] {
		case 0:
			continue
		case 1:
			return as[first[s]], nil
		}
		var hits []Account
		for i := first[s]; i < len(as); i++ {
			if m.stage(as[i].ID, as[i].Issuer, as[i].Name) == s {
				hits = append(hits, as[i])
			}
		}
		SortAccounts(hits)
		return Account{}, &AmbiguousError{Query: query, Matches: hits}
	}
	return Account{}, notFound(query)
}

// The stages of Find, in the order they decide.
const (
	stageID     = iota // the account ID, exactly
	stageExact         // issuer, name or issuer:name, case-insensitively
	stageSubstr        // a substring of issuer:name, case-insensitively
	stages             // no match
)

// matcher decides which stage of Find an account matches.
type matcher struct {
	query string // as given (IDs match it exactly)
	q     []byte // lower-cased, trimmed
	buf   []byte // lower-cased "issuer:name" of the account at hand
}

func newMatcher(query string) (*matcher, error) {
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" {
		return nil, fmt.Errorf("an empty query: %w", ErrNotFound)
	}
	return &matcher{query: query, q: []byte(q), buf: make([]byte, 0, 128)}, nil
}

// clone is a matcher of the same query with a buffer of its own, for
// another goroutine.
func (m *matcher) clone() *matcher {
	return &matcher{query: m.query, q: m.q, buf: make([]byte, 0, cap(m.buf))}
}

// stage returns the first stage the account matches, or stages for none.
// The comparison is that of strings.ToLower on each side.
func (m *matcher) stage(id, issuer, name string) int {
	if id == m.query {
		return stageID
	}
	m.buf = appendLower(m.buf[:0], issuer)
	n := len(m.buf)
	m.buf = append(m.buf, ':')
	m.buf = appendLower(m.buf, name)
	return m.stageLower(m.buf, n)
}

// stageLower is stage for an account whose lower-cased "issuer:name" is
// all, its issuer the first n bytes, once the ID did not match.
func (m *matcher) stageLower(all []byte, n int) int {
	switch {
	case string(all) == string(m.q), string(all[:n]) == string(m.q), string(all[n+1:]) == string(m.q):
		return stageExact
	case containsShort(all, m.q):
		return stageSubstr
	}
	return stages
}

// containsShort is bytes.Contains(s, q) (q not empty) for the short s of
// names: bytes.Index's set-up for them cost more than the search, which
// mostly ends at the first IndexByte, not finding q's first byte.
func containsShort(s, q []byte) bool {
	for len(s) >= len(q) {
		i := bytes.IndexByte(s[:len(s)-len(q)+1], q[0])
		if i < 0 {
			return false
		}
		if string(s[i:i+len(q)]) == string(q) {
			return true
		}
		s = s[i+1:]
	}
	return false
}

// appendLower appends strings.ToLower(s) to b without allocating (once b
// has room).
func appendLower(b []byte, s string) []byte {
	// ASCII, byte by byte into room made once: Find lower-cases every
	// account's names, and an append per byte was most of that.
	n := len(b)
	b = slices.Grow(b, len(s))[:n+len(s)]
	d := b[n:]
	i := 0
	for ; i+8 <= len(s); i += 8 {
		// Eight bytes at a time while they are ASCII: a byte c < 0x80 is
		// in 'A'..'Z' when c+0x3f carries into its top bit (c >= 'A') and
		// c+0x25 does not (c <= 'Z'); no sum carries into the next byte.
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if x&0x8080808080808080 != 0 {
			break
		}
		upper := (x + 0x3f3f3f3f3f3f3f3f) &^ (x + 0x2525252525252525) & 0x8080808080808080
		binary.LittleEndian.PutUint64(d[i:], x|upper>>2)
	}
	for ; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return appendLowerRunes(b[:n+i], s[i:])
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		d[i] = c
	}
	return b
}

// appendLowerRunes is appendLower of s holding more than ASCII.
func appendLowerRunes(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		b = utf8.AppendRune(b, unicode.ToLower(r))
		i += size
	}
	return b
}

// maxCheckedHits bounds the hits findLive examines for hidden duplicates
// itself; more (an ambiguous query) go through State.Live.
const maxCheckedHits = 16

// findLive is Find(State{Accounts: as}.Live(), query) without working out
// every duplicate first (findOne).
func findLive(as []Account, query string) (Account, error) {
	i, slow, err := findOne(accountSlice(as), query)
	switch {
	case err != nil:
		return Account{}, err
	case slow:
		return Find(State{Accounts: as}.Live(), query)
	}
	return as[i], nil
}

// notFound is the error of a query that names no account.
func notFound(query string) error { return fmt.Errorf("%q: %w", query, ErrNotFound) }

// hiddenDuplicate reports whether State.Live hides as[i]: another account
// with the same issuer, name and secret has a smaller ID.
func hiddenDuplicate(as []Account, i int) bool {
	x := &as[i]
	for j := range as {
		y := &as[j]
		if j != i && y.ID < x.ID && y.Issuer == x.Issuer && y.Name == x.Name && bytes.Equal(y.Secret.raw(), x.Secret.raw()) {
			return true
		}
	}
	return false
}
