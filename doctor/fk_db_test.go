package doctor_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/doctor"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

// A foreign key to a column without a key the engine accepts cannot have
// been declared: the statement that declares it is pinned as the one that
// failed, even though an unnamed foreign key leaves nothing a probe can
// name.
func TestForeignKeyWithoutKeyIsImpossible(t *testing.T) {
	for _, dialect := range []string{testdb.Postgres, testdb.MySQL} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, dialect)
			dir := testdb.WriteDir(t, map[string]string{
				"1_a.up.sql": "CREATE TABLE users (id integer PRIMARY KEY, email varchar(100));\nCREATE TABLE orders (id integer PRIMARY KEY, email varchar(100));\n",
				"2_b.up.sql": "ALTER TABLE orders ADD COLUMN note varchar(10);\n" +
					"ALTER TABLE orders ADD FOREIGN KEY (email) REFERENCES users (email);\n" +
					"CREATE TABLE z (id integer);\n",
			})
			testdb.Steps(t, dir, db.URL, 1)
			url := db.URL
			if dialect == testdb.Postgres {
				url = db.URLWith("x-multi-statement", "true")
			}
			testdb.UpExpectError(t, dir, url)
			u, err := compat.ParseDatabaseURL(url)
			if err != nil {
				t.Fatal(err)
			}
			dg, err := doctor.Diagnose(context.Background(), database.Wrap(db.SQL, u), os.DirFS(dir), doctor.Options{Path: dir})
			if err != nil {
				t.Fatal(err)
			}
			v := dg.Verdict
			if v.Certainty != doctor.Proven || v.Case != doctor.Up || v.Applied != 1 {
				t.Fatalf("%s %s k=%d, want proven up k=1\n%s", v.Certainty, v.Case, v.Applied, dump(dg))
			}
			ev := strings.Join(dg.Candidates[0].Statements[1].Evidence, "; ")
			if !strings.Contains(ev, "foreign key references table users (email)") {
				t.Fatalf("statement 2 evidence %q", ev)
			}
			// With a key on users.email the same statement is possible:
			// what rules k=2 out now is only that the key the server would
			// have named (orders_email_fkey, orders_ibfk_1) is not there.
			db.Exec(t, "CREATE UNIQUE INDEX users_email ON users (email)")
			dg, err = doctor.Diagnose(context.Background(), database.Wrap(db.SQL, u), os.DirFS(dir), doctor.Options{Path: dir})
			if err != nil {
				t.Fatal(err)
			}
			named := map[string]string{testdb.Postgres: "constraint orders_email_fkey on orders", testdb.MySQL: "constraint orders_ibfk_1 on orders"}[dialect]
			c := dg.Candidates[0]
			why := strings.Join(c.RuledOut[2], "; ")
			if len(c.Consistent) != 1 || c.Consistent[0] != 1 || strings.Contains(why, "foreign key references") || !strings.Contains(why, named+" would exist, but the database has none") {
				t.Fatalf("with a unique index: consistent %v, want [1]; k=2 ruled out by %q, want only by the missing %s", c.Consistent, why, named)
			}
		})
	}
}

// CREATE TABLE IF NOT EXISTS of a table that did not exist makes it with
// its columns: a later statement on one of them is possible.
func TestCreateIfNotExistsOfANewTable(t *testing.T) {
	db := testdb.New(t, testdb.SQLite)
	dir := testdb.WriteDir(t, map[string]string{
		"1_a.up.sql": "CREATE TABLE users (id integer PRIMARY KEY);\n",
		"2_b.up.sql": "CREATE TABLE IF NOT EXISTS t (a integer);\nALTER TABLE t RENAME COLUMN a TO b;\nINSERT INTO nosuch (id) VALUES (1);\n",
	})
	testdb.Steps(t, dir, db.URL, 1)
	url := db.URLWith("x-no-tx-wrap", "true")
	errText := testdb.UpExpectError(t, dir, url).Error()
	u, err := compat.ParseDatabaseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []string{"", errText} {
		dg, err := doctor.Diagnose(context.Background(), database.Wrap(db.SQL, u), os.DirFS(dir), doctor.Options{Path: dir, Error: e})
		if err != nil {
			t.Fatal(err)
		}
		if v := dg.Verdict; v.Certainty == doctor.Unknown || v.Applied != 2 {
			t.Fatalf("error %q: %s k=%d, want k=2\n%s", e, v.Certainty, v.Applied, dump(dg))
		}
	}
}
