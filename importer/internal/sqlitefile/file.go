// Package sqlitefile reads tables of an SQLite 3 database file held in
// memory, without SQLite: a small, read-only reader of the file format
// (https://www.sqlite.org/fileformat2.html) for the app databases the
// importer is given. It reads the header, the schema on page 1, the column
// names of CREATE TABLE statements and the rows of ordinary (rowid) table
// b-trees, with their overflow pages.
//
// The files come from elsewhere and may be damaged or hostile, so the
// reader never trusts them: every page number is checked against the page
// count, every offset and length against its page or the file, a set of
// visited pages refuses cycles and pages used twice in b-trees and overflow
// chains, b-trees are at most maxDepth levels deep, and the cells of a page
// may not hold more bytes than the page. Reading a table therefore touches
// each page of the file at most once and each byte of a page a bounded
// number of times: its work is linear in the file's size, and it needs no
// deadline or memory limit of its own.
//
// It does not run SQL: views, triggers, indexes and virtual tables are
// never read, and WITHOUT ROWID tables are refused.
package sqlitefile

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Magic starts every SQLite 3 database file.
const Magic = "SQLite format 3\x00"

// maxDepth bounds the depth of a b-tree, as SQLite's own BTCURSOR_MAX_DEPTH.
const maxDepth = 20

var (
	// ErrNotSQLite is returned for data that is not an SQLite 3 database.
	ErrNotSQLite = errors.New("the file is not an SQLite 3 database")
	// ErrDamaged is wrapped by every error about a malformed file.
	ErrDamaged = errors.New("the database is damaged")
	// ErrNoTable is wrapped when the database has no table of that name.
	ErrNoTable = errors.New("the database has no such table")
	// ErrNoColumn is wrapped when a table has no column of that name.
	ErrNoColumn = errors.New("the table has no such column")
	// ErrUnsupported is wrapped when a table is of a kind this reader
	// does not read (WITHOUT ROWID, virtual, or a computed column).
	ErrUnsupported = errors.New("this kind of table is not supported")
)

// kindError is an error of one of the kinds above, worded for its reader.
type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

// errorOf makes an error of kind, worded by format.
func errorOf(kind error, format string, args ...any) error {
	return &kindError{fmt.Sprintf(format, args...), kind}
}

// damaged makes an error about a malformed file: "the database is damaged:
// ...".
func damaged(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrDamaged}, args...)...)
}

// DB is an SQLite 3 database file opened for reading. It holds the file's
// bytes, which must not change while it is used.
type DB struct {
	data     []byte
	pageSize int    // bytes per page
	usable   int    // usable bytes per page (U): the page size less the reserved bytes
	nPages   uint32 // pages in the database
	utf16    binary.ByteOrder
	tables   []*Table
	padded   bool // data is the reader's own padded copy of the file: Close wipes it
}

// Close wipes the copy of the file Open made to pad its last page (the
// rows of an authenticator's database are its secrets); the caller's
// bytes stay the caller's to wipe. The DB is not used after.
func (d *DB) Close() {
	if d.padded {
		clear(d.data)
	}
	d.data, d.tables = nil, nil
}

// Open checks data's header and reads its schema (sqlite_schema on page
// 1). The tables' CREATE TABLE statements are parsed when first used.
func Open(data []byte) (*DB, error) {
	if len(data) < len(Magic) || string(data[:len(Magic)]) != Magic {
		return nil, ErrNotSQLite
	}
	if len(data) < 100 {
		return nil, damaged("the file is shorter than its 100-byte header")
	}
	h := data[:100]
	d := &DB{data: data}
	d.pageSize = int(binary.BigEndian.Uint16(h[16:]))
	if d.pageSize == 1 {
		d.pageSize = 65536
	}
	if d.pageSize < 512 || d.pageSize > 65536 || d.pageSize&(d.pageSize-1) != 0 {
		return nil, damaged("its page size %d is not a power of two from 512 to 65536", d.pageSize)
	}
	d.usable = d.pageSize - int(h[20])
	if d.usable < 480 {
		return nil, damaged("%d reserved bytes leave fewer than 480 usable in a page", h[20])
	}
	if h[19] > 2 {
		return nil, errorOf(ErrUnsupported, "the database's file format version %d is newer than this reader knows", h[19])
	}
	if h[21] != 64 || h[22] != 32 || h[23] != 32 {
		return nil, damaged("its payload fractions are not 64, 32 and 32")
	}
	switch enc := binary.BigEndian.Uint32(h[56:]); enc {
	case 0, 1: // 0: no schema yet, so no text either
	case 2:
		d.utf16 = binary.LittleEndian
	case 3:
		d.utf16 = binary.BigEndian
	default:
		return nil, damaged("its text encoding %d is not 1 (UTF-8), 2 (UTF-16le) or 3 (UTF-16be)", enc)
	}
	// A file whose length is not a whole number of pages ends in a page
	// SQLite reads as if padded with zeros: pad a copy the same way.
	filePages := (len(data) + d.pageSize - 1) / d.pageSize
	if len(data)%d.pageSize != 0 {
		d.data = make([]byte, filePages*d.pageSize)
		copy(d.data, data)
		d.padded = true
	}
	// The header's page count holds only if the "version valid for" field
	// matches the change counter (as in SQLite); otherwise the file's
	// length gives it.
	n := binary.BigEndian.Uint32(h[28:])
	if n == 0 || binary.BigEndian.Uint32(h[24:]) != binary.BigEndian.Uint32(h[92:]) {
		n = uint32(filePages)
	}
	if uint64(n) > uint64(filePages) {
		d.Close()
		return nil, damaged("its header counts %d pages but the file holds %d", n, filePages)
	}
	d.nPages = n
	if err := d.readSchema(); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// page returns page n's bytes (its usable part) and where its b-tree
// header starts (100 on page 1, after the file header).
func (d *DB) page(n uint32) ([]byte, int) {
	off := int(n-1) * d.pageSize
	p := d.data[off : off+d.usable : off+d.usable]
	if n == 1 {
		return p, 100
	}
	return p, 0
}

// visited is a set of page numbers, one bit each.
type visited []uint64

// use marks page n, refusing a number outside the database and a page
// already used in this traversal.
func (d *DB) use(v visited, n uint32, what string) error {
	if n == 0 || n > d.nPages {
		return damaged("%s points to page %d, outside the file's %d pages", what, n, d.nPages)
	}
	if v[n/64]&(1<<(n%64)) != 0 {
		return damaged("page %d is used twice (a loop in its %s)", n, what)
	}
	v[n/64] |= 1 << (n % 64)
	return nil
}

func (d *DB) newVisited() visited { return make(visited, d.nPages/64+1) }

// uvarint reads an SQLite varint (1 to 9 bytes, big-endian, the ninth
// byte whole) from b, returning 0 bytes read if b ends first.
func uvarint(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < 9; i++ {
		if i >= len(b) {
			return 0, 0
		}
		if i == 8 {
			return v<<8 | uint64(b[i]), 9
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return v, 9 // unreachable
}

// cell is one row of a table b-tree leaf: its rowid and record.
type cell struct {
	rowid   int64
	payload []byte
}

// walk calls leaf for every cell of the table b-tree rooted at root, in
// rowid order, until leaf returns an error or false. v holds the pages
// already used.
func (d *DB) walk(root uint32, v visited, what string, leaf func(cell) (bool, error)) error {
	_, err := d.walkPage(root, v, what, 1, leaf)
	return err
}

func (d *DB) walkPage(n uint32, v visited, what string, depth int, leaf func(cell) (bool, error)) (bool, error) {
	if depth > maxDepth {
		return false, damaged("the b-tree of %s is deeper than %d levels", what, maxDepth)
	}
	if err := d.use(v, n, "b-tree of "+what); err != nil {
		return false, err
	}
	p, h := d.page(n)
	kind := p[h]
	hdr := 8
	switch kind {
	case 0x0D:
	case 0x05:
		hdr = 12
	default:
		return false, damaged("page %d of %s is not a table b-tree page (type %d)", n, what, kind)
	}
	if h+hdr > len(p) {
		return false, damaged("page %d's header runs past its end", n)
	}
	nCells := int(binary.BigEndian.Uint16(p[h+3:]))
	first := h + hdr + 2*nCells // the first byte after the cell pointers
	if first > len(p) {
		return false, damaged("page %d counts %d cells, more than fit in it", n, nCells)
	}
	total := 0 // bytes of the page's cells, at most the page's content area
	for i := 0; i < nCells; i++ {
		pc := int(binary.BigEndian.Uint16(p[h+hdr+2*i:]))
		if pc < first || pc >= len(p) {
			return false, damaged("cell %d of page %d points outside its page", i, n)
		}
		if kind == 0x05 {
			if pc+4 > len(p) {
				return false, damaged("cell %d of page %d runs past its page", i, n)
			}
			child := binary.BigEndian.Uint32(p[pc:])
			if _, k := uvarint(p[pc+4:]); k == 0 {
				return false, damaged("cell %d of page %d runs past its page", i, n)
			}
			more, err := d.walkPage(child, v, what, depth+1, leaf)
			if err != nil || !more {
				return more, err
			}
			continue
		}
		c, size, err := d.leafCell(p, pc, v, n, i, what)
		if err != nil {
			return false, err
		}
		if total += size; total > len(p)-first {
			return false, damaged("the cells of page %d hold more bytes than the page", n)
		}
		more, err := leaf(c)
		if err != nil || !more {
			return more, err
		}
	}
	if kind == 0x05 {
		return d.walkPage(binary.BigEndian.Uint32(p[h+8:]), v, what, depth+1, leaf)
	}
	return true, nil
}

// leafCell reads the cell at offset pc of leaf page p (page n): its rowid
// and its whole payload, following overflow pages. It returns the cell's
// size on the page.
func (d *DB) leafCell(p []byte, pc int, v visited, n uint32, i int, what string) (cell, int, error) {
	short := func() error { return damaged("cell %d of page %d runs past its page", i, n) }
	size, k1 := uvarint(p[pc:])
	if k1 == 0 {
		return cell{}, 0, short()
	}
	rowid, k2 := uvarint(p[pc+k1:])
	if k2 == 0 {
		return cell{}, 0, short()
	}
	if size > uint64(len(d.data)) {
		return cell{}, 0, damaged("cell %d of page %d claims %d bytes, more than the file", i, n, size)
	}
	start := pc + k1 + k2
	P, U := int(size), d.usable
	local := P
	X := U - 35
	if P > X {
		M := ((U-12)*32/255 - 23)
		local = M + (P-M)%(U-4)
		if local > X {
			local = M
		}
	}
	end := start + local
	if P > local {
		end += 4
	}
	if end > len(p) {
		return cell{}, 0, short()
	}
	c := cell{rowid: int64(rowid), payload: p[start : start+local : start+local]}
	if P == local {
		return c, end - pc, nil
	}
	buf := make([]byte, local, P)
	copy(buf, c.payload)
	next := binary.BigEndian.Uint32(p[start+local:])
	for len(buf) < P {
		if next == 1 {
			return cell{}, 0, damaged("the overflow chain of %s points to page 1", what)
		}
		if err := d.use(v, next, "overflow chain of "+what); err != nil {
			return cell{}, 0, err
		}
		o, _ := d.page(next)
		take := min(P-len(buf), U-4)
		buf = append(buf, o[4:4+take]...)
		next = binary.BigEndian.Uint32(o)
	}
	c.payload = buf
	return c, end - pc, nil
}
