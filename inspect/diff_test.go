package inspect

import (
	"testing"

	"github.com/ferrymigrate/ferry/engine"
)

func table(name string, lines ...string) Object {
	return Object{Kind: KindTable, Name: name, Lines: lines}
}

// customerLines are the customers table's lines before its index, the same
// in both schemas.
var customerLines = []string{
	"column id bigint NOT NULL",
	"column email text NOT NULL",
	"column name text",
	"column created_at timestamp with time zone",
	"column updated_at timestamp with time zone",
	"constraint customers_pkey PRIMARY KEY (id)",
}

var (
	before = &Schema{Dialect: engine.Postgres, Objects: []Object{
		{Kind: KindExtension, Name: "pg_trgm"},
		{Kind: KindEnum, Name: "mood", Lines: []string{"value 'sad'", "value 'ok'"}},
		table("customers", append(customerLines, "index customers_email USING btree (email)")...),
		table("orders",
			"column id integer NOT NULL",
			"constraint orders_pkey PRIMARY KEY (id)",
		),
		{Kind: KindView, Name: "big_orders", Lines: []string{"as", "   SELECT orders.id", "     FROM orders"}},
	}}
	after = &Schema{Dialect: engine.Postgres, Objects: []Object{
		{Kind: KindEnum, Name: "mood", Lines: []string{"value 'sad'", "value 'ok'", "value 'happy'"}},
		table("customers", append(customerLines, "index customers_email UNIQUE USING btree (email)")...),
		table("orders",
			"column id integer NOT NULL",
			"constraint orders_pkey PRIMARY KEY (id)",
		),
		{Kind: KindView, Name: "big_orders", Lines: []string{"as", "   SELECT orders.id", "     FROM orders"}},
		{Kind: KindFunction, Name: "touch()", Lines: []string{"returns trigger", "language plpgsql", "body " + hash("BEGIN RETURN NEW; END")}},
	}}
)

func TestDiffGolden(t *testing.T) {
	d := Diff(before, after, "prod", "staging")
	golden(t, "diff.golden", d)
	golden(t, "diff-color.golden", Colorize(d))
}

func TestDiff(t *testing.T) {
	tests := []struct {
		name string
		a, b *Schema
		want string
	}{
		{"equal", before, before, ""},
		{"both empty", &Schema{}, &Schema{}, ""},
		{"nil", nil, &Schema{Objects: []Object{table("t")}}, "--- a\n+++ b\n@@ -0,0 +1 @@\n+table t\n"},
		{"from empty", &Schema{}, &Schema{Objects: []Object{table("t", "column a integer")}},
			"--- a\n+++ b\n@@ -0,0 +1,2 @@\n+table t\n+  column a integer\n"},
		{"to empty", &Schema{Objects: []Object{table("t")}}, &Schema{},
			"--- a\n+++ b\n@@ -1 +0,0 @@\n-table t\n"},
		{"change far below the header names the object",
			&Schema{Objects: []Object{table("t", "column a integer", "column b integer", "column c integer", "column d integer", "column e integer")}},
			&Schema{Objects: []Object{table("t", "column a integer", "column b integer", "column c integer", "column d integer", "column e bigint")}},
			"--- a\n+++ b\n@@ -3,4 +3,4 @@ table t\n   column b integer\n   column c integer\n   column d integer\n-  column e integer\n+  column e bigint\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Diff(tt.a, tt.b, "a", "b"); got != tt.want {
				t.Errorf("Diff:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestColorize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"diff", "--- a\n+++ b\n@@ -1 +1 @@ table t\n   column a\n-  column b\n+  column c\n",
			"\x1b[1m--- a\x1b[0m\n\x1b[1m+++ b\x1b[0m\n\x1b[36m@@ -1 +1 @@ table t\x1b[0m\n   column a\n\x1b[31m-  column b\x1b[0m\n\x1b[32m+  column c\x1b[0m\n"},
		{"removed empty line", "-\n+\n", "\x1b[31m-\x1b[0m\n\x1b[32m+\x1b[0m\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Colorize(tt.in); got != tt.want {
				t.Errorf("Colorize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestString(t *testing.T) {
	s := &Schema{Objects: []Object{
		table("b", "column x integer"),
		{Kind: KindFunction, Name: "f()"},
		table("a"),
		{Kind: KindExtension, Name: "z"},
	}}
	s.sort()
	want := "extension z\n\ntable a\n\ntable b\n  column x integer\n\nfunction f()\n"
	if got := s.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := (&Schema{}).String(); got != "" {
		t.Errorf("empty String() = %q", got)
	}
	if o := s.Object(KindTable, "b"); o == nil || o.Lines[0] != "column x integer" {
		t.Errorf("Object(table, b) = %v", o)
	}
	if o := s.Object(KindView, "b"); o != nil {
		t.Errorf("Object(view, b) = %v, want nil", o)
	}
}

func TestIdent(t *testing.T) {
	pg := &inspector{dialect: engine.Postgres}
	my := &inspector{dialect: engine.MySQL}
	tests := []struct{ in, pg, my string }{
		{"users", "users", "users"},
		{"_t1$", "_t1$", "_t1$"},
		{"Users", `"Users"`, "`Users`"},
		{"1st", `"1st"`, "`1st`"},
		{"a b", `"a b"`, "`a b`"},
		{`we"ird`, `"we""ird"`, "`we\"ird`"},
		{"back`tick", "\"back`tick\"", "`back``tick`"},
		{"", `""`, "``"},
	}
	for _, tt := range tests {
		if got := pg.ident(tt.in); got != tt.pg {
			t.Errorf("postgres ident(%q) = %s, want %s", tt.in, got, tt.pg)
		}
		if got := my.ident(tt.in); got != tt.my {
			t.Errorf("mysql ident(%q) = %s, want %s", tt.in, got, tt.my)
		}
	}
}

func TestExcluded(t *testing.T) {
	pg := &inspector{dialect: engine.Postgres, exclude: append(DefaultExcluded(), "legacy")}
	lite := &inspector{dialect: engine.SQLite, exclude: append(DefaultExcluded(), "legacy")}
	for _, name := range []string{"atlas_schema_revisions", "ferry_recoveries", "schema_lock", "legacy"} {
		if !pg.excluded(name) || !lite.excluded(name) {
			t.Errorf("%s not excluded", name)
		}
	}
	if pg.excluded("Legacy") {
		t.Error("PostgreSQL: Legacy is another table than legacy")
	}
	if !lite.excluded("Legacy") {
		t.Error("SQLite: Legacy is legacy")
	}
	if pg.excluded("users") {
		t.Error("users excluded")
	}
}

func TestNormalizeSQL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"CREATE TABLE t(a int)", "CREATE TABLE t(a int)"},
		{"  CREATE   TABLE\tt (\n  a int ,\n  b text\n)\n", "CREATE TABLE t (a int, b text)"},
		{"CREATE TABLE t (a int, -- note\n b int /* c */)", "CREATE TABLE t (a int, b int)"},
		{"CREATE VIEW v AS SELECT 'a  b', \"x  y\", `p  q`, [r  s]", "CREATE VIEW v AS SELECT 'a  b', \"x  y\", `p  q`, [r  s]"},
		{"SELECT 'it''s  --  here'  ,  1", "SELECT 'it''s  --  here', 1"},
		{"SELECT 'unterminated  ", "SELECT 'unterminated  "},
		{"SELECT 1 /* unterminated", "SELECT 1"},
	}
	for _, tt := range tests {
		if got := normalizeSQL(tt.in); got != tt.want {
			t.Errorf("normalizeSQL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestKindsOrder(t *testing.T) {
	ks := Kinds()
	for i := 1; i < len(ks); i++ {
		if ks[i-1].rank() >= ks[i].rank() {
			t.Fatalf("Kinds() out of order at %s", ks[i])
		}
	}
}
