package importer

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardkey/wardkey/vault"
	_ "modernc.org/sqlite" // test-only: makeDB writes databases with SQLite
)

// makeDB builds an SQLite database with the statements and returns its
// bytes (the file is made in a test directory; the importer itself never
// writes one).
func makeDB(t testing.TB, stmts ...string) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	db.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const (
	gaSchema = `CREATE TABLE accounts (_id INTEGER PRIMARY KEY, email TEXT NOT NULL, secret TEXT NOT NULL, counter INTEGER DEFAULT 0, type INTEGER, provider INTEGER DEFAULT 0, issuer TEXT DEFAULT NULL, original_name TEXT DEFAULT NULL)`
	msSchema = "CREATE TABLE `accounts` (`_id` INTEGER PRIMARY KEY AUTOINCREMENT, `name` TEXT NOT NULL, `username` TEXT NOT NULL, `oath_secret_key` TEXT NOT NULL, `account_type` INTEGER NOT NULL)"
)

func TestAppDatabases(t *testing.T) {
	for _, tc := range []struct {
		name    string
		db      []byte
		format  string
		want    []want
		skipped int
	}{
		{"google: no issuer column, names split", makeDB(t,
			`CREATE TABLE accounts (_id INTEGER PRIMARY KEY, email TEXT NOT NULL, secret TEXT NOT NULL, counter INTEGER DEFAULT 0, type INTEGER)`,
			`INSERT INTO accounts VALUES (1, 'Clinic:dr.jones', 'JBSWY3DPEHPK3PXP', 0, 0), (2, 'plain', 'JBSWY3DPEHPK3PXQ', 7, 1), (3, 'odd', 'JBSWY3DPEHPK3PXR', 0, 9)`),
			"google-authenticator-db", []want{
				totp("Clinic", "dr.jones", "JBSWY3DPEHPK3PXP"),
				{"", "plain", vault.HOTP, "JBSWY3DPEHPK3PXQ", vault.SHA1, 6, 0, 7},
			}, 1},
		{"google: issuer and a name without its prefix", makeDB(t, gaSchema,
			`INSERT INTO accounts (email, secret, counter, type, issuer) VALUES ('me@x', 'jbsw y3dp ehpk 3pxp', 0, 0, 'EHR')`),
			"google-authenticator-db", []want{totp("EHR", "me@x", "JBSWY3DPEHPK3PXP")}, 0},
		{"microsoft: personal account (base64, 8 digits), push-only and work accounts skipped", makeDB(t, msSchema,
			`INSERT INTO accounts (name, username, oath_secret_key, account_type) VALUES
			 ('Microsoft', 'me@outlook.com', 'MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=', 1),
			 ('Contoso', 'me@contoso.com', '', 2),
			 ('Fabrikam', 'me@fabrikam.com', 'JBSWY3DPEHPK3PXP', 2),
			 ('EHR', 'dr.jones', 'JBSWY3DPEHPK3PXP', 0)`),
			"microsoft-authenticator-db", []want{
				{"Microsoft", "me@outlook.com", vault.TOTP, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", vault.SHA1, 8, 30, 0},
				totp("EHR", "dr.jones", "JBSWY3DPEHPK3PXP"),
			}, 2},
		{"stratum: categories become tags", makeDB(t,
			`CREATE TABLE authenticator (type integer, icon varchar, issuer varchar, username varchar, secret varchar primary key not null, pin varchar, algorithm integer, digits integer, period integer, counter integer, ranking integer)`,
			`CREATE TABLE category (id varchar primary key not null, name varchar, ranking integer)`,
			`CREATE TABLE authenticatorcategory (categoryId varchar, authenticatorSecret varchar, ranking integer)`,
			`INSERT INTO authenticator VALUES (2, NULL, 'EHR', 'dr.jones', 'JBSWY3DPEHPK3PXP', NULL, 1, 8, 60, 0, 0), (3, NULL, 'M', 'm', 'ABCDEFGH', '1234', 0, 6, 10, 0, 1)`,
			`INSERT INTO category VALUES ('c1', 'Ward 3', 0)`,
			`INSERT INTO authenticatorcategory VALUES ('c1', 'JBSWY3DPEHPK3PXP', 0)`),
			"stratum-db", []want{{"EHR", "dr.jones", vault.TOTP, "JBSWY3DPEHPK3PXP", vault.SHA256, 8, 60, 0}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Import(tc.db, Options{})
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			if res.Format != tc.format {
				t.Errorf("format %q, want %q", res.Format, tc.format)
			}
			checkAccounts(t, res.Accounts, tc.want)
			if len(res.Skipped) != tc.skipped {
				t.Errorf("skipped %+v, want %d", res.Skipped, tc.skipped)
			}
			if tc.format == "stratum-db" && (len(res.Accounts) != 1 || strings.Join(res.Accounts[0].Tags, ",") != "Ward 3") {
				t.Errorf("tags %q", res.Accounts[0].Tags)
			}
		})
	}
}

// TestHostileDatabases: a view (which can run any query) is never read,
// an unknown database is an unknown format, a damaged one one sentence.
func TestHostileDatabases(t *testing.T) {
	for _, tc := range []struct {
		name string
		db   []byte
		is   error
		text string
	}{
		{"accounts as an endless view", makeDB(t,
			`CREATE VIEW accounts AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r) SELECT 'x' AS email, 'JBSWY3DPEHPK3PXP' AS secret, 0 AS counter, 0 AS type, n AS issuer FROM r`),
			ErrUnknownFormat, ""},
		{"another app's database", makeDB(t, `CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)`), ErrUnknownFormat, ""},
		{"google accounts table of another shape", makeDB(t, `CREATE TABLE accounts (id INTEGER, login TEXT)`), nil, "not Google Authenticator's"},
		{"empty accounts table", makeDB(t, gaSchema), ErrNoAccounts, "accounts table is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Import(tc.db, Options{})
			if err == nil || tc.is != nil && !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("err = %v, want %v containing %q", err, tc.is, tc.text)
			}
		})
	}
	t.Run("truncated", func(t *testing.T) {
		b, err := os.ReadFile("testdata/google_authenticator/google_authenticator.sqlite")
		if err != nil {
			t.Fatal(err)
		}
		_, err = Import(b[:5000], Options{Format: "google-authenticator-db"})
		if err == nil || strings.Contains(err.Error(), "JBSWY") {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestSQLiteNoDisk: reading a database writes nothing to the temporary
// directory (the database is read in memory, through a read-only VFS).
func TestSQLiteNoDisk(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("SQLITE_TMPDIR", tmp)
	if _, err := ImportFile("testdata/google_authenticator/google_authenticator.sqlite", Options{}); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("files left in the temporary directory: %v", ents)
	}
}

// FuzzSQLite: the three app databases, mutated.
func FuzzSQLite(f *testing.F) {
	for _, p := range []string{
		"testdata/google_authenticator/google_authenticator.sqlite",
		"testdata/microsoft_authenticator/microsoft_authenticator.sqlite",
		"testdata/authenticator_pro_stratum/stratum_internal.db",
	} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Import(data, Options{})
		if err == nil {
			checkResult(t, res)
		}
	})
}
