package vault

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// SortAccounts sorts by issuer, then name (case-insensitive), then ID: the
// order of `wardkey list`.
func SortAccounts(as []Account) {
	// Lower-case each key once, not once per comparison.
	type keyed struct {
		issuer, name string
		a            Account
	}
	ks := make([]keyed, len(as))
	for i, a := range as {
		ks[i] = keyed{strings.ToLower(a.Issuer), strings.ToLower(a.Name), a}
	}
	slices.SortFunc(ks, func(x, y keyed) int {
		return cmp.Or(strings.Compare(x.issuer, y.issuer), strings.Compare(x.name, y.name), strings.Compare(x.a.ID, y.a.ID))
	})
	for i := range ks {
		as[i] = ks[i].a
	}
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
func Find(as []Account, query string) (Account, error) {
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" {
		return Account{}, fmt.Errorf("an empty query: %w", ErrNotFound)
	}
	stages := []func(Account) bool{
		func(a Account) bool { return a.ID == query },
		func(a Account) bool {
			return strings.ToLower(a.Issuer) == q || strings.ToLower(a.Name) == q ||
				strings.ToLower(a.Issuer+":"+a.Name) == q
		},
		func(a Account) bool { return strings.Contains(strings.ToLower(a.Issuer+":"+a.Name), q) },
	}
	for _, match := range stages {
		var hits []Account
		for _, a := range as {
			if match(a) {
				hits = append(hits, a)
			}
		}
		switch len(hits) {
		case 0:
			continue
		case 1:
			return hits[0], nil
		default:
			SortAccounts(hits)
			return Account{}, &AmbiguousError{Query: query, Matches: hits}
		}
	}
	return Account{}, fmt.Errorf("%q: %w", query, ErrNotFound)
}
