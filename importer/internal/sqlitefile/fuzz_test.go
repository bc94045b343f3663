package sqlitefile

import (
	"errors"
	"os"
	"testing"
	"unicode/utf8"
)

// fuzzLimit bounds the rows compared per table, as the importer does.
const fuzzLimit = 200

// FuzzSQLiteFile: a mutated database never panics, every error is one of
// the package's kinds, and where SQLite (modernc.org/sqlite) reads a table
// too, the columns and rows agree.
//
// Deliberate differences, not failures: this reader refuses some files
// SQLite reads (cells overlapping or holding more bytes than their page, a
// record whose header runs past it, an overflow chain through page 1, an
// unknown text encoding, pages used twice) and reads some SQLite refuses
// (it parses only the CREATE TABLE statements it is asked about, where
// SQLite refuses a database whose whole schema does not parse). In a
// UTF-16 database an unpaired surrogate reads as U+FFFD, where SQLite gives
// bytes that are not UTF-8; such values are not compared.
func FuzzSQLiteFile(f *testing.F) {
	for _, p := range fixtures {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Open(data)
		if err != nil {
			checkKind(t, err)
			return
		}
		ref := modernc(t, data)
		for _, table := range d.Tables() {
			cols, err := d.Columns(table)
			if err != nil {
				checkKind(t, err)
				continue
			}
			got, err := ourRows(d, table, cols, fuzzLimit)
			if err != nil {
				checkKind(t, err)
				continue
			}
			refCols, err := refColumns(ref, table)
			if err != nil || len(refCols) == 0 {
				continue // SQLite refuses the schema
			}
			if len(refCols) != len(cols) {
				t.Fatalf("%q: columns %q, SQLite %q", table, cols, refCols)
			}
			for i := range cols {
				if cols[i] != refCols[i] {
					t.Fatalf("%q: columns %q, SQLite %q", table, cols, refCols)
				}
			}
			want, err := refRows(ref, table, cols, fuzzLimit)
			if err != nil {
				continue // SQLite refuses the table
			}
			if len(got) != len(want) {
				t.Fatalf("%q: %d rows, SQLite %d", table, len(got), len(want))
			}
			for i := range got {
				for j := range cols {
					if !same(got[i][j], want[i][j]) && !(d.utf16 != nil && got[i][j].Kind == Text && containsRuneError(got[i][j].Bytes)) {
						t.Fatalf("%q row %d column %q: %+v, SQLite %#v", table, i, cols[j], got[i][j], want[i][j])
					}
				}
			}
		}
	})
}

func containsRuneError(b []byte) bool {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError {
			return true
		}
		b = b[n:]
	}
	return false
}

// checkKind fails unless err is one of the package's kinds of error.
func checkKind(t *testing.T, err error) {
	t.Helper()
	for _, kind := range []error{ErrNotSQLite, ErrDamaged, ErrNoTable, ErrNoColumn, ErrUnsupported, errSyntax} {
		if errors.Is(err, kind) {
			return
		}
	}
	t.Fatalf("an error of no known kind: %v", err)
}
