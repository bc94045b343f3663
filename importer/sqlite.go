package importer

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, "sqlite"
	"modernc.org/sqlite/vfs"
)

// SQLite databases copied from rooted phones are read with modernc.org/sqlite
// (SQLite translated to Go: no cgo, so the build stays static), through a
// read-only VFS over the bytes in memory: nothing is written to disk, no
// journal, no lock. A hostile database is bounded before and while it is
// read: only tables (never views, which can run any query) of the expected
// names are read, with a row limit, under a heap limit and a deadline.

// sqliteMagic starts every SQLite 3 database file.
var sqliteMagic = []byte("SQLite format 3\x00")

const (
	// sqliteHeapLimit bounds SQLite's memory (a 16 MiB file needs little).
	sqliteHeapLimit = 64 << 20
	// sqliteDeadline bounds one database's reading.
	sqliteDeadline = 10 * time.Second
)

// sqliteDB is an open in-memory database and its tables.
type sqliteDB struct {
	db     *sql.DB
	fs     *vfs.FS
	ctx    context.Context
	cancel context.CancelFunc
	tables map[string]bool // names of real tables
}

// oneFile is an fs.FS holding one read-only file, "db".
type oneFile struct{ data []byte }

func (o oneFile) Open(name string) (fs.File, error) {
	if name != "db" {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{Reader: bytes.NewReader(o.data), size: int64(len(o.data))}, nil
}

type memFile struct {
	*bytes.Reader
	size int64
}

func (f *memFile) Stat() (fs.FileInfo, error) { return memInfo{f.size}, nil }
func (f *memFile) Close() error               { return nil }

type memInfo struct{ size int64 }

func (i memInfo) Name() string       { return "db" }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) Mode() fs.FileMode  { return 0o400 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }

// openSQLite opens data as a read-only SQLite database held in memory.
func openSQLite(data []byte) (*sqliteDB, error) {
	if !bytes.HasPrefix(data, sqliteMagic) {
		return nil, errors.New("not an SQLite database")
	}
	name, fsys, err := vfs.New(oneFile{data})
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:db?vfs="+name+"&mode=ro&immutable=1")
	if err != nil {
		fsys.Close()
		return nil, err
	}
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), sqliteDeadline)
	d := &sqliteDB{db: db, fs: fsys, ctx: ctx, cancel: cancel, tables: map[string]bool{}}
	// The heap limit is process-wide in SQLite (only the importer uses it);
	// set on every opening, it holds whoever opened first.
	if _, err := db.ExecContext(ctx, "PRAGMA hard_heap_limit="+strconv.Itoa(sqliteHeapLimit)); err != nil {
		d.Close()
		return nil, errors.New("the SQLite database cannot be opened")
	}
	rows, err := db.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'table' LIMIT 1000")
	if err != nil {
		d.Close()
		return nil, errors.New("the SQLite database cannot be read (damaged or not a database)")
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			d.tables[n] = true
		}
	}
	if rows.Err() != nil {
		d.Close()
		return nil, errors.New("the SQLite database cannot be read (damaged or not a database)")
	}
	return d, nil
}

// Close closes the database and unregisters its VFS.
func (d *sqliteDB) Close() {
	d.cancel()
	d.db.Close()
	d.fs.Close()
}

// hasColumns reports whether table has every one of cols.
func (d *sqliteDB) hasColumns(table string, cols ...string) bool {
	rows, err := d.db.QueryContext(d.ctx, "SELECT name FROM pragma_table_info(?) LIMIT 2000", table)
	if err != nil {
		return false
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			have[n] = true
		}
	}
	for _, c := range cols {
		if !have[c] {
			return false
		}
	}
	return rows.Err() == nil
}

// sqlValue scans any column: text, blob, integer, real or null.
type sqlValue struct {
	s     string
	i     int64
	isInt bool
	null  bool
}

func (v *sqlValue) Scan(src any) error {
	*v = sqlValue{}
	switch x := src.(type) {
	case nil:
		v.null = true
	case int64:
		v.i, v.isInt, v.s = x, true, strconv.FormatInt(x, 10)
	case float64:
		v.s = strconv.FormatFloat(x, 'g', -1, 64)
		if x == float64(int64(x)) {
			v.i, v.isInt = int64(x), true
		}
	case []byte:
		v.s = string(x)
	case string:
		v.s = x
	case bool:
		v.isInt = true
		if x {
			v.i = 1
		}
	default:
		v.s = fmt.Sprint(x)
	}
	if !v.isInt && !v.null {
		if n, err := strconv.ParseInt(v.s, 10, 64); err == nil {
			v.i, v.isInt = n, true
		}
	}
	return nil
}

// num is the value as an optional integer.
func (v sqlValue) num() num { return num{v.i, v.isInt} }

// query runs a SELECT of plain columns of one table and calls row for each
// row (at most MaxAccounts+1, so the collector's limit fires).
func (d *sqliteDB) query(table string, cols []string, row func([]sqlValue) error) error {
	q := "SELECT "
	for i, c := range cols {
		if i > 0 {
			q += ", "
		}
		q += `"` + c + `"`
	}
	q += ` FROM "` + table + `" LIMIT ` + strconv.Itoa(MaxAccounts+1)
	rows, err := d.db.QueryContext(d.ctx, q)
	if err != nil {
		return errors.New("its table " + table + " does not have the expected columns")
	}
	defer rows.Close()
	vals := make([]sqlValue, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return errors.New("a row of " + table + " cannot be read")
		}
		if err := row(vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		if d.ctx.Err() != nil {
			return fmt.Errorf("reading the database took more than %v: %w", sqliteDeadline, ErrTooLarge)
		}
		return errors.New("the database is damaged")
	}
	return nil
}

// sqliteFormat is a database of one app, recognised by its magic and by
// the table it keeps accounts in.
type sqliteFormat struct {
	format string
	table  string
	read   func(d *sqliteDB, c *collector) error
}

func (f sqliteFormat) name() string { return f.format }

func (f sqliteFormat) detect(p *probe) bool {
	if !bytes.HasPrefix(p.data, sqliteMagic) {
		return false
	}
	tables, err := p.sqliteTables()
	return err == nil && tables[f.table]
}

// sqliteTables opens the probe's database once to list its tables.
func (p *probe) sqliteTables() (map[string]bool, error) {
	if p.tables == nil && p.tablesErr == nil {
		d, err := openSQLite(p.data)
		if err != nil {
			p.tablesErr = err
		} else {
			p.tables = d.tables
			d.Close()
		}
	}
	return p.tables, p.tablesErr
}

func (f sqliteFormat) parse(data []byte, o Options, c *collector) error {
	perr := func(err error) error { return &ParseError{Format: f.format, Err: err} }
	d, err := openSQLite(data)
	if err != nil {
		return perr(err)
	}
	defer d.Close()
	if !d.tables[f.table] {
		return perr(fmt.Errorf("the database has no %s table", f.table))
	}
	c.why = "its " + f.table + " table is empty"
	if err := f.read(d, c); err != nil {
		var pe *ParseError
		if errors.As(err, &pe) || errors.Is(err, ErrTooLarge) {
			return err
		}
		return perr(err)
	}
	return nil
}
