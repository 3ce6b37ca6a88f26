package doctor_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/doctor"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/inspect"
	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/refusal"
)

// The recovery contract: After every plan doctor offers for a
// proven verdict (--forward after the failed statement is fixed, --back,
// --mark), Recover succeeds, golang-migrate's Up completes, and the schema
// equals a clean replay of all (fixed) files by golang-migrate.

type rec struct {
	dialect string
	opts    []string // golang-migrate URL options
	before  []string // run on the database (and the clean one) first
	files   map[string]string
	fixed   map[string]string // files replaced after the failure
	steps   int               // clean steps before the failing run
	// plainSteps runs those steps without opts (a file golang-migrate's
	// x-multi-statement would split inside a function body).
	plainSteps bool
	// dirty replaces the failing Up; it returns golang-migrate's error.
	dirty     func(t *testing.T, dir, url string, db *testdb.DB) string
	truth     expected
	converted bool // ferry convert ran before the failure
	// exclude are bookkeeping tables to leave out of the comparison.
	exclude []string
	// skip names plans that cannot keep the contract here: doctor must not
	// offer them (it did before; reported, not fixed here).
	skip map[doctor.PlanKind]string
}

// recBuild makes the dirty database of r; it returns the folder, the
// database, its URL and golang-migrate's error.
func recBuild(t *testing.T, r rec) (string, *testdb.DB, string, *compat.DatabaseURL, string) {
	t.Helper()
	db := testdb.New(t, r.dialect)
	db.Exec(t, r.before...)
	dir := testdb.WriteDir(t, r.files)
	url := db.URLWith(r.opts...)
	u, err := compat.ParseDatabaseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	if r.steps > 0 {
		stepsURL := url
		if r.plainSteps {
			stepsURL = db.URL
		}
		testdb.Steps(t, dir, stepsURL, r.steps)
	}
	if r.converted {
		testdb.Hash(t, dir)
		testdb.Convert(t, db.SQL, u, dir, "ferry test", 5*time.Second)
	}
	var errText string
	if r.dirty != nil {
		errText = r.dirty(t, dir, url, db)
	} else {
		errText = testdb.UpExpectError(t, dir, url).Error()
	}
	return dir, db, url, u, errText
}

func recFix(t *testing.T, r rec, dir string) {
	t.Helper()
	for name, body := range r.fixed {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if r.converted {
		testdb.Hash(t, dir)
	}
}

func recDescribe(t *testing.T, db *testdb.DB, exclude []string) *inspect.Schema {
	t.Helper()
	s, err := inspect.Inspect(t.Context(), db.SQL, engine.Dialect(db.Dialect), inspect.Options{Exclude: exclude})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// recDiagnose diagnoses r with a dev database and golang-migrate's error,
// checks the verdict against the truth and returns it.
func recDiagnose(t *testing.T, r rec, dir string, db *testdb.DB, u *compat.DatabaseURL, errText string) *doctor.Diagnosis {
	t.Helper()
	dg, err := diagnoseDB(t, dir, db, u, doctor.Options{Path: dir, DevURL: devURL(t, r.dialect), Error: errText})
	if err != nil {
		t.Fatalf("Diagnose: %v", err)
	}
	v := dg.Verdict
	if v.Certainty != doctor.Proven || v.Case != r.truth.c || v.Applied != r.truth.k {
		t.Fatalf("verdict %s %s k=%d, want proven %s k=%d (golang-migrate: %s)\n%s", v.Certainty, v.Case, v.Applied, r.truth.c, r.truth.k, errText, dump(dg))
	}
	return dg
}

// recPlans returns the plans available for r after the fix.
func recPlans(t *testing.T, r rec) []doctor.PlanKind {
	t.Helper()
	dir, db, _, u, errText := recBuild(t, r)
	dg := recDiagnose(t, r, dir, db, u, errText)
	recFix(t, r, dir)
	res, err := recoverDB(t, dir, db, u, doctor.RecoverOptions{Plan: doctor.Mark, Expect: dg.Fingerprint, DryRun: true, Diagnose: doctor.Options{Path: dir}})
	var out []doctor.PlanKind
	if res != nil {
		for _, p := range res.Diagnosis.Plans {
			if p.Available {
				out = append(out, p.Kind)
			} else {
				t.Logf("--%s not available: %s", p.Kind, p.Why)
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no plan available after the fix (%v)", err)
	}
	return out
}

// recRun builds r afresh, recovers with plan kind, runs golang-migrate's
// Up and compares the schema with a clean replay of all files.
func recRun(t *testing.T, r rec, kind doctor.PlanKind) *doctor.Result {
	t.Helper()
	dir, db, url, u, errText := recBuild(t, r)
	dg := recDiagnose(t, r, dir, db, u, errText)
	recFix(t, r, dir)
	res, err := recoverDB(t, dir, db, u, doctor.RecoverOptions{
		Plan: kind, Expect: dg.Fingerprint, Confirm: yes, Operator: "test", OperatorVersion: "ferry test",
		Diagnose: doctor.Options{Path: dir, DevURL: devURL(t, r.dialect)},
	})
	if err != nil {
		t.Fatalf("recover --%s: %v", kind, err)
	}
	var steps []string
	if res.Plan != nil {
		for _, s := range res.Plan.Steps {
			steps = append(steps, s.SQL)
		}
	}
	t.Logf("recover --%s ran %q; %s; verified %v; revision %q", kind, steps, res.LegacyAfter, res.Verified, res.Revision)
	testdb.Up(t, dir, url)
	clean := testdb.New(t, r.dialect)
	clean.Exec(t, r.before...)
	cleanURL := clean.URLWith(r.opts...)
	if r.plainSteps {
		testdb.Steps(t, dir, clean.URL, r.steps)
	}
	testdb.Up(t, dir, cleanURL)
	wv, wd, _ := testdb.Version(t, dir, cleanURL)
	if v, dirty, _ := testdb.Version(t, dir, url); v != wv || dirty != wd {
		t.Fatalf("golang-migrate after recover and Up: version %d dirty %v, want %d %v", v, dirty, wv, wd)
	}
	if got, want := recDescribe(t, db, r.exclude), recDescribe(t, clean, r.exclude); got.String() != want.String() {
		t.Fatalf("after --%s and Up the schema differs from a clean replay:\n%s", kind, inspect.Diff(want, got, "clean", "recovered"))
	}
	return res
}

// recAll runs every plan offered for r.
func recAll(t *testing.T, r rec) {
	t.Helper()
	for _, kind := range recPlans(t, r) {
		t.Run(string(kind), func(t *testing.T) {
			if why, ok := r.skip[kind]; ok {
				t.Fatalf("--%s is offered, but it cannot keep the contract here, so doctor must not offer it: %s", kind, why)
			}
			t.Parallel()
			recRun(t, r, kind)
		})
	}
}

func perStatement(d string) []string {
	switch d {
	case testdb.Postgres:
		return pgMulti
	case testdb.SQLite:
		return liteNoTx
	}
	return nil
}

// item is a group of statements in the applied prefix of a failed up.
type item struct {
	name  string
	stmts []string
}

// recItems builds, per item, a second file whose statements are the item's
// and then a failing INSERT (fixed: a new table), on an engine that keeps
// the statements before a failure, and runs every plan.
// backSkips names the items whose --back cannot keep the contract, and
// why: doctor must not offer it for them.
func recItems(t *testing.T, d string, first string, plain bool, items []item, backSkips map[string]string) {
	for _, it := range items {
		t.Run(it.name, func(t *testing.T) {
			t.Parallel()
			body := strings.Join(it.stmts, ";\n") + ";\n"
			r := rec{dialect: d, opts: perStatement(d), steps: 1, plainSteps: plain,
				files: map[string]string{
					"1_a.up.sql": first,
					"2_b.up.sql": body + fail,
					"3_c.up.sql": "CREATE TABLE w (id integer PRIMARY KEY);\n",
				},
				fixed: map[string]string{"2_b.up.sql": body + "CREATE TABLE z (id integer);\n"},
				truth: expected{doctor.Up, len(it.stmts), false}, skip: map[doctor.PlanKind]string{}}
			if why, ok := backSkips[it.name]; ok {
				r.skip[doctor.Back] = why
			}
			recAll(t, r)
		})
	}
}

const myFirst = "CREATE TABLE users (id integer PRIMARY KEY, email varchar(100));\n" +
	"CREATE TABLE orders (id integer PRIMARY KEY, user_id integer, note varchar(50));\n" +
	"CREATE TABLE a1 (id integer);\nCREATE TABLE c1 (id integer);\n" +
	"CREATE INDEX orders_note ON orders (note);\n"

func TestRecoveryContractMySQLBack(t *testing.T) {
	recItems(t, testdb.MySQL, myFirst, false, []item{
		{"create table", []string{"CREATE TABLE items (id integer PRIMARY KEY, sku varchar(20))"}},
		{"create index", []string{"CREATE INDEX users_email ON users (email)"}},
		{"create unique index", []string{"CREATE UNIQUE INDEX users_email ON users (email)"}},
		{"create view", []string{"CREATE VIEW v_users AS SELECT id FROM users"}},
		{"create trigger", []string{"CREATE TRIGGER users_bi BEFORE INSERT ON users FOR EACH ROW SET NEW.email = 'x'"}},
		{"create function", []string{"CREATE FUNCTION f_one() RETURNS integer DETERMINISTIC RETURN 1"}},
		{"add column", []string{"ALTER TABLE users ADD COLUMN name varchar(50)"}},
		{"add two columns", []string{"ALTER TABLE users ADD COLUMN name varchar(50), ADD COLUMN nick varchar(50)"}},
		{"add check", []string{"ALTER TABLE users ADD CONSTRAINT users_id_pos CHECK (id > 0)"}},
		{"add unique constraint", []string{"ALTER TABLE users ADD CONSTRAINT users_email_uq UNIQUE (email)"}},
		{"add foreign key", []string{"ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)"}},
		{"add foreign key with index", []string{"CREATE INDEX orders_user ON orders (user_id)", "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)"}},
		{"add primary key", []string{"ALTER TABLE a1 ADD PRIMARY KEY (id)"}},
		{"add unique key", []string{"ALTER TABLE orders ADD UNIQUE KEY orders_note_uq (note)"}},
		{"add index", []string{"ALTER TABLE orders ADD INDEX orders_note_ix (note, id)"}},
		{"rename tables", []string{"RENAME TABLE a1 TO a2, c1 TO c2"}},
		{"rename table chain", []string{"RENAME TABLE a1 TO a2, a2 TO a3"}},
		{"rename table swap", []string{"RENAME TABLE a1 TO tmp, c1 TO a1, tmp TO c1"}},
		{"alter rename table", []string{"ALTER TABLE a1 RENAME TO a2"}},
		{"rename column", []string{"ALTER TABLE orders RENAME COLUMN note TO memo"}},
		{"rename index", []string{"ALTER TABLE orders RENAME INDEX orders_note TO orders_memo"}},
		{"mixed case", []string{"CREATE TABLE `Items` (`Id` integer, `Sku` varchar(20))", "ALTER TABLE `Items` ADD COLUMN `Qty` integer",
			"ALTER TABLE `Items` RENAME COLUMN `Sku` TO `SKU`", "CREATE INDEX `Items_Sku` ON `Items` (`SKU`)", "RENAME TABLE `Items` TO `Items2`"}},
		{"index takes over the foreign key's", []string{"ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)", "CREATE INDEX orders_user ON orders (user_id, id)"}},
	}, map[string]string{"add foreign key": skipFK, "index takes over the foreign key's": skipTakeover})
}

// An index that takes over the one MySQL made for an earlier file's
// foreign key: MySQL drops its own index, and the inverse (DROP INDEX)
// then fails: the foreign key needs it.
func TestRecoveryContractMySQLIndexReplacesFKIndex(t *testing.T) {
	recItems(t, testdb.MySQL, myFirst+"ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\n", false, []item{
		{"create index", []string{"CREATE INDEX orders_user ON orders (user_id)"}},
	}, map[string]string{"create index": skipTakeover})
}

const pgFirst = "CREATE TABLE users (id integer PRIMARY KEY, email text, CONSTRAINT users_email_ck CHECK (email <> ''));\n" +
	"CREATE TABLE orders (id integer, user_id integer, note text);\n" +
	"CREATE TABLE a1 (id integer);\nCREATE INDEX users_email_ix ON users (email);\n" +
	"CREATE SEQUENCE s1;\nCREATE VIEW v1 AS SELECT id FROM users;\n" +
	// The body has semicolons, which x-multi-statement would split: the
	// first file runs without it.
	"CREATE FUNCTION trg_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"

var pgItems = []item{
	{"create table", []string{"CREATE TABLE items (id integer PRIMARY KEY, sku text)"}},
	{"create table in schema", []string{"CREATE SCHEMA app2", "CREATE TABLE app2.items (id integer PRIMARY KEY)"}},
	{"create index", []string{"CREATE INDEX orders_user ON orders (user_id)"}},
	{"create view", []string{"CREATE VIEW v_users AS SELECT id FROM users"}},
	{"create materialized view", []string{"CREATE MATERIALIZED VIEW mv_users AS SELECT id FROM users"}},
	{"create sequence", []string{"CREATE SEQUENCE seq2"}},
	{"create type", []string{"CREATE TYPE mood AS ENUM ('a', 'b')"}},
	{"create domain", []string{"CREATE DOMAIN posint AS integer CHECK (VALUE > 0)"}},
	{"create function", []string{"CREATE FUNCTION f_one() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$"}},
	{"create overloaded function", []string{"CREATE FUNCTION f_two(a integer) RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$", "CREATE FUNCTION f_two(a text) RETURNS integer LANGUAGE sql AS $$ SELECT 2 $$"}},
	{"create trigger", []string{"CREATE TRIGGER users_bi BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION trg_fn()"}},
	{"create schema", []string{"CREATE SCHEMA app2"}},
	{"create extension", []string{"CREATE EXTENSION citext"}},
	{"add column", []string{"ALTER TABLE users ADD COLUMN name text"}},
	{"add two columns", []string{"ALTER TABLE users ADD COLUMN name text, ADD COLUMN nick text"}},
	{"add column with type", []string{"CREATE TYPE mood AS ENUM ('a', 'b')", "ALTER TABLE users ADD COLUMN m mood"}},
	{"add check", []string{"ALTER TABLE orders ADD CONSTRAINT orders_id_pos CHECK (id > 0)"}},
	{"add unique", []string{"ALTER TABLE orders ADD CONSTRAINT orders_note_uq UNIQUE (note)"}},
	{"add foreign key", []string{"ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)"}},
	{"add primary key", []string{"ALTER TABLE orders ADD CONSTRAINT orders_pk PRIMARY KEY (id)"}},
	{"add primary key then foreign key to it", []string{"ALTER TABLE orders ADD CONSTRAINT orders_pk PRIMARY KEY (id)", "ALTER TABLE a1 ADD CONSTRAINT a1_fk FOREIGN KEY (id) REFERENCES orders (id)"}},
	{"rename table", []string{"ALTER TABLE a1 RENAME TO a2"}},
	{"rename column", []string{"ALTER TABLE orders RENAME COLUMN note TO memo"}},
	{"rename column without COLUMN", []string{"ALTER TABLE orders RENAME note TO memo"}},
	{"rename constraint", []string{"ALTER TABLE users RENAME CONSTRAINT users_email_ck TO users_email_chk"}},
	{"rename index", []string{"ALTER INDEX users_email_ix RENAME TO users_email_idx"}},
	{"rename sequence", []string{"ALTER SEQUENCE s1 RENAME TO s2"}},
	{"rename view", []string{"ALTER VIEW v1 RENAME TO v2"}},
	{"quoted mixed case", []string{`CREATE TABLE "Items" ("Id" integer, "Sku" text)`, `ALTER TABLE "Items" ADD COLUMN "Qty" integer`,
		`ALTER TABLE "Items" RENAME COLUMN "Sku" TO "SKU"`, `ALTER TABLE "Items" ADD CONSTRAINT "Items_Pk" PRIMARY KEY ("Id")`,
		`CREATE INDEX "Items_Sku_Ix" ON "Items" ("SKU")`, `ALTER INDEX "Items_Sku_Ix" RENAME TO "Items_SKU_Idx"`, `ALTER TABLE "Items" RENAME TO "Items2"`}},
	{"quoted table, unquoted rename", []string{`CREATE TABLE "Items" (id integer)`, `ALTER TABLE "Items" RENAME TO items`}},
}

func TestRecoveryContractPostgresBack(t *testing.T) {
	recItems(t, testdb.Postgres, pgFirst, true, pgItems, nil)
}

const liteFirst = "CREATE TABLE users (id integer PRIMARY KEY, email text);\n" +
	"CREATE TABLE orders (id integer PRIMARY KEY, user_id integer, note text);\n" +
	"CREATE TABLE a1 (id integer);\nCREATE INDEX users_email_ix ON users (email);\n"

func TestRecoveryContractSQLiteBack(t *testing.T) {
	recItems(t, testdb.SQLite, liteFirst, false, []item{
		{"create table", []string{"CREATE TABLE items (id integer PRIMARY KEY, sku text)"}},
		{"create index", []string{"CREATE INDEX orders_user ON orders (user_id)"}},
		{"create view", []string{"CREATE VIEW v_users AS SELECT id FROM users"}},
		{"create trigger", []string{"CREATE TRIGGER users_ai AFTER INSERT ON users BEGIN UPDATE users SET email = 'x' WHERE id = NEW.id; END"}},
		{"add column", []string{"ALTER TABLE users ADD COLUMN name text"}},
		{"add column with foreign key", []string{"ALTER TABLE orders ADD COLUMN user_ref integer REFERENCES users (id)"}},
		{"add column then index", []string{"ALTER TABLE users ADD COLUMN name text", "CREATE INDEX users_name ON users (name)"}},
		{"rename table", []string{"ALTER TABLE a1 RENAME TO a2"}},
		{"rename column", []string{"ALTER TABLE orders RENAME COLUMN note TO memo"}},
		{"quoted mixed case", []string{`CREATE TABLE "Items" ("Id" integer, "Sku" text)`, `ALTER TABLE "Items" ADD COLUMN "Qty" integer`,
			`ALTER TABLE "Items" RENAME COLUMN "Sku" TO "SKU"`, `CREATE INDEX "Items_Sku_Ix" ON "Items" ("SKU")`, `ALTER TABLE "Items" RENAME TO "Items2"`}},
	}, map[string]string{"rename table": skipSQLiteRename})
}

// PostgreSQL without x-multi-statement, the file's own BEGIN/COMMIT: the
// first block is committed, the second rolled back.
func TestRecoveryContractPostgresBlocks(t *testing.T) {
	t.Parallel()
	block1 := "BEGIN;\nCREATE TABLE items (id integer PRIMARY KEY, sku text);\nCREATE INDEX items_sku ON items (sku);\n" +
		"ALTER TABLE users ADD COLUMN name text;\nCREATE VIEW v_items AS SELECT id FROM items;\nALTER TABLE a1 RENAME TO a2;\nCOMMIT;\n"
	recAll(t, rec{dialect: testdb.Postgres, steps: 1,
		files: map[string]string{
			"1_a.up.sql": pgFirst,
			"2_b.up.sql": block1 + "BEGIN;\nCREATE TABLE z (id integer);\n" + fail + "COMMIT;\n",
			"3_c.up.sql": "CREATE TABLE w (id integer PRIMARY KEY);\n",
		},
		fixed: map[string]string{"2_b.up.sql": block1 + "BEGIN;\nCREATE TABLE z (id integer);\nCREATE TABLE z2 (id integer);\nCOMMIT;\n"},
		truth: expected{doctor.Up, 7, false}})
}

// downFails leaves the down of the last version failed.
func downFails(t *testing.T, dir, url string, db *testdb.DB) string {
	testdb.Up(t, dir, url)
	err := testdb.Migrator(t, dir, url).Steps(-1)
	if err == nil {
		t.Fatal("the down should fail")
	}
	return err.Error()
}

// A failed down with statements applied (k > 0), on every engine that
// keeps them: --forward after the fix and --back by inverses.
func TestRecoveryContractDownPartial(t *testing.T) {
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, d string) {
		drop := "DROP INDEX audit_note"
		if d == testdb.MySQL {
			drop = "DROP INDEX audit_note ON audit2"
		}
		var skip map[doctor.PlanKind]string
		if d == testdb.SQLite {
			skip = map[doctor.PlanKind]string{doctor.Back: skipSQLiteRename}
		}
		recAll(t, rec{skip: skip, dialect: d, opts: perStatement(d),
			files: map[string]string{
				"1_a.up.sql":   "CREATE TABLE users (id integer PRIMARY KEY);\n",
				"2_b.up.sql":   "CREATE TABLE audit (id integer PRIMARY KEY, note varchar(20));\nCREATE INDEX audit_note ON audit (note);\nCREATE TABLE audit_b (id integer);\n",
				"2_b.down.sql": "ALTER TABLE audit RENAME TO audit2;\nALTER TABLE users ADD COLUMN gone integer;\nDROP TABLE nosuch;\n" + drop + ";\nDROP TABLE audit2;\nDROP TABLE audit_b;\nALTER TABLE users DROP COLUMN gone;\n",
			},
			fixed: map[string]string{"2_b.down.sql": "ALTER TABLE audit RENAME TO audit2;\nALTER TABLE users ADD COLUMN gone integer;\nDROP TABLE audit_b;\n" + drop + ";\nDROP TABLE audit2;\nALTER TABLE users DROP COLUMN gone;\n"},
			dirty: downFails,
			truth: expected{doctor.Down, 2, false}})
	})
}

// Killed after the whole up ran, before golang-migrate cleaned the row:
// --mark, and --back by the down file.
func TestRecoveryContractCrashAfterUp(t *testing.T) {
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, d string) {
		up := []string{"CREATE TABLE items (id integer PRIMARY KEY, sku varchar(20))", "CREATE INDEX items_sku ON items (sku)", "ALTER TABLE users ADD COLUMN name varchar(20)"}
		drop := "DROP INDEX items_sku"
		if d == testdb.MySQL {
			drop = "DROP INDEX items_sku ON items"
		}
		recAll(t, rec{dialect: d,
			files: map[string]string{
				"1_a.up.sql":   "CREATE TABLE users (id integer PRIMARY KEY);\n",
				"2_b.up.sql":   strings.Join(up, ";\n") + ";\n",
				"2_b.down.sql": "ALTER TABLE users DROP COLUMN name;\n" + drop + ";\nDROP TABLE items;\n",
			},
			dirty: func(t *testing.T, dir, url string, db *testdb.DB) string {
				testdb.Steps(t, dir, url, 1)
				db.Exec(t, up...)
				db.SetLegacyRow(t, 2, true)
				return ""
			},
			truth: expected{doctor.Up, 3, false}})
	})
}

// A converted database: recover keeps the revision row in step.
func TestRecoveryContractConverted(t *testing.T) {
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, d string) {
		body := "CREATE TABLE items (id integer PRIMARY KEY);\nALTER TABLE users ADD COLUMN name varchar(20);\n"
		r := rec{dialect: d, opts: perStatement(d), steps: 1, converted: true,
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE users (id integer PRIMARY KEY);\n",
				"2_b.up.sql": body + fail,
				"3_c.up.sql": "CREATE TABLE w (id integer PRIMARY KEY);\n",
			},
			fixed: map[string]string{"2_b.up.sql": body + "CREATE TABLE z (id integer);\n"},
			truth: expected{doctor.Up, 2, false}}
		for _, kind := range recPlans(t, r) {
			t.Run(string(kind), func(t *testing.T) {
				t.Parallel()
				res := recRun(t, r, kind)
				if res.Revision == "" {
					t.Fatalf("--%s on a converted database wrote no revision", kind)
				}
			})
		}
	})
}

// golang-migrate's x-migrations-table.
func TestRecoveryContractMigrationsTable(t *testing.T) {
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, d string) {
		opts := append([]string{"x-migrations-table", "legacy_versions"}, perStatement(d)...)
		exclude := []string{"legacy_versions"}
		var before []string
		if d == testdb.Postgres {
			opts = append([]string{"x-migrations-table", `"app"."Legacy Versions"`, "x-migrations-table-quoted", "1"}, pgMulti...)
			before = []string{"CREATE SCHEMA app"}
			exclude = nil
		}
		body := "CREATE TABLE items (id integer PRIMARY KEY);\nALTER TABLE users ADD COLUMN name varchar(20);\n"
		recAll(t, rec{dialect: d, opts: opts, before: before, steps: 1, exclude: exclude,
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE users (id integer PRIMARY KEY);\n",
				"2_b.up.sql": body + fail,
				"3_c.up.sql": "CREATE TABLE w (id integer PRIMARY KEY);\n",
			},
			fixed: map[string]string{"2_b.up.sql": body + "CREATE TABLE z (id integer);\n"},
			truth: expected{doctor.Up, 2, false}})
	})
}

// A plan whose step fails: the "fixed" statement still fails after a
// step that succeeds. PostgreSQL and SQLite keep nothing and leave the
// row dirty; MySQL says what stayed.
func TestRecoveryContractStepFails(t *testing.T) {
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, d string) {
		body := "CREATE TABLE items (id integer PRIMARY KEY);\nALTER TABLE users ADD COLUMN name varchar(20);\n"
		r := rec{dialect: d, opts: perStatement(d), steps: 1,
			files: map[string]string{
				"1_a.up.sql": "CREATE TABLE users (id integer PRIMARY KEY);\n",
				"2_b.up.sql": body + fail + "CREATE TABLE z (id integer);\n",
			},
			fixed: map[string]string{"2_b.up.sql": body + "CREATE TABLE y (id integer);\n" + fail + "CREATE TABLE z (id integer);\n"},
			truth: expected{doctor.Up, 2, false}}
		dir, db, url, u, errText := recBuild(t, r)
		dg := recDiagnose(t, r, dir, db, u, errText)
		before := recDescribe(t, db, nil).String()
		recFix(t, r, dir)
		_, err := recoverDB(t, dir, db, u, doctor.RecoverOptions{Plan: doctor.Forward, Expect: dg.Fingerprint, Confirm: yes, Diagnose: doctor.Options{Path: dir, DevURL: devURL(t, d)}})
		if err == nil {
			t.Fatal("recover --forward with a statement that still fails succeeded")
		}
		t.Logf("recover --forward: %v", err)
		if v, dirty := legacyRow(t, db, url); v != 2 || !dirty {
			t.Fatalf("row after a failed step: %d dirty %v", v, dirty)
		}
		after := recDescribe(t, db, nil).String()
		if d == testdb.MySQL {
			if !strings.Contains(err.Error(), "the 1 statement(s) before it stayed applied") {
				t.Errorf("MySQL: the error does not say what stayed: %v", err)
			}
			if !strings.Contains(after, "table y") {
				t.Errorf("MySQL: table y should have stayed:\n%s", after)
			}
			return
		}
		if !strings.Contains(err.Error(), "nothing was kept") {
			t.Errorf("the error does not say nothing was kept: %v", err)
		}
		if after != before {
			t.Fatalf("a failed recover changed the schema:\n%s", inspectDiff(before, after))
		}
		var n int
		q := "SELECT count(*) FROM information_schema.tables WHERE table_name = 'ferry_recoveries'"
		if d == testdb.SQLite {
			q = "SELECT count(*) FROM sqlite_master WHERE name = 'ferry_recoveries'"
		}
		if err := db.SQL.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("a failed recover left the audit table behind")
		}
	})
}

// Why plans are skipped: each breaks the contract (reported; the fix is
// in doctor, not in the inverses).
const (
	skipFK           = "MySQL made an index for the foreign key; the inverse DROP FOREIGN KEY leaves it, so verification fails after the inverse was kept"
	skipTakeover     = "MySQL dropped its own foreign-key index for the new one; the inverse DROP INDEX fails: needed in a foreign key constraint"
	skipSQLiteRename = "SQLite writes a renamed-back table quoted (CREATE TABLE \"a1\"), so the schema never equals the replay and verification fails"
)

// A --back that would drop an index MySQL may need for a foreign key (its
// inverse failed here before): doctor does not offer it, and recover
// refuses, writing nothing.
func TestRecoveryContractMySQLBackStepFails(t *testing.T) {
	t.Parallel()
	body := "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\n" +
		"CREATE INDEX orders_user ON orders (user_id, id);\nALTER TABLE orders ADD COLUMN x integer;\n"
	r := rec{dialect: testdb.MySQL, steps: 1,
		files: map[string]string{"1_a.up.sql": myFirst, "2_b.up.sql": body + fail},
		truth: expected{doctor.Up, 3, false}}
	dir, db, url, u, errText := recBuild(t, r)
	dg := recDiagnose(t, r, dir, db, u, errText)
	before := describe(t, db)
	_, err := recoverDB(t, dir, db, u, doctor.RecoverOptions{Plan: doctor.Back, Expect: dg.Fingerprint, Confirm: yes, Diagnose: doctor.Options{Path: dir}})
	// --back would drop an index MySQL may use for the foreign key (and
	// leave the key's own index): doctor does not offer it, and recover
	// refuses before writing anything.
	var ref *refusal.Refusal
	if !errors.As(err, &ref) {
		t.Fatalf("recover --back: %v, want a refusal", err)
	}
	t.Logf("recover --back: %v", err)
	if describe(t, db) != before {
		t.Fatal("a refused --back changed the schema")
	}
	if v, dirty := legacyRow(t, db, url); v != 2 || !dirty {
		t.Fatalf("row after a refused --back: %d dirty %v", v, dirty)
	}
}
