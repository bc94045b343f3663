package sqlitefile

import (
	"bytes"
	"database/sql"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"

	"modernc.org/sqlite/vfs"
)

// TestHostile: damaged files are refused with one sentence naming the
// damage, never a panic, a loop or a row read twice.
func TestHostile(t *testing.T) {
	base := sqlite3(t, "PRAGMA page_size=512; CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB);"+
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 200) INSERT INTO t (v) SELECT CASE WHEN i % 50 = 0 THEN zeroblob(2000) ELSE randomblob(20) END FROM n;")
	d, err := Open(base)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := d.table("t")
	if err != nil {
		t.Fatal(err)
	}
	root := int(tab.root)
	at := func(page int) int { return (page - 1) * 512 }
	// The first row with overflow pages: its leaf and its cell's offset.
	var ovLeaf, ovCell int
	for n := 2; n <= int(d.nPages) && ovLeaf == 0; n++ {
		p, _ := d.page(uint32(n))
		if p[0] != 0x0D {
			continue
		}
		for i := 0; i < int(binary.BigEndian.Uint16(p[3:])); i++ {
			pc := int(binary.BigEndian.Uint16(p[8+2*i:]))
			if size, _ := uvarint(p[pc:]); size > 512-35 {
				ovLeaf, ovCell = n, pc
				break
			}
		}
	}
	if ovLeaf == 0 {
		t.Fatal("no row with overflow pages")
	}
	for _, tc := range []struct {
		name  string
		edit  func(b []byte)
		words string
	}{
		{"b-tree child is its own parent", func(b []byte) { binary.BigEndian.PutUint32(b[at(root)+8:], uint32(root)) }, "used twice"},
		{"b-tree child outside the file", func(b []byte) { binary.BigEndian.PutUint32(b[at(root)+8:], 9999) }, "outside the file"},
		{"b-tree child is page 0", func(b []byte) { binary.BigEndian.PutUint32(b[at(root)+8:], 0) }, "page 0"},
		{"cell pointer outside its page", func(b []byte) { binary.BigEndian.PutUint16(b[at(root)+12:], 0xFFFF) }, "outside its page"},
		{"page of another kind", func(b []byte) { b[at(root)] = 0x0A }, "not a table b-tree page"},
		{"overflow chain loops", func(b []byte) {
			p := at(ovLeaf) + ovCell
			_, k1 := uvarint(b[p:])
			_, k2 := uvarint(b[p+k1:])
			_ = k2
			U := 512
			M := (U-12)*32/255 - 23
			size, _ := uvarint(b[p:])
			local := M + (int(size)-M)%(U-4)
			if local > U-35 {
				local = M
			}
			first := binary.BigEndian.Uint32(b[p+k1+k2+local:])
			binary.BigEndian.PutUint32(b[at(int(first)):], first)
		}, "used twice"},
		{"header counts more pages than the file", func(b []byte) {
			binary.BigEndian.PutUint32(b[28:], 5000)
			copy(b[92:96], b[24:28])
		}, "holds"},
		{"page size not a power of two", func(b []byte) { binary.BigEndian.PutUint16(b[16:], 1000) }, "power of two"},
		{"unknown text encoding", func(b []byte) { binary.BigEndian.PutUint32(b[56:], 4) }, "encoding"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := bytes.Clone(base)
			tc.edit(b)
			d, err := Open(b)
			if err == nil {
				err = d.Scan("t", []string{"id", "v"}, 1000, func([]Value) error { return nil })
			}
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), tc.words) || strings.Count(err.Error(), ". ") > 0 {
				t.Fatalf("err = %v, want ErrDamaged saying %q", err, tc.words)
			}
		})
	}
}

// TestCellsOverfillPage: cell pointers that share one cell may not make a
// page's cells hold more than the page (work stays linear in the file).
func TestCellsOverfillPage(t *testing.T) {
	b := sqlite3(t, "PRAGMA page_size=512; CREATE TABLE u (v TEXT); INSERT INTO u VALUES (printf('%.400c', 'x'));")
	d, err := Open(b)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := d.table("u")
	if err != nil {
		t.Fatal(err)
	}
	p := (int(tab.root) - 1) * 512
	if b[p] != 0x0D || binary.BigEndian.Uint16(b[p+3:]) != 1 {
		t.Fatalf("the root of u is not a leaf of one cell")
	}
	binary.BigEndian.PutUint16(b[p+3:], 2)
	copy(b[p+10:p+12], b[p+8:p+10]) // the second cell is the first
	err = d.Scan("u", []string{"v"}, 10, func([]Value) error { return nil })
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "more bytes than the page") {
		t.Fatalf("err = %v", err)
	}
}

// BenchmarkGoogleAuthenticator reads the accounts of the Google
// Authenticator fixture with this package and with modernc.org/sqlite
// (through an in-memory VFS, as the importer did).
func BenchmarkGoogleAuthenticator(b *testing.B) {
	data, err := os.ReadFile(fixtures[0])
	if err != nil {
		b.Fatal(err)
	}
	cols := []string{"email", "secret", "counter", "type", "issuer"}
	b.Run("sqlitefile", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d, err := Open(data)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			if err := d.Scan("accounts", cols, 10001, func([]Value) error { n++; return nil }); err != nil || n == 0 {
				b.Fatalf("%d rows, %v", n, err)
			}
		}
	})
	b.Run("modernc", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			name, fsys, err := vfs.New(memFS{data})
			if err != nil {
				b.Fatal(err)
			}
			db, err := sql.Open("sqlite", "file:db?vfs="+name+"&mode=ro&immutable=1")
			if err != nil {
				b.Fatal(err)
			}
			rows, err := ref(db, cols)
			db.Close()
			fsys.Close()
			if err != nil || rows == 0 {
				b.Fatalf("%d rows, %v", rows, err)
			}
		}
	})
}

func ref(db *sql.DB, cols []string) (int, error) {
	rows, err := refRows(db, "accounts", cols, 10001)
	return len(rows), err
}

// memFS is an fs.FS of one read-only file, "db".
type memFS struct{ data []byte }

func (m memFS) Open(name string) (fs.File, error) {
	if name != "db" {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{bytes.NewReader(m.data), int64(len(m.data))}, nil
}

type memFile struct {
	*bytes.Reader
	size int64
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f, nil }
func (f *memFile) Close() error               { return nil }
func (f *memFile) Name() string               { return "db" }
func (f *memFile) Mode() fs.FileMode          { return 0o400 }
func (f *memFile) ModTime() time.Time         { return time.Time{} }
func (f *memFile) IsDir() bool                { return false }
func (f *memFile) Sys() any                   { return nil }
