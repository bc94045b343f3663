package importer

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/wardkey/wardkey/importer/internal/sqlitefile"
)

// SQLite databases copied from rooted phones are read with our own
// read-only reader of the SQLite file format (internal/sqlitefile), not
// with SQLite: linking modernc.org/sqlite doubled the start-up cost of
// every wardkey command. Only tables (never views, which could run any
// query) of the expected names are read, with a row limit. The reader
// needs no deadline or heap limit: it visits each page of the file at most
// once per table read (a visited-page set refuses cycles and pages used
// twice), bounds its b-tree depth, and refuses a page whose cells hold
// more bytes than the page, so reading is linear in the file's size (at
// most MaxFileSize), and a value is never larger than the file.

// sqliteMagic starts every SQLite 3 database file.
var sqliteMagic = []byte(sqlitefile.Magic)

// sqliteDB is an opened database and its tables.
type sqliteDB struct {
	db     *sqlitefile.DB
	tables map[string]bool // names of real tables
}

// openSQLite opens data as a read-only SQLite database held in memory.
func openSQLite(data []byte) (*sqliteDB, error) {
	if !bytes.HasPrefix(data, sqliteMagic) {
		return nil, errors.New("not an SQLite database")
	}
	db, err := sqlitefile.Open(data)
	if err != nil {
		return nil, err
	}
	d := &sqliteDB{db: db, tables: map[string]bool{}}
	for _, n := range db.Tables() {
		d.tables[n] = true
	}
	return d, nil
}

// Close wipes what the reader copied of the database.
func (d *sqliteDB) Close() { d.db.Close() }

// hasColumns reports whether table has every one of cols.
func (d *sqliteDB) hasColumns(table string, cols ...string) bool {
	names, err := d.db.Columns(table)
	if err != nil {
		return false
	}
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	for _, c := range cols {
		if !have[c] {
			return false
		}
	}
	return true
}

// sqlValue is any column: text, blob, integer, real or null.
type sqlValue struct {
	s     string
	i     int64
	isInt bool
	null  bool
}

// newSQLValue converts a value read from the file: an integer, or a float
// with an integral value, or text or a blob holding a decimal integer,
// also counts as an integer.
func newSQLValue(x sqlitefile.Value) sqlValue {
	var v sqlValue
	switch x.Kind {
	case sqlitefile.Null:
		v.null = true
	case sqlitefile.Integer:
		v.i, v.isInt, v.s = x.Int, true, strconv.FormatInt(x.Int, 10)
	case sqlitefile.Float:
		v.s = strconv.FormatFloat(x.Float, 'g', -1, 64)
		if x.Float == float64(int64(x.Float)) {
			v.i, v.isInt = int64(x.Float), true
		}
	default:
		v.s = string(x.Bytes)
	}
	if !v.isInt && !v.null {
		if n, err := strconv.ParseInt(v.s, 10, 64); err == nil {
			v.i, v.isInt = n, true
		}
	}
	return v
}

// num is the value as an optional integer.
func (v sqlValue) num() num { return num{v.i, v.isInt} }

// query reads plain columns of one table and calls row for each row (at
// most MaxAccounts+1, so the collector's limit fires).
func (d *sqliteDB) query(table string, cols []string, row func([]sqlValue) error) error {
	vals := make([]sqlValue, len(cols))
	err := d.db.Scan(table, cols, MaxAccounts+1, func(raw []sqlitefile.Value) error {
		for i, x := range raw {
			vals[i] = newSQLValue(x)
		}
		return row(vals)
	})
	switch {
	case errors.Is(err, sqlitefile.ErrNoColumn), errors.Is(err, sqlitefile.ErrNoTable):
		return fmt.Errorf("its table %s does not have the expected columns: %w", table, err)
	}
	return err
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
