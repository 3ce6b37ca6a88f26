package convert

import (
	"reflect"
	"testing"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/revision"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

func TestExpectedObjects(t *testing.T) {
	cases := []struct {
		name    string
		dialect engine.Dialect
		files   []string
		want    []string // kind schema.name
	}{
		{"postgres create, rename, drop", engine.Postgres, []string{
			`CREATE TABLE Users (id int); CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_id ON public.users (id);
			 CREATE TEMP TABLE scratch (x int); CREATE OR REPLACE VIEW v AS SELECT 1; CREATE SEQUENCE s;`,
			`ALTER TABLE users RENAME TO members; DROP VIEW IF EXISTS v, w; CREATE TYPE mood AS ENUM ('a');
			 CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ SELECT a $$; CREATE MATERIALIZED VIEW mv AS SELECT 1;
			 CREATE SCHEMA app; CREATE TABLE app."Orders" (id int); DROP FUNCTION f(int);`,
		}, []string{"table .members", "index public.users_id", "sequence .s", "type .mood", "materialized view .mv", "schema .app", "table app.Orders"}},
		{"postgres drop schema cascade", engine.Postgres, []string{
			`CREATE SCHEMA x; CREATE TABLE x.t (id int); CREATE TABLE keep (id int); DROP SCHEMA x CASCADE;`,
		}, []string{"table .keep"}},
		{"mysql", engine.MySQL, []string{
			"CREATE TABLE `Order` (id int); CREATE INDEX order_id ON `Order` (id); CREATE TRIGGER trg BEFORE INSERT ON `Order` FOR EACH ROW SET NEW.id = 1;",
			"RENAME TABLE `Order` TO orders, a TO b; CREATE DEFINER = `root`@`localhost` PROCEDURE p() BEGIN SELECT 1; END; CREATE ALGORITHM=MERGE VIEW v AS SELECT 1; DROP INDEX order_id ON orders;",
		}, []string{"table .orders", "trigger .trg", "procedure .p", "view .v"}},
		{"sqlite drop table takes its indexes and triggers", engine.SQLite, []string{
			`CREATE TABLE t (a int); CREATE INDEX t_a ON t (a); CREATE TRIGGER trg AFTER INSERT ON t BEGIN SELECT 1; END; CREATE TABLE u (a int);`,
			`DROP TABLE t; ALTER TABLE u RENAME TO w;`,
		}, []string{"table .w"}},
		{"postgres drops take indexes along", engine.Postgres, []string{
			`CREATE TABLE c (id int, pid int, note text); CREATE INDEX c_pid ON c (pid); CREATE INDEX c_note ON c (lower(note)) WHERE id > 0;
			 CREATE INDEX c_id ON c (id); CREATE MATERIALIZED VIEW mv AS SELECT 1 AS id; CREATE UNIQUE INDEX mv_id ON mv (id);
			 CREATE UNIQUE INDEX c_id2 ON c (id); ALTER TABLE c ADD CONSTRAINT c_pkey PRIMARY KEY USING INDEX c_id2;`,
			`ALTER TABLE c DROP COLUMN pid, DROP COLUMN note; DROP MATERIALIZED VIEW mv;`,
		}, []string{"table .c", "index .c_id"}},
		{"mysql drop column keeps an index with columns left", engine.MySQL, []string{
			`CREATE TABLE c (id int, a int, b int); CREATE INDEX c_a ON c (a); CREATE INDEX c_ab ON c (a, b);`,
			`ALTER TABLE c DROP COLUMN a;`,
		}, []string{"table .c", "index .c_ab"}},
		{"unnamed index and temporary objects leave nothing", engine.Postgres, []string{
			`CREATE INDEX ON t (a); CREATE TEMPORARY VIEW tv AS SELECT 1;`,
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var files []fileStatements
			for i, src := range c.files {
				stmts, err := sqlsplit.Split(c.dialect, []byte(src))
				if err != nil {
					t.Fatal(err)
				}
				files = append(files, fileStatements{name: string(rune('a' + i)), stmts: stmts})
			}
			var got []string
			for _, o := range expected(c.dialect, files) {
				got = append(got, o.Kind+" "+o.Schema+"."+o.Name)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("objects:\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestReconcileAcceptsRowsFerryExecuted(t *testing.T) {
	want := []revision.Row{{Version: "1", Description: "a", Type: revision.TypeResolved, Applied: 2, Total: 2, Hash: "h"}}
	executed := []revision.Row{{Version: "1", Description: "a", Type: revision.TypeExecute, Applied: 2, Total: 2, Hash: "h"}}
	todo, present, err := reconcile(want, executed, 1, nil)
	if err != nil || len(todo) != 0 || present != 1 {
		t.Fatalf("todo %v present %d err %v", todo, present, err)
	}
	partial := []revision.Row{{Version: "1", Description: "a", Type: revision.TypeExecute, Applied: 1, Total: 2, Hash: "h", PartialHashes: []string{"h1:x"}}}
	if _, _, err := reconcile(want, partial, 1, nil); err == nil {
		t.Fatal("a partial row was accepted as converted history")
	}
}
