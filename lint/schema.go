package lint

import (
	"strconv"
	"strings"
)

// outside is the seq of a table that no file read so far created: it was
// there before, created outside the files Check was given.
const outside = -1

// table is what the files read so far tell of a table.
type table struct {
	created int                    // seq of the file that created it, or outside
	cols    map[string]*column     // the columns known, by fold
	cons    map[string]*constraint // the named constraints known, by fold
	autoFKs int                    // MySQL: foreign keys named t_ibfk_N so far
}

// column is what the files read so far tell of a column.
type column struct {
	added      int  // seq of the file that added it (or created its table), or outside
	notNull    bool // declared NOT NULL (or part of a primary key)
	hasDefault bool // declared with a DEFAULT other than NULL, or filled by the database
}

// constraint is a named constraint of a table.
type constraint struct {
	created int      // seq of the file that added it
	fk      bool     // a foreign key
	cols    []string // its columns, by fold; "" for an expression
}

// colKey returns the key under which c.filled records a column.
func colKey(tkey, col string) string { return tkey + "\x00" + col }

// lookup returns the table of key, recording it as created outside the
// files if none of them created it: a statement that alters a table tells
// that it exists.
func (c *checker) lookup(key string) *table {
	t := c.tables[key]
	if t == nil {
		t = &table{created: outside}
		c.tables[key] = t
	}
	return t
}

// existing reports whether t holds rows from before the file being read:
// the file did not create it.
func (c *checker) existing(t *table) bool { return t == nil || t.created != c.seq }

// column returns the column of t, recording it as there before the files
// if it is not known.
func (t *table) column(key string) *column {
	if t.cols == nil {
		t.cols = map[string]*column{}
	}
	col := t.cols[key]
	if col == nil {
		col = &column{added: outside}
		t.cols[key] = col
	}
	return col
}

// newColumns reports whether every column of cols (folded names) was added
// by the file being read: an index on them indexes no value from before.
// An expression ("") is not new.
func (c *checker) newColumns(t *table, cols []string) bool {
	if len(cols) == 0 {
		return false
	}
	for _, k := range cols {
		col := t.cols[k]
		if k == "" || col == nil || col.added != c.seq {
			return false
		}
	}
	return true
}

// addConstraint records a named constraint of t.
func (c *checker) addConstraint(t *table, name string, fk bool, cols []string) {
	if name == "" {
		return
	}
	if t.cons == nil {
		t.cons = map[string]*constraint{}
	}
	t.cons[name] = &constraint{created: c.seq, fk: fk, cols: cols}
}

// fkName returns the name the database gives a foreign key declared
// without one on table tname (folded) over cols: PostgreSQL's
// "<table>_<columns>_fkey", MySQL's "<table>_ibfk_<n>". SQLite foreign keys
// cannot be dropped on their own: it returns "".
func (c *checker) fkName(t *table, tname string, cols []string) string {
	if name := c.d.KeyName(tname, cols, "foreign key"); name != "" {
		return name
	}
	if c.d.ForeignKeyName(tname, 1) == "" {
		return ""
	}
	t.autoFKs++
	return c.d.ForeignKeyName(tname, t.autoFKs)
}

// looksLikeFK reports whether a constraint name follows a usual foreign key
// naming: PostgreSQL's "_fkey" suffix, MySQL's "_ibfk_N", or "fk_" / "_fk".
func looksLikeFK(name string) bool {
	n := strings.ToLower(name)
	if i := strings.LastIndex(n, "_ibfk_"); i > 0 {
		if _, err := strconv.Atoi(n[i+len("_ibfk_"):]); err == nil {
			return true
		}
	}
	return strings.HasSuffix(n, "_fkey") || strings.HasPrefix(n, "fk_") || strings.HasSuffix(n, "_fk")
}
