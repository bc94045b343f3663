package sqlitefile

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Table is an ordinary table of the schema (type 'table'): its name, its
// root page and its CREATE TABLE statement, parsed when first used.
type Table struct {
	Name string
	root int64
	sql  string

	parsed bool
	def    tableDef
	err    error
}

// readSchema reads sqlite_schema (type, name, tbl_name, rootpage, sql),
// keeping its tables (never views, indexes or triggers). An entry whose
// type or name is not text is not a table this reader can name, and is
// passed over.
func (d *DB) readSchema() error {
	var types, offs []uint64
	return d.walk(1, d.newVisited(), "the schema", func(c cell) (bool, error) {
		var err error
		types, offs, err = record(c.payload, types[:0], offs[:0])
		if err != nil {
			return false, err
		}
		get := func(i int) Value {
			if i >= len(types) {
				return Value{}
			}
			return d.field(types[i], c.payload[offs[i]:offs[i]+serialSize(types[i])])
		}
		if typ := get(0); typ.Kind != Text || string(typ.Bytes) != "table" {
			return true, nil
		}
		name := get(1)
		if name.Kind != Text {
			return true, nil
		}
		t := &Table{Name: string(name.Bytes)}
		if root := get(3); root.Kind == Integer {
			t.root = root.Int
		}
		if sql := get(4); sql.Kind == Text {
			t.sql = string(sql.Bytes)
		}
		d.tables = append(d.tables, t)
		return true, nil
	})
}

// Tables returns the names of the database's tables, in schema order.
func (d *DB) Tables() []string {
	names := make([]string, len(d.tables))
	for i, t := range d.tables {
		names[i] = t.Name
	}
	return names
}

// table finds a table by name, exactly or else ignoring ASCII case (as
// SQLite does), and parses its statement.
func (d *DB) table(name string) (*Table, error) {
	var t *Table
	for _, x := range d.tables {
		if x.Name == name {
			t = x
			break
		}
		if t == nil && asciiEqualFold(x.Name, name) {
			t = x
		}
	}
	if t == nil {
		return nil, errorOf(ErrNoTable, "the database has no table %s", quote(name))
	}
	if !t.parsed {
		t.parsed = true
		t.def, t.err = parseCreateTable(t.sql)
		if t.err != nil {
			t.err = fmt.Errorf("the statement creating table %s cannot be read: %w", quote(name), t.err)
		}
	}
	return t, t.err
}

// Columns returns the names of a table's columns, in order.
func (d *DB) Columns(table string) ([]string, error) {
	t, err := d.table(table)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(t.def.cols))
	for i, c := range t.def.cols {
		names[i] = c.name
	}
	return names, nil
}

// quote shows a name from the file in an error: quoted, and cut short.
func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return strconv.Quote(s)
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// The CREATE TABLE parser: just enough of SQLite's grammar to find the
// columns, their declared types, the rowid alias, literal defaults,
// computed columns and WITHOUT ROWID.

// tableDef is what a CREATE TABLE statement says of a table's storage.
type tableDef struct {
	cols         []column
	ipk          int // the INTEGER PRIMARY KEY column (the rowid's alias), or -1
	withoutRowid bool
}

// column is one column of a table.
type column struct {
	name     string
	typ      string // the declared type, as written
	def      Value  // the value of a record too short to hold the column
	virtual  bool   // a VIRTUAL generated column: not stored in records
	numLit   bool   // def is a numeric literal, still as written
	realAff  bool   // REAL affinity: an integer stored is read as a float
	storeIdx int    // the column's field in a record
}

type tokKind uint8

const (
	tWord   tokKind = iota // a bare word: a keyword or an identifier
	tQuoted                // "x", `x` or [x]: an identifier
	tString                // 'x'
	tNumber
	tBlob // x'...'
	tPunct
)

type token struct {
	kind tokKind
	text string // the token as written
}

// errSyntax is the parser's one complaint.
var errSyntax = fmt.Errorf("it is not a CREATE TABLE statement this reader understands")

func isIDByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// tokenize splits SQL into tokens, dropping spaces and comments.
func tokenize(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				i = len(s)
			} else {
				i += j + 4
			}
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for {
				k := strings.IndexByte(s[j:], c)
				if k < 0 {
					return nil, errSyntax
				}
				j += k + 1
				if j < len(s) && s[j] == c { // a doubled quote
					j++
					continue
				}
				break
			}
			kind := tQuoted
			if c == '\'' {
				kind = tString
			}
			toks, i = append(toks, token{kind, s[i:j]}), j
		case c == '[':
			k := strings.IndexByte(s[i:], ']')
			if k < 0 {
				return nil, errSyntax
			}
			toks, i = append(toks, token{tQuoted, s[i : i+k+1]}), i+k+1
		case (c == 'x' || c == 'X') && i+1 < len(s) && s[i+1] == '\'':
			k := strings.IndexByte(s[i+2:], '\'')
			if k < 0 {
				return nil, errSyntax
			}
			toks, i = append(toks, token{tBlob, s[i : i+k+3]}), i+k+3
		case '0' <= c && c <= '9' || c == '.' && i+1 < len(s) && '0' <= s[i+1] && s[i+1] <= '9':
			j := i + 1
			for j < len(s) && (isIDByte(s[j]) || s[j] == '.' ||
				(s[j] == '+' || s[j] == '-') && (s[j-1] == 'e' || s[j-1] == 'E')) {
				j++
			}
			toks, i = append(toks, token{tNumber, s[i:j]}), j
		case isIDByte(c):
			j := i + 1
			for j < len(s) && isIDByte(s[j]) {
				j++
			}
			toks, i = append(toks, token{tWord, s[i:j]}), j
		default:
			toks, i = append(toks, token{tPunct, s[i : i+1]}), i+1
		}
	}
	return toks, nil
}

// is reports whether t is the bare keyword kw (any case).
func (t token) is(kw string) bool { return t.kind == tWord && asciiEqualFold(t.text, kw) }

// dequote returns an identifier or string without its quotes.
func dequote(t token) string {
	s := t.text
	switch t.kind {
	case tQuoted, tString:
		if s[0] == '[' {
			return s[1 : len(s)-1]
		}
		q := s[:1]
		return strings.ReplaceAll(s[1:len(s)-1], q+q, q)
	}
	return s
}

// group returns the index just past the parenthesised group opening at
// toks[i], or -1 if it is not closed.
func group(toks []token, i int) int {
	depth := 0
	for ; i < len(toks); i++ {
		switch toks[i].text {
		case "(":
			if toks[i].kind == tPunct {
				depth++
			}
		case ")":
			if toks[i].kind == tPunct {
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
	}
	return -1
}

// splitItems splits the tokens between a table's parentheses at its
// top-level commas.
func splitItems(toks []token) [][]token {
	var items [][]token
	depth, start := 0, 0
	for i, t := range toks {
		if t.kind != tPunct {
			continue
		}
		switch t.text {
		case "(":
			depth++
		case ")":
			depth--
		case ",":
			if depth == 0 {
				items = append(items, toks[start:i])
				start = i + 1
			}
		}
	}
	return append(items, toks[start:])
}

// columnStops are the words that end a column's type and start its
// constraints.
var columnStops = []string{"CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE", "REFERENCES", "GENERATED", "AS"}

func isStop(t token) bool {
	for _, kw := range columnStops {
		if t.is(kw) {
			return true
		}
	}
	return false
}

// parseCreateTable reads a CREATE TABLE statement as SQLite stores it.
func parseCreateTable(sql string) (tableDef, error) {
	def := tableDef{ipk: -1}
	toks, err := tokenize(sql)
	if err != nil {
		return def, err
	}
	i := 0
	next := func(kw string) bool {
		if i < len(toks) && toks[i].is(kw) {
			i++
			return true
		}
		return false
	}
	if !next("CREATE") {
		return def, errSyntax
	}
	_ = next("TEMP") || next("TEMPORARY")
	if next("VIRTUAL") {
		return def, errorOf(ErrUnsupported, "it is a virtual table, whose rows another program computes")
	}
	if !next("TABLE") {
		return def, errSyntax
	}
	if next("IF") && !(next("NOT") && next("EXISTS")) {
		return def, errSyntax
	}
	i++ // the name
	if i+1 < len(toks) && toks[i].text == "." && toks[i].kind == tPunct {
		i += 2 // schema.name
	}
	if i >= len(toks) || toks[i].kind != tPunct || toks[i].text != "(" {
		return def, errSyntax
	}
	end := group(toks, i)
	if end < 0 {
		return def, errSyntax
	}
	for j := end; j+1 < len(toks); j++ {
		if toks[j].is("WITHOUT") && toks[j+1].is("ROWID") {
			def.withoutRowid = true
		}
	}
	pkCol := ""
	for _, item := range splitItems(toks[i+1 : end-1]) {
		if len(item) == 0 {
			return def, errSyntax
		}
		first := item[0]
		if first.is("CONSTRAINT") && len(item) > 2 {
			item = item[2:]
			first = item[0]
		}
		switch {
		case first.is("PRIMARY"):
			// PRIMARY KEY (x [COLLATE c] [ASC|DESC]): one plain column makes
			// an INTEGER column the rowid's alias (even with DESC).
			if len(item) > 3 && item[1].is("KEY") && item[2].text == "(" {
				if g := group(item, 2); g > 0 {
					list := splitItems(item[3 : g-1])
					if len(list) == 1 && len(list[0]) > 0 && list[0][0].kind != tPunct && list[0][0].kind != tNumber {
						pkCol = dequote(list[0][0])
					}
				}
			}
			continue
		case first.is("UNIQUE"), first.is("CHECK"), first.is("FOREIGN"), first.is("CONSTRAINT"):
			continue
		}
		c, pk, err := parseColumn(item)
		if err != nil {
			return def, err
		}
		if pk && def.ipk < 0 && asciiEqualFold(c.typ, "INTEGER") {
			def.ipk = len(def.cols)
		}
		def.cols = append(def.cols, c)
	}
	if len(def.cols) == 0 {
		return def, errSyntax
	}
	if pkCol != "" && def.ipk < 0 {
		for k, c := range def.cols {
			if asciiEqualFold(c.name, pkCol) && asciiEqualFold(c.typ, "INTEGER") {
				def.ipk = k
				break
			}
		}
	}
	if def.withoutRowid {
		def.ipk = -1
	}
	stored := 0
	for k := range def.cols {
		c := &def.cols[k]
		if !c.virtual {
			c.storeIdx = stored
			stored++
		}
		c.realAff = affinity(c.typ) == 'E'
		aff := affinity(c.typ)
		if c.numLit && aff == 'A' {
			aff = 'C' // a numeric literal without affinity is a number
		}
		c.def = applyAffinity(c.def, aff)
		if c.realAff && c.def.Kind == Integer {
			c.def = Value{Kind: Float, Float: float64(c.def.Int)}
		}
	}
	return def, nil
}

// parseColumn reads one column definition: its name, type and the
// constraints this reader needs. pk reports a PRIMARY KEY (not DESC).
func parseColumn(item []token) (c column, pk bool, err error) {
	if item[0].kind == tPunct || item[0].kind == tNumber || item[0].kind == tBlob {
		return c, false, errSyntax
	}
	c.name = dequote(item[0])
	i := 1
	// The type: words (or strings) then at most one parenthesised group.
	for i < len(item) && !isStop(item[i]) && item[i].kind != tPunct {
		i++
	}
	if i < len(item) && item[i].text == "(" && item[i].kind == tPunct {
		g := group(item, i)
		if g < 0 {
			return c, false, errSyntax
		}
		i = g
	}
	if i > 1 {
		parts := make([]string, 0, i-1)
		for _, t := range item[1:i] {
			parts = append(parts, t.text)
		}
		c.typ = strings.Join(parts, " ")
		if i == 2 && (item[1].kind == tQuoted || item[1].kind == tString) {
			c.typ = dequote(item[1])
		}
		c.typ = strings.ReplaceAll(c.typ, " (", "(")
	}
	for i < len(item) {
		t := item[i]
		switch {
		case t.kind == tPunct && t.text == "(":
			if i = group(item, i); i < 0 {
				return c, false, errSyntax
			}
			continue
		case t.is("PRIMARY"):
			pk = true
			if i+2 < len(item) && item[i+1].is("KEY") && item[i+2].is("DESC") {
				pk = false
			}
		case t.is("DEFAULT") && i+1 < len(item) && !item[i-1].is("SET"): // not ON DELETE SET DEFAULT
			c.def, c.numLit, i = parseDefault(item, i+1)
			continue
		case t.is("GENERATED") || t.is("AS"):
			c.virtual = true
			for j := i + 1; j < len(item); j++ {
				if item[j].is("STORED") {
					c.virtual = false
				}
			}
		}
		i++
	}
	return c, pk, nil
}

// parseDefault reads the literal after DEFAULT at item[i]: a number
// (signed or not), a string, a blob, NULL, TRUE or FALSE, or a bare word
// (SQLite takes it as a string). Anything else, an expression, gives NULL.
// It returns the index after the value, and whether the value is a numeric
// literal kept as written.
func parseDefault(item []token, i int) (Value, bool, int) {
	v, next := parseDefault1(item, i)
	num := item[i].kind == tNumber || item[i].text == "+" && item[i].kind == tPunct
	return v, num && v.Kind == Text, next
}

func parseDefault1(item []token, i int) (Value, int) {
	t := item[i]
	switch {
	case t.kind == tPunct && t.text == "+" && i+1 < len(item) && item[i+1].kind == tNumber:
		return Value{Kind: Text, Bytes: []byte(item[i+1].text)}, i + 2
	case t.kind == tPunct && t.text == "-" && i+1 < len(item) && item[i+1].kind == tNumber:
		v := number(item[i+1].text)
		if t.text == "-" {
			switch v.Kind {
			case Integer:
				if v.Int == math64Min {
					v = Value{Kind: Float, Float: 9223372036854775808}
				} else {
					v.Int = -v.Int
				}
			case Float:
				v.Float = -v.Float
			}
		}
		return v, i + 2
	case t.kind == tNumber:
		// SQLite keeps a numeric literal as text until the column's
		// affinity converts it: a TEXT column keeps it as written.
		return Value{Kind: Text, Bytes: []byte(t.text)}, i + 1
	case t.kind == tString:
		return Value{Kind: Text, Bytes: []byte(dequote(t))}, i + 1
	case t.kind == tBlob:
		b, ok := unhex(t.text[2 : len(t.text)-1])
		if !ok {
			return Value{}, i + 1
		}
		return Value{Kind: Blob, Bytes: b}, i + 1
	case t.is("NULL"):
		return Value{}, i + 1
	case t.is("TRUE"):
		return Value{Kind: Integer, Int: 1}, i + 1
	case t.is("FALSE"):
		return Value{Kind: Integer, Int: 0}, i + 1
	case t.is("CURRENT_TIME"), t.is("CURRENT_DATE"), t.is("CURRENT_TIMESTAMP"):
		return Value{}, i + 1
	case t.kind == tWord || t.kind == tQuoted:
		if isStop(t) {
			return Value{}, i
		}
		return Value{Kind: Text, Bytes: []byte(dequote(t))}, i + 1
	}
	return Value{}, i // an expression: NULL
}

const math64Min = -1 << 63

// number reads a numeric literal: an integer if it is one that fits,
// else a float.
func number(s string) Value {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return Value{Kind: Integer, Int: n}
	}
	if len(s) > 2 && (s[1] == 'x' || s[1] == 'X') {
		if n, err := strconv.ParseUint(s[2:], 16, 64); err == nil {
			return Value{Kind: Integer, Int: int64(n)}
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return Value{Kind: Text, Bytes: []byte(s)}
	}
	return Value{Kind: Float, Float: f}
}

func unhex(s string) ([]byte, bool) {
	if len(s)%2 != 0 {
		return nil, false
	}
	b := make([]byte, len(s)/2)
	for i := range b {
		n, err := strconv.ParseUint(s[2*i:2*i+2], 16, 8)
		if err != nil {
			return nil, false
		}
		b[i] = byte(n)
	}
	return b, true
}

// affinity is a declared type's affinity, by SQLite's rules: 'D' INTEGER,
// 'B' TEXT, 'A' BLOB, 'E' REAL, 'C' NUMERIC.
func affinity(typ string) byte {
	u := strings.ToUpper(typ)
	switch {
	case strings.Contains(u, "INT"):
		return 'D'
	case strings.Contains(u, "CHAR"), strings.Contains(u, "CLOB"), strings.Contains(u, "TEXT"):
		return 'B'
	case strings.Contains(u, "BLOB"), u == "":
		return 'A'
	case strings.Contains(u, "REAL"), strings.Contains(u, "FLOA"), strings.Contains(u, "DOUB"):
		return 'E'
	}
	return 'C'
}

// applyAffinity converts a default value to its column's affinity, as
// SQLite does for the common cases: numeric text becomes a number in a
// numeric column, a number becomes text in a TEXT column.
func applyAffinity(v Value, aff byte) Value {
	switch {
	case aff == 'B' && v.Kind == Integer:
		return Value{Kind: Text, Bytes: strconv.AppendInt(nil, v.Int, 10)}
	case aff == 'B' && v.Kind == Float:
		return Value{Kind: Text, Bytes: strconv.AppendFloat(nil, v.Float, 'g', 15, 64)}
	case aff >= 'C' && v.Kind == Text:
		s := strings.TrimSpace(string(v.Bytes))
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return Value{Kind: Integer, Int: n}
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && s != "" && !strings.ContainsAny(s, "xXnN_") {
			if n, ok := exactInt(f); ok {
				return Value{Kind: Integer, Int: n}
			}
			return Value{Kind: Float, Float: f}
		}
	case aff >= 'C' && v.Kind == Float:
		if n, ok := exactInt(v.Float); ok {
			return Value{Kind: Integer, Int: n}
		}
	}
	return v
}

// exactInt is f as an int64, if it is one exactly.
func exactInt(f float64) (int64, bool) {
	if f >= -9223372036854775808 && f < 9223372036854775808 && f == math.Trunc(f) {
		return int64(f), true
	}
	return 0, false
}
