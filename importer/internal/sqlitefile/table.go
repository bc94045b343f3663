package sqlitefile

// Scan calls row with the values of the named columns (found exactly, or
// else ignoring ASCII case, as SQLite does) for each row of table, in
// rowid order, stopping after limit rows or at row's first error, which it
// returns. vals is reused from one row to the next.
//
// A record shorter than the table (a row written before ALTER TABLE ADD
// COLUMN) gives a missing column its literal DEFAULT, converted to the
// column's affinity as SQLite does for the common cases, or NULL if the
// default is an expression; the INTEGER PRIMARY KEY column is the rowid;
// an integer stored in a REAL column reads as a float, as in SQLite.
func (d *DB) Scan(table string, cols []string, limit int, row func(vals []Value) error) error {
	t, err := d.table(table)
	if err != nil {
		return err
	}
	if t.def.withoutRowid {
		return errorOf(ErrUnsupported, "table %s is a WITHOUT ROWID table, which this reader does not read", quote(t.Name))
	}
	if t.root < 1 || t.root > int64(d.nPages) {
		return damaged("table %s's root page %d is outside the file's %d pages", quote(t.Name), t.root, d.nPages)
	}
	want := make([]*column, len(cols))
	ipk := make([]bool, len(cols))
	for i, name := range cols {
		k := -1
		for j, c := range t.def.cols {
			if c.name == name {
				k = j
				break
			}
			if k < 0 && asciiEqualFold(c.name, name) {
				k = j
			}
		}
		if k < 0 {
			return errorOf(ErrNoColumn, "table %s has no column %s", quote(t.Name), quote(name))
		}
		if t.def.cols[k].virtual {
			return errorOf(ErrUnsupported, "column %s of table %s is computed by an expression, which this reader does not evaluate", quote(name), quote(t.Name))
		}
		want[i], ipk[i] = &t.def.cols[k], k == t.def.ipk
	}
	vals := make([]Value, len(cols))
	var types, offs []uint64
	rows := 0
	return d.walk(uint32(t.root), d.newVisited(), "table "+quote(t.Name), func(c cell) (bool, error) {
		if rows >= limit {
			return false, nil
		}
		rows++
		var err error
		if types, offs, err = record(c.payload, types[:0], offs[:0]); err != nil {
			return false, err
		}
		for i, col := range want {
			switch k := col.storeIdx; {
			case ipk[i]:
				vals[i] = Value{Kind: Integer, Int: c.rowid}
			case k >= len(types):
				vals[i] = col.def
			default:
				vals[i] = d.field(types[k], c.payload[offs[k]:offs[k]+serialSize(types[k])])
				if col.realAff && vals[i].Kind == Integer {
					vals[i] = Value{Kind: Float, Float: float64(vals[i].Int)}
				}
			}
		}
		if err := row(vals); err != nil {
			return false, err
		}
		return rows < limit, nil
	})
}
