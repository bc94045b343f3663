package sqlitefile

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // test-only: the reference reader
)

// needTool skips (or fails where WARDKEY_REQUIRE_TOOLS=1, as in CI) when a
// peer tool is not installed.
func needTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("WARDKEY_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is required (WARDKEY_REQUIRE_TOOLS=1) but not installed", name)
		}
		t.Skipf("SKIPPING: %s is not installed (apt-get install sqlite3)", name)
	}
}

// sqlite3 runs the sqlite3 CLI on a new database with script and returns
// the file's bytes.
func sqlite3(t testing.TB, script string) []byte {
	t.Helper()
	needTool(t, "sqlite3")
	path := filepath.Join(t.TempDir(), "x.db")
	cmd := exec.Command("sqlite3", "-bail", path)
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sqlite3: %v\n%s", err, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// modernc opens data with modernc.org/sqlite (read-only, immutable).
func modernc(t testing.TB, data []byte) *sql.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ref.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&immutable=1")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// refRows reads the columns of table with SQLite, in rowid order.
func refRows(db *sql.DB, table string, cols []string, limit int) ([][]any, error) {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = ident(c)
	}
	rows, err := db.Query(fmt.Sprintf("SELECT %s FROM %s NOT INDEXED LIMIT %d", strings.Join(q, ", "), ident(table), limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}

// refColumns lists a table's columns with SQLite.
func refColumns(db *sql.DB, table string) ([]string, error) {
	rows, err := db.Query("SELECT name FROM pragma_table_info(?)", table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// ourRows reads the columns of table with this package.
func ourRows(d *DB, table string, cols []string, limit int) ([][]Value, error) {
	var out [][]Value
	err := d.Scan(table, cols, limit, func(vals []Value) error {
		out = append(out, append([]Value(nil), vals...))
		return nil
	})
	return out, err
}

// same reports whether our value is SQLite's (as database/sql gives it).
func same(v Value, ref any) bool {
	switch r := ref.(type) {
	case nil:
		return v.Kind == Null
	case int64:
		return v.Kind == Integer && v.Int == r
	case float64:
		return v.Kind == Float && (v.Float == r && math.Signbit(v.Float) == math.Signbit(r))
	case string:
		return v.Kind == Text && string(v.Bytes) == r
	case []byte:
		return v.Kind == Blob && bytes.Equal(v.Bytes, r)
	}
	return false
}

// compare checks that every table of data reads the same with this
// package and with SQLite, and returns the rows compared.
func compare(t *testing.T, data []byte) int {
	t.Helper()
	d, err := Open(data)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	ref := modernc(t, data)
	n := 0
	for _, table := range d.Tables() {
		cols, err := d.Columns(table)
		if err != nil {
			t.Fatalf("columns of %s: %v", table, err)
		}
		want, err := refColumns(ref, table)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(cols, "\x00") != strings.Join(want, "\x00") {
			t.Fatalf("columns of %s: %q, SQLite %q", table, cols, want)
		}
		got, err := ourRows(d, table, cols, math.MaxInt)
		if errors.Is(err, ErrUnsupported) {
			continue // WITHOUT ROWID: refused, checked by the caller
		}
		if err != nil {
			t.Fatalf("rows of %s: %v", table, err)
		}
		wantRows, err := refRows(ref, table, cols, math.MaxInt32)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(wantRows) {
			t.Fatalf("%s: %d rows, SQLite %d", table, len(got), len(wantRows))
		}
		for i := range got {
			for j := range cols {
				if !same(got[i][j], wantRows[i][j]) {
					t.Fatalf("%s row %d column %s: %+v, SQLite %#v", table, i, cols[j], got[i][j], wantRows[i][j])
				}
			}
		}
		n += len(got)
	}
	return n
}

// genTable writes SQL making a table of rows random values of every kind:
// NULLs, integers of every width (negative, 64-bit), floats, text and
// blobs up to 3 pages long (overflow chains), non-ASCII text.
func genTable(r *rand.Rand, name string, rows, pageSize int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE %s (id INTEGER PRIMARY KEY, \"a b\" TEXT, `c` BLOB, [d] INT, 'e' REAL, f NUMERIC, g, h DECIMAL(10, 2) DEFAULT (1 + (2)) CHECK (length(h) >= (0) OR h IS NULL), UNIQUE (id, d), CHECK ((d) IS NOT NULL OR d IS NULL));\n", name)
	ints := []int64{0, 1, -1, 127, -128, 32767, -32768, 1 << 23, -(1 << 23), 1<<31 - 1, -(1 << 31), 1 << 40, -(1 << 47), math.MaxInt64, math.MinInt64}
	// One value in 16 is up to 3 pages long, the others short.
	size := func() int {
		if r.IntN(16) == 0 {
			return r.IntN(3 * pageSize)
		}
		return r.IntN(100)
	}
	for i := range rows {
		val := func() string {
			switch r.IntN(9) {
			case 0:
				return "NULL"
			case 1:
				return fmt.Sprint(ints[r.IntN(len(ints))])
			case 2:
				return fmt.Sprint(r.Int64() >> r.IntN(64))
			case 3:
				return fmt.Sprintf("%g", (r.Float64()-0.5)*math.Pow(10, float64(r.IntN(40)-20)))
			case 4:
				return fmt.Sprintf("%d.0", r.IntN(1000)-500) // an integral float
			case 5:
				return "'" + strings.Repeat("é€😀'' x", 1+r.IntN(3)) + "'"
			case 6:
				return fmt.Sprintf("randomblob(%d)", size())
			case 7:
				return fmt.Sprintf("substr(hex(randomblob(%d)), 1)", size()/2)
			}
			return "''"
		}
		fmt.Fprintf(&b, "INSERT INTO %s (\"a b\", c, d, e, f, g, h) VALUES (%s, %s, %s, %s, %s, %s, %s);\n", name, val(), val(), val(), val(), val(), val(), val())
		if i%5 == 4 {
			fmt.Fprintf(&b, "INSERT INTO %s (id, d) VALUES (%d, %s);\n", name, -1-i, val()) // negative rowids
		}
	}
	return b.String()
}

// TestAgainstSQLite: databases made by the sqlite3 CLI read the same with
// this package as with SQLite.
func TestAgainstSQLite(t *testing.T) {
	for _, tc := range []struct {
		name     string
		pageSize int
		pragmas  string
		rows     int
		extra    string
	}{
		{"512-byte pages", 512, "", 600, ""},
		{"1 KiB pages, 12 reserved bytes", 1024, ".filectrl reserve_bytes 12\n", 400, ""},
		{"4 KiB pages, auto_vacuum full", 4096, "PRAGMA auto_vacuum=FULL;\n", 400, "DELETE FROM t WHERE id % 3 = 0;\n"},
		{"8 KiB pages, rows deleted (freelist)", 8192, "", 500, "DELETE FROM t WHERE id % 2 = 0 AND id < 300;\n"},
		{"64 KiB pages", 65536, "", 1500, ""},
		{"UTF-16le", 1024, "PRAGMA encoding='UTF-16le';\n", 300, ""},
		{"UTF-16be", 2048, "PRAGMA encoding='UTF-16be';\n", 300, ""},
		{"columns added by ALTER TABLE", 4096, "", 200, `
ALTER TABLE t ADD COLUMN n1 TEXT;
ALTER TABLE t ADD COLUMN n2 TEXT DEFAULT 'ward ''3''';
ALTER TABLE t ADD COLUMN n3 INTEGER DEFAULT 42;
ALTER TABLE t ADD COLUMN n4 INTEGER DEFAULT -7;
ALTER TABLE t ADD COLUMN n5 REAL DEFAULT 1.5;
ALTER TABLE t ADD COLUMN n6 REAL DEFAULT 2;
ALTER TABLE t ADD COLUMN n7 BLOB DEFAULT x'00ff';
ALTER TABLE t ADD COLUMN n8 INTEGER DEFAULT '12';
ALTER TABLE t ADD COLUMN n9 TEXT DEFAULT 5;
ALTER TABLE t ADD COLUMN n10 DEFAULT 7;
ALTER TABLE t ADD COLUMN n11 INTEGER DEFAULT TRUE;
ALTER TABLE t ADD COLUMN n12 TEXT DEFAULT NULL;
ALTER TABLE t ADD COLUMN n13 NUMERIC DEFAULT '3.0';
INSERT INTO t (d, n1, n3) VALUES (1, 'after', 9);
`},
		{"other tables, views and WITHOUT ROWID", 4096, "", 50, `
CREATE TABLE w (k TEXT PRIMARY KEY, v) WITHOUT ROWID;
CREATE VIEW v AS SELECT * FROM t;
CREATE INDEX ti ON t (d);
CREATE TABLE IF NOT EXISTS "q" ("x" integer, y varchar(32) not null default 'z', PRIMARY KEY (x DESC), FOREIGN KEY (y) REFERENCES t ("a b") ON DELETE SET DEFAULT);
INSERT INTO q VALUES (5, 'five'), (-3, 'minus three');
CREATE TABLE "odd ""name""" (v TEXT);
INSERT INTO "odd ""name""" VALUES ('odd');
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(tc.pageSize), uint64(tc.rows)))
			data := sqlite3(t, fmt.Sprintf("PRAGMA synchronous=OFF;\nPRAGMA page_size=%d;\n%sVACUUM;\nBEGIN;\n", tc.pageSize, tc.pragmas)+genTable(r, "t", tc.rows, tc.pageSize)+"COMMIT;\n"+tc.extra)
			d, err := Open(data)
			if err != nil {
				t.Fatal(err)
			}
			if d.pageSize != tc.pageSize {
				t.Fatalf("page size %d, want %d", d.pageSize, tc.pageSize)
			}
			if depth := treeDepth(t, d, "t"); depth < 2 {
				t.Errorf("table t's b-tree has %d levels, want at least 2", depth)
			}
			overflows := 0
			if err := d.walk(uint32(d.tables[0].root), d.newVisited(), "t", func(c cell) (bool, error) {
				if len(c.payload) > d.usable-35 {
					overflows++
				}
				return true, nil
			}); err != nil || overflows == 0 {
				t.Errorf("%d rows with overflow pages (%v), want some", overflows, err)
			}
			if n := compare(t, data); n < tc.rows/2 {
				t.Errorf("%d rows compared, want at least %d", n, tc.rows/2)
			}
			if tc.name == "other tables, views and WITHOUT ROWID" {
				if err := d.Scan("w", []string{"k"}, 10, func([]Value) error { return nil }); !errors.Is(err, ErrUnsupported) {
					t.Errorf("WITHOUT ROWID table: %v, want ErrUnsupported", err)
				}
				if got := strings.Join(d.Tables(), ","); strings.Contains(got, ",v,") || strings.HasSuffix(got, ",v") {
					t.Errorf("the view is listed as a table: %s", got)
				}
			}
		})
	}
}

// treeDepth is the number of levels of a table's b-tree.
func treeDepth(t *testing.T, d *DB, table string) int {
	tab, err := d.table(table)
	if err != nil {
		t.Fatal(err)
	}
	n, depth := uint32(tab.root), 1
	for {
		p, h := d.page(n)
		if p[h] != 0x05 {
			return depth
		}
		n = uint32(p[h+8])<<24 | uint32(p[h+9])<<16 | uint32(p[h+10])<<8 | uint32(p[h+11])
		depth++
	}
}

// fixtures are the app databases under importer/testdata.
var fixtures = []string{
	"../../testdata/google_authenticator/google_authenticator.sqlite",
	"../../testdata/microsoft_authenticator/microsoft_authenticator.sqlite",
	"../../testdata/authenticator_pro_stratum/stratum_internal.db",
}

// TestFixtures: every table of the fixture databases reads as in SQLite.
func TestFixtures(t *testing.T) {
	for _, p := range fixtures {
		t.Run(filepath.Base(p), func(t *testing.T) {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if n := compare(t, data); n == 0 {
				t.Error("no rows compared")
			}
		})
	}
}
