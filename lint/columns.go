package lint

import (
	"strings"
)

// colDef is what a column definition says, as far as the checks go.
type colDef struct {
	name       objName
	key        string // fold of name
	notNull    bool   // NOT NULL, or PRIMARY KEY (not on SQLite)
	hasDefault bool   // a DEFAULT other than NULL
	filled     bool   // the database fills it: serial, identity, generated, AUTO_INCREMENT
	fk         bool   // an inline REFERENCES
	fkName     string // its CONSTRAINT name, by fold
	uniqueName string // the CONSTRAINT name of an inline UNIQUE, by fold
}

// columnDef reads a column definition: name, type, column constraints.
func (c *checker) columnDef(toks []token) (colDef, bool) {
	cur := &cursor{toks: toks}
	n, ok := cur.ident()
	if !ok {
		return colDef{}, false
	}
	def := colDef{name: n, key: c.foldName(n)}
	if t := cur.peek(); t.kind == tWord {
		def.filled = c.d.IsSerialType(t.text)
	}
	var pending string // a CONSTRAINT name, for the constraint that follows
	for !cur.done() {
		if _, ok := cur.group(); ok {
			continue // type arguments, CHECK (...), DEFAULT (...)
		}
		t := cur.next()
		if t.kind != tWord {
			continue
		}
		name := pending
		pending = ""
		switch strings.ToUpper(t.text) {
		case "CONSTRAINT":
			if p, ok := cur.ident(); ok {
				pending = c.foldName(p)
			}
		case "NOT":
			if cur.kw("NULL") {
				def.notNull = true
			}
		case "DEFAULT":
			def.hasDefault = !cur.kw("NULL") || def.hasDefault
		case "PRIMARY":
			if cur.kw("KEY") && c.d.PrimaryKeyImpliesNotNull() {
				def.notNull = true
			}
		case "GENERATED", "AS", "AUTO_INCREMENT", "AUTOINCREMENT":
			def.filled = true
		case "REFERENCES":
			def.fk, def.fkName = true, name
			cur.name()
		case "UNIQUE":
			def.uniqueName = name
		}
	}
	return def, true
}

// consDef is what a table constraint (or MySQL index) definition says.
type consDef struct {
	kind        string // "PRIMARY", "UNIQUE", "FOREIGN", or "" for others
	name        string // its name by fold; "" if none
	nameDisplay string // its name as written
	cols        []string
	display     []string // the columns as written
	usingIndex  bool     // PostgreSQL UNIQUE USING INDEX: the index exists already
}

// tableConstraint reads [CONSTRAINT name] PRIMARY KEY | UNIQUE | FOREIGN
// KEY | CHECK ... (and MySQL's INDEX, KEY, FULLTEXT, SPATIAL).
func (c *checker) tableConstraint(toks []token) consDef {
	cur := &cursor{toks: toks}
	var cd consDef
	if cur.kw("CONSTRAINT") && !c.isConstraintStart(cur.peek()) {
		if n, ok := cur.ident(); ok {
			cd.name, cd.nameDisplay = c.foldName(n), n.String()
		}
	}
	switch {
	case cur.kw("PRIMARY", "KEY"):
		cd.kind = "PRIMARY"
	case cur.kw("UNIQUE"):
		cd.kind = "UNIQUE"
		cur.kwAny("INDEX", "KEY")
		if cur.kw("USING", "INDEX") {
			cd.usingIndex = true
			return cd
		}
	case cur.kw("FOREIGN", "KEY"):
		cd.kind = "FOREIGN"
	default:
		return cd
	}
	// Up to the column list: PostgreSQL NULLS [NOT] DISTINCT, MySQL's
	// index name and USING type.
	for !cur.done() && !cur.peek().punct('(') {
		t := cur.next()
		switch {
		case t.is("USING"):
			cur.next()
		case t.name() && c.d.IndexesInTables() && cd.kind == "UNIQUE" && cd.name == "":
			// MySQL names the constraint after the index.
			cd.name, cd.nameDisplay = c.fold(t.text, t.kind == tIdent), t.text
		}
	}
	g, _ := cur.group()
	cd.cols, cd.display = c.indexColumns(g)
	return cd
}

// indexColumns returns the columns of an index or key column list, by fold
// and as written; an expression gives "" and its text.
func (c *checker) indexColumns(g [][]token) ([]string, []string) {
	var keys, display []string
	for _, el := range g {
		k, d := "", render(el)
		switch {
		case !el[0].name():
		case len(el) > 1 && el[1].punct('('):
			// A function call, or a MySQL prefix length: name(10).
			if c.d.IndexPrefixLengths() && len(el) > 2 && el[2].kind == tNumber {
				k, d = c.fold(el[0].text, el[0].kind == tIdent), el[0].text
			}
		case len(el) > 1 && !el[1].name():
		default:
			k, d = c.fold(el[0].text, el[0].kind == tIdent), el[0].text
		}
		keys, display = append(keys, k), append(display, d)
	}
	return keys, display
}

// render returns tokens as text, with a space between two words only.
func render(toks []token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 && t.kind != tPunct && toks[i-1].kind != tPunct {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return b.String()
}
