package sqlitefile

import (
	"strings"
	"testing"
)

// TestParseCreateTable: the column names, rowid alias and storage of
// CREATE TABLE statements as SQLite stores them.
func TestParseCreateTable(t *testing.T) {
	for _, tc := range []struct {
		sql     string
		cols    string // names joined by "|"
		ipk     int
		noRowid bool
		virtual string // names of VIRTUAL generated columns
		err     bool
	}{
		{sql: `CREATE TABLE t (a, b)`, cols: "a|b", ipk: -1},
		{sql: `CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT)`, cols: "id|x", ipk: 0},
		{sql: `CREATE TABLE t (id integer primary key autoincrement, x)`, cols: "id|x", ipk: 0},
		{sql: `CREATE TABLE t (id INTEGER PRIMARY KEY DESC, x)`, cols: "id|x", ipk: -1},
		{sql: `CREATE TABLE t (id INT PRIMARY KEY, x)`, cols: "id|x", ipk: -1},
		{sql: `CREATE TABLE t (x, id INTEGER, PRIMARY KEY (id DESC))`, cols: "x|id", ipk: 1},
		{sql: `CREATE TABLE t (x INTEGER, id INTEGER, PRIMARY KEY (x, id))`, cols: "x|id", ipk: -1},
		{sql: "CREATE TABLE `q` (\"a \"\"b\"\"\" TEXT, `c``d` INT, [e f] BLOB, 'g' REAL)", cols: `a "b"|c` + "`d|e f|g", ipk: -1},
		{sql: `CREATE TABLE IF NOT EXISTS "t" ("type" integer , "issuer" varchar(32) , "secret" varchar primary key not null)`, cols: "type|issuer|secret", ipk: -1},
		{sql: `CREATE TABLE t (a DECIMAL(10, 2) DEFAULT (1 + (2)) CHECK (a > (0)), CONSTRAINT u UNIQUE (a), CHECK ((a)), FOREIGN KEY (a) REFERENCES p (x) ON DELETE SET DEFAULT, b)`, cols: "a|b", ipk: -1},
		{sql: "CREATE TABLE t (a -- a comment, b\n, /* c, */ d)", cols: "a|d", ipk: -1},
		{sql: `CREATE TABLE t (k TEXT PRIMARY KEY, v) WITHOUT ROWID`, cols: "k|v", ipk: -1, noRowid: true},
		{sql: `CREATE TABLE t (id INTEGER PRIMARY KEY, v) STRICT, WITHOUT ROWID`, cols: "id|v", ipk: -1, noRowid: true},
		{sql: `CREATE TABLE t (a, b AS (a * 2), c GENERATED ALWAYS AS (a) STORED, d)`, cols: "a|b|c|d", ipk: -1, virtual: "b"},
		{sql: `CREATE VIRTUAL TABLE t USING fts5(a)`, err: true},
		{sql: `CREATE VIEW t AS SELECT 1`, err: true},
		{sql: `CREATE TABLE t (a, "b)`, err: true},
		{sql: `CREATE TABLE t (a, (b))`, err: true},
		{sql: `CREATE TABLE t (`, err: true},
		{sql: ``, err: true},
	} {
		t.Run(tc.sql, func(t *testing.T) {
			def, err := parseCreateTable(tc.sql)
			if tc.err {
				if err == nil {
					t.Fatalf("no error, columns %+v", def.cols)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names, virtual []string
			for _, c := range def.cols {
				names = append(names, c.name)
				if c.virtual {
					virtual = append(virtual, c.name)
				}
			}
			if got := strings.Join(names, "|"); got != tc.cols {
				t.Errorf("columns %q, want %q", got, tc.cols)
			}
			if def.ipk != tc.ipk || def.withoutRowid != tc.noRowid {
				t.Errorf("ipk %d, without rowid %v; want %d, %v", def.ipk, def.withoutRowid, tc.ipk, tc.noRowid)
			}
			if got := strings.Join(virtual, "|"); got != tc.virtual {
				t.Errorf("virtual columns %q, want %q", got, tc.virtual)
			}
		})
	}
}

// TestDefaults: the value a record too short for a column gives it.
func TestDefaults(t *testing.T) {
	for _, tc := range []struct {
		col  string
		want Value
	}{
		{"x", Value{}},
		{"x TEXT DEFAULT 'a''b'", Value{Kind: Text, Bytes: []byte("a'b")}},
		{"x TEXT DEFAULT 1.50", Value{Kind: Text, Bytes: []byte("1.50")}},
		{"x TEXT DEFAULT -5", Value{Kind: Text, Bytes: []byte("-5")}},
		{"x INTEGER DEFAULT '12'", Value{Kind: Integer, Int: 12}},
		{"x INTEGER DEFAULT -9223372036854775808", Value{Kind: Integer, Int: -1 << 63}},
		{"x REAL DEFAULT 2", Value{Kind: Float, Float: 2}},
		{"x NUMERIC DEFAULT '3.0'", Value{Kind: Integer, Int: 3}},
		{"x DEFAULT 7", Value{Kind: Integer, Int: 7}},
		{"x DEFAULT '7'", Value{Kind: Text, Bytes: []byte("7")}},
		{"x BLOB DEFAULT x'00ff'", Value{Kind: Blob, Bytes: []byte{0, 0xff}}},
		{"x INTEGER DEFAULT TRUE", Value{Kind: Integer, Int: 1}},
		{"x TEXT DEFAULT NULL NOT NULL", Value{}},
		{"x TEXT DEFAULT CURRENT_TIMESTAMP", Value{}},
		{"x TEXT DEFAULT (lower('A'))", Value{}},
	} {
		t.Run(tc.col, func(t *testing.T) {
			def, err := parseCreateTable("CREATE TABLE t (" + tc.col + ")")
			if err != nil {
				t.Fatal(err)
			}
			if got := def.cols[0].def; got.Kind != tc.want.Kind || got.Int != tc.want.Int || got.Float != tc.want.Float || string(got.Bytes) != string(tc.want.Bytes) {
				t.Errorf("default %+v, want %+v", got, tc.want)
			}
		})
	}
}

// FuzzCreateTable: the CREATE TABLE parser never panics, and a statement
// it reads has at least one column, and its rowid alias is one of them.
func FuzzCreateTable(f *testing.F) {
	for _, s := range []string{
		`CREATE TABLE accounts (_id INTEGER PRIMARY KEY, email TEXT NOT NULL, counter INTEGER DEFAULT 0, issuer TEXT DEFAULT NULL)`,
		"CREATE TABLE `accounts` (`_id` INTEGER PRIMARY KEY AUTOINCREMENT, `name` TEXT NOT NULL)",
		`CREATE TABLE IF NOT EXISTS "category" ("id" varchar(8) primary key not null, "name" varchar(32), CHECK ((id) <> ''))`,
		`CREATE TABLE t (a, b AS (a * 2), [c d] GENERATED ALWAYS AS (a) STORED, PRIMARY KEY (a DESC)) WITHOUT ROWID`,
		`CREATE TABLE t (x REAL DEFAULT -1.5e3, y BLOB DEFAULT x'00', z DEFAULT +7) -- end`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		def, err := parseCreateTable(sql)
		if err != nil {
			return
		}
		if len(def.cols) == 0 || def.ipk >= len(def.cols) {
			t.Fatalf("%d columns, rowid alias %d", len(def.cols), def.ipk)
		}
	})
}
