package ddl

import (
	"slices"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/engine"
)

func facts(fs []Fact) string {
	var out []string
	for _, f := range fs {
		sign := "+"
		if !f.Exists {
			sign = "-"
		}
		if f.Maybe {
			sign = "?"
		}
		out = append(out, sign+f.Ref.String())
	}
	return strings.Join(out, "; ")
}

func TestAnalyse(t *testing.T) {
	pg, my, lite := engine.Postgres, engine.MySQL, engine.SQLite
	cases := []struct {
		d                       engine.Dialect
		sql                     string
		effects, requires       string
		inverse                 []string
		understood, destroysInv bool
	}{
		{pg, `CREATE TABLE Users (id bigint PRIMARY KEY, "Email" text, CONSTRAINT users_email UNIQUE ("Email"), org_id int REFERENCES orgs(id));`,
			"+table users; +column users.id; +column users.Email; +constraint users_email on users; +column users.org_id", "-table users; +table orgs",
			[]string{`DROP TABLE "users"`}, true, true},
		{pg, `CREATE TABLE IF NOT EXISTS app.t (a int)`, "+table app.t; +column t.a", "", nil, true, false},
		{my, "CREATE TABLE `T` (`a` int, KEY ix (a), FOREIGN KEY (a) REFERENCES `other`(id))", "+table T; +column T.a; ?index a on T", "-table T; +table other", []string{"DROP TABLE `T`"}, true, true},
		{pg, `CREATE UNIQUE INDEX CONCURRENTLY users_email ON users (email)`, "+index users_email on users", "+table users; -index users_email on users", []string{`DROP INDEX "users_email"`}, true, false},
		{my, `CREATE INDEX ix ON t (a)`, "+index ix on t", "+table t; -index ix on t", []string{"DROP INDEX `ix` ON `t`"}, true, false},
		{pg, `CREATE INDEX ON t (a)`, "", "", nil, false, false},
		{pg, `ALTER TABLE users ADD COLUMN age int NOT NULL DEFAULT 0, ADD CONSTRAINT age_pos CHECK (age > 0)`,
			"+column users.age; +constraint age_pos on users", "+table users; -column users.age; -constraint age_pos on users",
			[]string{`ALTER TABLE "users" DROP CONSTRAINT "age_pos"`, `ALTER TABLE "users" DROP COLUMN "age"`}, true, true},
		{pg, `ALTER TABLE users DROP COLUMN age`, "-column users.age", "+table users; +column users.age", nil, true, false},
		{pg, `ALTER TABLE users RENAME COLUMN a TO b`, "-column users.a; +column users.b", "+table users; +column users.a; -column users.b", []string{`ALTER TABLE "users" RENAME COLUMN "b" TO "a"`}, true, false},
		{pg, `ALTER TABLE users RENAME TO people`, "-table users; +table people", "+table users; -table people", []string{`ALTER TABLE "people" RENAME TO "users"`}, true, false},
		{my, `ALTER TABLE users RENAME people`, "-table users; +table people", "+table users; -table people", []string{"RENAME TABLE `people` TO `users`"}, true, false},
		{my, `RENAME TABLE a TO b, c TO d`, "-table a; +table b; -table c; +table d", "+table a; -table b; +table c; -table d", []string{"RENAME TABLE `d` TO `c`, `b` TO `a`"}, true, false},
		{pg, `ALTER TABLE users ALTER COLUMN age TYPE bigint`, "", "+table users; +column users.age", nil, true, false},
		{my, `ALTER TABLE t ADD UNIQUE KEY uq (a), ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES p(id)`, "+index uq on t; ?index fk on t; +constraint fk on t", "+table t; -index uq on t; +table p; -constraint fk on t",
			nil, true, false}, // MySQL may have made an index for fk: no inverse
		{pg, `DROP TABLE IF EXISTS a, b CASCADE`, "-table a; -table b", "", nil, true, false},
		{pg, `DROP TRIGGER tr ON t`, "-trigger tr on t", "+trigger tr on t", nil, true, false},
		{pg, `INSERT INTO t (a, "B") VALUES (1, 2)`, "", "+table t; +column t.a; +column t.B", nil, true, false},
		{pg, `UPDATE t SET a = 1`, "", "+table t", nil, true, false},
		{pg, `CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql`, "+function f", "", nil, true, false},
		{pg, `CREATE TYPE mood AS ENUM ('a', 'b')`, "+type mood", "-type mood", []string{`DROP TYPE "mood"`}, true, false},
		{pg, `CREATE DOMAIN posint AS int CHECK (VALUE > 0)`, "+type posint", "-type posint", []string{`DROP DOMAIN "posint"`}, true, false},
		{pg, `CREATE EXTENSION IF NOT EXISTS pgcrypto`, "+extension pgcrypto", "", nil, true, false},
		{pg, `CREATE SCHEMA billing`, "+schema billing", "-schema billing", []string{`DROP SCHEMA "billing"`}, true, false},
		{pg, `CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()`, "+trigger tr on t", "+table t; -trigger tr on t", []string{`DROP TRIGGER "tr" ON "t"`}, true, false},
		{lite, `CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = 1; END`, "+trigger tr on t", "+table t; -trigger tr on t", []string{`DROP TRIGGER "tr"`}, true, false},
		{lite, `ALTER TABLE t ADD COLUMN c text`, "+column t.c", "+table t; -column t.c", []string{`ALTER TABLE "t" DROP COLUMN "c"`}, true, true},
		{pg, `CREATE VIEW v AS SELECT 1`, "+view v", "-view v", []string{`DROP VIEW "v"`}, true, false},
		{pg, `COMMENT ON TABLE t IS 'x'`, "", "", nil, false, false},
		{pg, `BEGIN`, "", "", nil, true, false},
	}
	for _, c := range cases {
		ch := Analyse(c.d, c.sql)
		if got := facts(ch.Effects); got != c.effects {
			t.Errorf("%s\neffects  %s\nwant     %s", c.sql, got, c.effects)
		}
		if got := facts(ch.Requires); got != c.requires {
			t.Errorf("%s\nrequires %s\nwant     %s", c.sql, got, c.requires)
		}
		if !slices.Equal(ch.Inverse, c.inverse) || ch.Invertible != (c.inverse != nil || ch.TxControl) {
			t.Errorf("%s\ninverse %q (invertible %v), want %q", c.sql, ch.Inverse, ch.Invertible, c.inverse)
		}
		if ch.Understood != c.understood {
			t.Errorf("%s: understood %v, want %v", c.sql, ch.Understood, c.understood)
		}
		if ch.InverseDestroys != c.destroysInv {
			t.Errorf("%s: inverse destroys %v, want %v", c.sql, ch.InverseDestroys, c.destroysInv)
		}
	}
}

func TestForeignKeys(t *testing.T) {
	cases := []struct {
		d    engine.Dialect
		sql  string
		want string
	}{
		{engine.Postgres, `CREATE TABLE o (id int, email text REFERENCES Users (Email), u int REFERENCES users)`, "users(email) users()"},
		{engine.Postgres, `ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (a, b) REFERENCES app.p ("A", b)`, "p(A,b)"},
		{engine.MySQL, "ALTER TABLE o ADD FOREIGN KEY (a) REFERENCES `P`(`id`) ON DELETE CASCADE", "P(id)"},
		{engine.Postgres, `CREATE TABLE o (id int REFERENCES o (id))`, ""},
	}
	for _, c := range cases {
		var got []string
		for _, fk := range Analyse(c.d, c.sql).ForeignKeys {
			got = append(got, fk.Table.Name+"("+strings.Join(fk.Columns, ",")+")")
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s: %q, want %q", c.sql, got, c.want)
		}
	}
}
