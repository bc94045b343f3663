package vault

import (
	"bytes"
	"cmp"
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
	labels := make([]string, len(e.Matches))
	for i, a := range e.Matches {
		labels[i] = fmt.Sprintf("%s (%s)", a.Label(), a.ID)
	}
	return fmt.Sprintf("%q matches %d accounts: %s", e.Query, len(e.Matches), strings.Join(labels, ", "))
}

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
	all := m.buf
	switch {
	case string(all) == string(m.q), string(all[:n]) == string(m.q), string(all[n+1:]) == string(m.q):
		return stageExact
	case bytes.Contains(all, m.q):
		return stageSubstr
	}
	return stages
}

// appendLower appends strings.ToLower(s) to b without allocating.
func appendLower(b []byte, s string) []byte {
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
