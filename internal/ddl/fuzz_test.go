package ddl

import (
	"testing"

	"github.com/ferrymigrate/ferry/engine"
)

// FuzzAnalyse feeds arbitrary statements to the analyser in every dialect:
// it must never panic, and whatever it claims must name an object.
func FuzzAnalyse(f *testing.F) {
	for _, s := range []string{
		`CREATE TABLE t (id int PRIMARY KEY, CONSTRAINT c FOREIGN KEY (a) REFERENCES p (id))`,
		`ALTER TABLE "T" RENAME COLUMN a TO b, ADD CONSTRAINT x UNIQUE (a)`,
		"RENAME TABLE `a` TO `b`, c TO d",
		`CREATE TABLE IF NOT EXISTS s.t (a int)`,
		`DROP INDEX CONCURRENTLY IF EXISTS a.b, c`,
		`INSERT INTO t (a, "b") VALUES ('x''y', $$z$$)`,
		`CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END`,
		`ALTER TABLE t ADD FOREIGN KEY (`,
		`CREATE UNIQUE INDEX ON t (a)`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, d := range []engine.Dialect{engine.Postgres, engine.MySQL, engine.SQLite} {
			ch := Analyse(d, s)
			for _, group := range [][]Fact{ch.Effects, ch.Requires} {
				for _, e := range group {
					if e.Ref.Kind == "" || e.Ref.Name == "" || e.Ref.Kind.Child() && e.Ref.Table == "" && e.Ref.Kind == Column {
						t.Fatalf("%s %q: a fact without an object: %+v", d, s, e)
					}
				}
			}
			if !ch.Invertible && len(ch.Inverse) > 0 {
				t.Fatalf("%s %q: an inverse on a statement that has none", d, s)
			}
		}
	})
}
