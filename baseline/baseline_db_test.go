package baseline_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferrymigrate/ferry/atlassum"
	"github.com/ferrymigrate/ferry/baseline"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/inspect"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

// baselineVersion is V in the fixtures: versions 1-3 are replaced, 4 and 5
// come after.
const baselineVersion = 3

// fixtures are golang-migrate folders per dialect with what a baseline must
// carry over: types, defaults, foreign keys across files, indexes, views,
// functions or procedures, triggers with BEGIN ... END bodies, comments,
// a table created and dropped again, a last statement without ";", and
// after V a file with unqualified names (a dump must leave the session's
// search_path alone).
var fixtures = map[string]map[string]string{
	testdb.Postgres: {
		"1_init.up.sql": `-- The users table.
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE users (
    id serial PRIMARY KEY,
    email text NOT NULL UNIQUE, -- logins
    mood mood
);
`,
		"1_init.down.sql": "DROP TABLE users;\nDROP TYPE mood;\n",
		"2_orders.up.sql": `CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    user_id int NOT NULL REFERENCES users (id),
    total numeric(10, 2) DEFAULT 0,
    note text DEFAULT E'it''s\n; not the end'
);
CREATE INDEX orders_user ON orders (user_id);
/* a trigger
   with a body */
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  NEW.total := coalesce(NEW.total, 0); -- never null
  RETURN NEW;
END
$body$;
CREATE TRIGGER orders_touch BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TABLE scratch (id int) -- no semicolon, no newline`,
		"2_orders.down.sql": "DROP TABLE IF EXISTS scratch;\nDROP TABLE orders;\nDROP FUNCTION touch();\n",
		"3_views.up.sql": `DROP TABLE scratch;
ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
COMMENT ON TABLE users IS 'people; who order';
CREATE FUNCTION order_count(uid int) RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT count(*) FROM orders WHERE user_id = uid $$;
CREATE SCHEMA billing;
CREATE TABLE billing.invoices (id int PRIMARY KEY, order_id bigint REFERENCES orders (id));
`,
		"3_views.down.sql": "DROP TABLE billing.invoices;\nDROP SCHEMA billing;\nDROP FUNCTION order_count(int);\nDROP VIEW big_orders;\nALTER TABLE users DROP COLUMN created_at;\nCREATE TABLE scratch (id int);\n",
		"4_later.up.sql":   "CREATE TABLE later (id int PRIMARY KEY, user_id int REFERENCES users (id));\nCREATE INDEX later_user ON later (user_id);\n",
		"4_later.down.sql": "DROP TABLE later;\n",
		"5_note.up.sql":    "ALTER TABLE later ADD COLUMN note text;\n",
		"5_note.down.sql":  "ALTER TABLE later DROP COLUMN note;\n",
	},
	testdb.MySQL: {
		"1_init.up.sql": `# The users table.
CREATE TABLE users (
  id int AUTO_INCREMENT PRIMARY KEY,
  email varchar(255) NOT NULL UNIQUE, -- logins
  mood ENUM('happy', 'sad') DEFAULT 'happy'
) ENGINE=InnoDB;
`,
		"1_init.down.sql": "DROP TABLE users;\n",
		"2_orders.up.sql": `CREATE TABLE orders (
  id bigint AUTO_INCREMENT PRIMARY KEY,
  user_id int NOT NULL,
  total decimal(10, 2) DEFAULT 0,
  note varchar(50) DEFAULT 'it\'s; not the end',
  CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB;
CREATE INDEX orders_total ON orders (total);
CREATE TRIGGER orders_touch BEFORE INSERT ON orders FOR EACH ROW
BEGIN
  IF NEW.total IS NULL THEN
    SET NEW.total = 0;
  END IF;
END;
CREATE TABLE scratch (id int) -- no semicolon, no newline`,
		"2_orders.down.sql": "DROP TABLE IF EXISTS scratch;\nDROP TABLE orders;\n",
		"3_views.up.sql": `DROP TABLE scratch;
ALTER TABLE users ADD COLUMN created_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP;
CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
CREATE PROCEDURE order_count(IN uid int)
BEGIN
  SELECT count(*) FROM orders WHERE user_id = uid;
END;
CREATE TABLE invoices (id int PRIMARY KEY, order_id bigint, FOREIGN KEY (order_id) REFERENCES orders (id)) COMMENT 'bills; paid';
`,
		"3_views.down.sql": "DROP TABLE invoices;\nDROP PROCEDURE order_count;\nDROP VIEW big_orders;\nALTER TABLE users DROP COLUMN created_at;\nCREATE TABLE scratch (id int);\n",
		"4_later.up.sql":   "CREATE TABLE later (id int PRIMARY KEY, user_id int, FOREIGN KEY (user_id) REFERENCES users (id));\n",
		"4_later.down.sql": "DROP TABLE later;\n",
		"5_note.up.sql":    "ALTER TABLE later ADD COLUMN note text;\n",
		"5_note.down.sql":  "ALTER TABLE later DROP COLUMN note;\n",
	},
	testdb.SQLite: {
		"1_init.up.sql": `-- The users table.
CREATE TABLE users (
  id integer PRIMARY KEY AUTOINCREMENT,
  email text NOT NULL UNIQUE, -- logins
  mood text CHECK (mood IN ('happy', 'sad'))
);
`,
		"1_init.down.sql": "DROP TABLE users;\n",
		"2_orders.up.sql": `CREATE TABLE orders (
  id integer PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id),
  total real DEFAULT 0,
  note text DEFAULT 'it''s; not the end'
);
CREATE INDEX orders_user ON orders (user_id);
CREATE TRIGGER orders_touch AFTER INSERT ON orders
BEGIN
  UPDATE orders SET total = coalesce(total, 0) WHERE id = NEW.id;
END;
CREATE TABLE scratch (id int) -- no semicolon, no newline`,
		"2_orders.down.sql": "DROP TABLE IF EXISTS scratch;\nDROP TABLE orders;\n",
		"3_views.up.sql": `DROP TABLE scratch;
ALTER TABLE users ADD COLUMN created_at text NOT NULL DEFAULT '';
CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
CREATE VIEW big_users AS SELECT DISTINCT user_id FROM big_orders;
CREATE TABLE invoices (id integer PRIMARY KEY, order_id integer REFERENCES orders (id));
`,
		"3_views.down.sql": "DROP TABLE invoices;\nDROP VIEW big_users;\nDROP VIEW big_orders;\nALTER TABLE users DROP COLUMN created_at;\nCREATE TABLE scratch (id int);\n",
		"4_later.up.sql":   "CREATE TABLE later (id integer PRIMARY KEY, user_id integer REFERENCES users (id));\n",
		"4_later.down.sql": "DROP TABLE later;\n",
		"5_note.up.sql":    "ALTER TABLE later ADD COLUMN note text;\n",
		"5_note.down.sql":  "ALTER TABLE later DROP COLUMN note;\n",
	},
}

// requireTools fails (never skips) when a dump tool the tests need is
// missing: CI must install it.
func requireTools(t *testing.T, dialect string) {
	t.Helper()
	var tools []string
	switch dialect {
	case testdb.Postgres:
		tools = []string{"pg_dump"}
	case testdb.MySQL:
		if _, err := exec.LookPath("mariadb-dump"); err == nil {
			return
		}
		tools = []string{"mysqldump"}
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not on PATH: the --from-dev tests and the schema comparison need it; install it (Debian/Ubuntu: apt-get install -y postgresql-client mariadb-client)", tool)
		}
	}
}

// devURL is the --from-dev URL for a dialect: the test servers, and for
// SQLite a file path that must never be created (the replay is in memory).
// fixtureOptions are the options of a baseline of the fixtures at
// baselineVersion: by concatenation, or with fromDev by dumping a replay on
// the dialect's dev server.
func fixtureOptions(t *testing.T, dialect string, fromDev bool) baseline.Options {
	t.Helper()
	o := baseline.Options{Version: baselineVersion, Dialect: engine.Dialect(dialect)}
	if fromDev {
		o.Dev = devURL(t, dialect)
	}
	return o
}

func devURL(t *testing.T, dialect string) *compat.DatabaseURL {
	t.Helper()
	raw := map[string]string{
		testdb.Postgres: testdb.PostgresServerURL(),
		testdb.MySQL:    testdb.MySQLServerURL(),
		testdb.SQLite:   "sqlite://" + filepath.Join(t.TempDir(), "never-created.db"),
	}[dialect]
	u, err := compat.ParseDatabaseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// schemaOf describes a database's schema deterministically: pg_dump
// --schema-only without comments and session settings on PostgreSQL, SHOW
// CREATE TABLE (and VIEW) for each table plus triggers and routines on
// MariaDB/MySQL, sqlite_master on SQLite.
func schemaOf(t *testing.T, db *testdb.DB) string {
	t.Helper()
	switch db.Dialect {
	case testdb.Postgres:
		u, err := url.Parse(db.URL)
		if err != nil {
			t.Fatal(err)
		}
		env := os.Environ()
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
		cmd := exec.Command("pg_dump", "--schema-only", "--no-owner", "--no-privileges", "--dbname="+u.String())
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("pg_dump %s: %v", db.Name, err)
		}
		var keep []string
		for _, l := range strings.Split(string(out), "\n") {
			switch {
			case l == "", strings.HasPrefix(l, "--"), strings.HasPrefix(l, `\restrict`), strings.HasPrefix(l, `\unrestrict`),
				strings.HasPrefix(l, "SET "), strings.HasPrefix(l, "SELECT pg_catalog.set_config"):
				continue
			}
			keep = append(keep, l)
		}
		return strings.Join(keep, "\n")
	case testdb.MySQL:
		var out []string
		names := db.Strings(t, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name")
		for _, n := range names {
			var name, create string
			rows, err := db.SQL.Query("SHOW CREATE TABLE `" + n + "`")
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				// Views have two more columns (character set, collation).
				dest := make([]any, len(cols))
				dest[0], dest[1] = &name, &create
				for i := 2; i < len(cols); i++ {
					dest[i] = new(any)
				}
				if err := rows.Scan(dest...); err != nil {
					t.Fatal(err)
				}
			}
			rows.Close()
			out = append(out, create)
		}
		out = append(out, db.Strings(t, "SELECT CONCAT_WS(' ', trigger_name, action_timing, event_manipulation, event_object_table, action_statement) FROM information_schema.triggers WHERE trigger_schema = DATABASE() ORDER BY trigger_name")...)
		out = append(out, db.Strings(t, "SELECT CONCAT_WS(' ', routine_type, routine_name, routine_definition) FROM information_schema.routines WHERE routine_schema = DATABASE() ORDER BY routine_name")...)
		return strings.Join(out, "\n")
	default:
		return strings.Join(db.Strings(t, "SELECT type || ' ' || name || ' ' || tbl_name || ' ' || COALESCE(sql, '-') FROM sqlite_master ORDER BY type, name"), "\n")
	}
}

// scratchDatabases lists the scratch databases (internal/scratch:
// ferry_scratch_*) on a server.
func scratchDatabases(t *testing.T, dialect string) []string {
	t.Helper()
	if dialect == testdb.SQLite {
		return nil
	}
	return testdb.New(t, dialect).Strings(t, scratchQuery(dialect)) // any handle on the server
}

func scratchQuery(dialect string) string {
	if dialect == testdb.MySQL {
		return `SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'ferry\_scratch\_%' ORDER BY 1`
	}
	return `SELECT datname FROM pg_database WHERE datname LIKE 'ferry\_scratch\_%' ORDER BY 1`
}

// assertScratchDropped fails when a scratch database that was not there
// before (a list from scratchDatabases) stays. Tests of other packages,
// running at the same time, make and drop scratch databases of their own:
// the new ones seen now must go within half a minute.
func assertScratchDropped(t *testing.T, dialect string, before []string) {
	t.Helper()
	if dialect == testdb.SQLite {
		return
	}
	db := testdb.New(t, dialect)
	var left []string
	for _, n := range db.Strings(t, scratchQuery(dialect)) {
		if !slices.Contains(before, n) {
			left = append(left, n)
		}
	}
	for deadline := time.Now().Add(30 * time.Second); len(left) > 0 && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		now := db.Strings(t, scratchQuery(dialect))
		left = slices.DeleteFunc(left, func(n string) bool { return !slices.Contains(now, n) })
	}
	if len(left) > 0 {
		t.Errorf("scratch databases %q were not dropped", left)
	}
}

// migrateTo runs golang-migrate up to version v.
func migrateTo(t *testing.T, dir string, db *testdb.DB, v uint) {
	t.Helper()
	if err := testdb.Migrator(t, dir, db.URL).Migrate(v); err != nil {
		t.Fatalf("golang-migrate to %d: %v", v, err)
	}
}

func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			out = append(out, fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, x, y))
			if len(out) > 8 {
				break
			}
		}
	}
	return strings.Join(out, "\n")
}

// TestBaselineReproducesSchema: on every dialect, for concatenation and for
// --from-dev, the baseline run by golang-migrate on an empty database gives
// the schema golang-migrate gives by running the files up to V.
func TestBaselineReproducesSchema(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range testdb.Dialects() {
		for _, fromDev := range []bool{false, true} {
			name := dialect + "/concatenation"
			if fromDev {
				name = dialect + "/from-dev"
			}
			t.Run(name, func(t *testing.T) {
				requireTools(t, dialect)
				dir := testdb.WriteDir(t, fixtures[dialect])
				ref := testdb.New(t, dialect)
				migrateTo(t, dir, ref, baselineVersion)

				o := fixtureOptions(t, dialect, fromDev)
				before := scratchDatabases(t, dialect)
				b, err := baseline.Generate(ctx, os.DirFS(dir), dir, o)
				if err != nil {
					t.Fatal(err)
				}
				assertScratchDropped(t, dialect, before)
				if dialect == testdb.SQLite && fromDev {
					if _, err := os.Stat(o.Dev.Database); !errors.Is(err, os.ErrNotExist) {
						t.Errorf("the SQLite dev file %s was created", o.Dev.Database)
					}
				}
				checkHeader(t, dir, b)
				if fromDev != (b.Method == baseline.Dump) {
					t.Errorf("method %s", b.Method)
				}

				fresh := testdb.New(t, dialect)
				bdir := testdb.WriteDir(t, map[string]string{baseline.BaselineFileName("3"): string(b.Content)})
				testdb.Up(t, bdir, fresh.URL)
				if want, got := schemaOf(t, ref), schemaOf(t, fresh); want != got {
					t.Errorf("schema from the baseline differs from the files':\n%s\n--- baseline:\n%s", diffLines(want, got), b.Content)
				}
			})
		}
	}
}

// checkHeader checks what the header records and, for concatenation, that
// every file is there byte for byte behind its comment line.
func checkHeader(t *testing.T, dir string, b *baseline.Baseline) {
	t.Helper()
	if !slices.Equal(b.Replaces, []string{"1", "2", "3"}) || !slices.Equal(b.Files, []string{"1_init.up.sql", "2_orders.up.sql", "3_views.up.sql"}) {
		t.Errorf("replaces %q, files %q", b.Replaces, b.Files)
	}
	sum, err := atlassum.Compute(os.DirFS(dir), ".")
	if err != nil {
		t.Fatal(err)
	}
	h, _ := sum.Hash("3_views.up.sql")
	wantLine := "3_views.up.sql h1:" + h
	if b.SumLine != wantLine {
		t.Errorf("sum line %q, want %q", b.SumLine, wantLine)
	}
	content := string(b.Content)
	for _, want := range []string{"-- ferry baseline: the schema at version 3", "-- It replaces 3 version(s): 1 2 3\n", "-- atlas.sum line of version 3: " + wantLine + "\n"} {
		if !strings.Contains(content, want) {
			t.Errorf("header lacks %q:\n%s", want, content)
		}
	}
	if strings.Contains(strings.SplitN(content, "\n", 2)[0], "atlas:") {
		t.Errorf("the first line holds an Atlas directive: %q", strings.SplitN(content, "\n", 2)[0])
	}
	if b.Method != baseline.Concatenation {
		if strings.Contains(content, "-- source:") {
			t.Errorf("a dump names source files")
		}
		return
	}
	for _, f := range b.Files {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		body := strings.TrimSuffix(string(data), "CREATE TABLE scratch (id int) -- no semicolon, no newline")
		if !strings.Contains(content, "\n-- source: "+f+"\n"+body) {
			t.Errorf("%s is not in the baseline behind its comment line", f)
		}
	}
	if !strings.Contains(content, "CREATE TABLE scratch (id int) -- no semicolon, no newline\n;\n") {
		t.Errorf("the last statement without a delimiter did not get one:\n%s", content)
	}
}

// TestReplace: the files up to V move to archive/ (git mv in a git work
// tree), V's file becomes the baseline, atlas.sum is valid; a database at V
// keeps working with golang-migrate and reaches the same schema as one that
// ran the old files, and so does a fresh database.
func TestReplace(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range testdb.Dialects() {
		for _, fromDev := range []bool{false, true} {
			for _, git := range []bool{false, true} {
				name := fmt.Sprintf("%s/from-dev=%v/git=%v", dialect, fromDev, git)
				t.Run(name, func(t *testing.T) {
					requireTools(t, dialect)
					files := union(fixtures[dialect], map[string]string{"README.md": "not a migration\n"})
					dir := testdb.WriteDir(t, files)
					testdb.Hash(t, dir)
					if git {
						gitInit(t, dir)
					}
					full := testdb.New(t, dialect)
					testdb.Up(t, dir, full.URL)
					atV := testdb.New(t, dialect)
					migrateTo(t, dir, atV, baselineVersion)

					o := fixtureOptions(t, dialect, fromDev)
					o.Replace = true
					planned := topLevel(t, dir)
					b, err := baseline.Generate(ctx, os.DirFS(dir), dir, o)
					if err != nil {
						t.Fatal(err)
					}
					if b.Replace.Git != git {
						t.Errorf("plan says git=%v", b.Replace.Git)
					}
					if got := topLevel(t, dir); !slices.Equal(got, planned) {
						t.Errorf("planning changed the folder: %q, was %q", got, planned)
					}
					if err := baseline.Replace(ctx, b); err != nil {
						t.Fatal(err)
					}

					wantTop := []string{"3_baseline.up.sql", "4_later.down.sql", "4_later.up.sql", "5_note.down.sql", "5_note.up.sql", "README.md", "archive", "atlas.sum"}
					if got := topLevel(t, dir); !slices.Equal(got, wantTop) {
						t.Errorf("folder holds %q, want %q", got, wantTop)
					}
					wantArchive := []string{"1_init.down.sql", "1_init.up.sql", "2_orders.down.sql", "2_orders.up.sql", "3_views.down.sql", "3_views.up.sql"}
					if got := topLevel(t, filepath.Join(dir, "archive")); !slices.Equal(got, wantArchive) {
						t.Errorf("archive holds %q, want %q", got, wantArchive)
					}
					for _, n := range wantArchive {
						got, err := os.ReadFile(filepath.Join(dir, "archive", n))
						if err != nil || string(got) != files[n] {
							t.Errorf("archive/%s is not the original file (%v)", n, err)
						}
					}
					if got, err := os.ReadFile(filepath.Join(dir, "3_baseline.up.sql")); err != nil || !bytes.Equal(got, b.Content) {
						t.Errorf("3_baseline.up.sql is not the baseline (%v)", err)
					}
					rep, err := atlassum.Validate(os.DirFS(dir), ".", dir)
					if err != nil {
						t.Fatal(err)
					}
					if rep.State != atlassum.Valid {
						t.Errorf("atlas.sum after replace: %s %v", rep.State, rep.Findings)
					}
					ups := map[string][]byte{}
					for _, n := range []string{"3_baseline.up.sql", "4_later.up.sql", "5_note.up.sql"} {
						ups[n], _ = os.ReadFile(filepath.Join(dir, n))
					}
					if gotSum, _ := os.ReadFile(filepath.Join(dir, "atlas.sum")); !bytes.Equal(gotSum, testdb.IndependentSum(ups)) {
						t.Errorf("atlas.sum:\n%s\nwant:\n%s", gotSum, testdb.IndependentSum(ups))
					}
					d, err := compat.ReadDir(os.DirFS(dir), ".")
					if err != nil || d.Err() != nil {
						t.Fatalf("golang-migrate's view of the folder: %v %v", err, d.Err())
					}
					if git {
						checkGitRenames(t, dir, wantArchive)
					}

					// A database at V: still valid, and up runs 4 and 5.
					if v, dirty, nilV := testdb.Version(t, dir, atV.URL); v != baselineVersion || dirty || nilV {
						t.Fatalf("golang-migrate version at V after replace: %d dirty=%v nil=%v", v, dirty, nilV)
					}
					testdb.Up(t, dir, atV.URL)
					if v, dirty, _ := testdb.Version(t, dir, atV.URL); v != 5 || dirty {
						t.Fatalf("golang-migrate version after up: %d dirty=%v", v, dirty)
					}
					want := schemaOf(t, full)
					if got := schemaOf(t, atV); got != want {
						t.Errorf("database at V, then up with the new folder:\n%s", diffLines(want, got))
					}
					// A fresh database: baseline, then 4 and 5, in one golang-migrate run.
					fresh := testdb.New(t, dialect)
					testdb.Up(t, dir, fresh.URL)
					if got := schemaOf(t, fresh); got != want {
						t.Errorf("fresh database with the new folder:\n%s\n--- baseline:\n%s", diffLines(want, got), b.Content)
					}
				})
			}
		}
	}
}

// union returns a new map with a's entries, then b's over them.
func union(a, b map[string]string) map[string]string {
	out := map[string]string{}
	maps.Copy(out, a)
	maps.Copy(out, b)
	return out
}

// topLevel lists a folder's entries, without .git.
func topLevel(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Name() != ".git" {
			out = append(out, e.Name())
		}
	}
	return out
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %q: %v\n%s", args, err, out)
	}
	return string(out)
}

func gitInit(t *testing.T, dir string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is not on PATH")
	}
	git(t, dir, "init", "-q")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "migrations")
}

// checkGitRenames: git sees the archived files as staged renames.
func checkGitRenames(t *testing.T, dir string, archived []string) {
	t.Helper()
	status := git(t, dir, "status", "--porcelain")
	for _, n := range archived {
		if n == "3_views.up.sql" {
			continue // its path now holds another file: git may pair them differently
		}
		if !regexp.MustCompile(`(?m)^R  ` + regexp.QuoteMeta(n) + ` -> archive/` + regexp.QuoteMeta(n) + `$`).MatchString(status) {
			t.Errorf("git status does not show %s renamed into archive/:\n%s", n, status)
		}
	}
}

// TestReplayFailureDropsScratch: a failing statement is named (file,
// statement N of M, line) and the scratch database is dropped anyway.
func TestReplayFailureDropsScratch(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			requireTools(t, dialect)
			dir := testdb.WriteDir(t, map[string]string{
				"1_a.up.sql": "CREATE TABLE a (id int);\n",
				"2_b.up.sql": "CREATE TABLE b (id int);\n\nINSERT INTO missing_table VALUES (1);\n",
			})
			before := scratchDatabases(t, dialect)
			_, err := baseline.Generate(ctx, os.DirFS(dir), dir, baseline.Options{Version: 2, Dev: devURL(t, dialect)})
			var re *baseline.ReplayError
			if !errors.As(err, &re) {
				t.Fatalf("got %v, want a ReplayError", err)
			}
			if re.File != "2_b.up.sql" || re.Statement != 2 || re.Total != 2 || re.Line != 3 {
				t.Errorf("error names %s statement %d of %d line %d", re.File, re.Statement, re.Total, re.Line)
			}
			if !strings.Contains(err.Error(), "replay 2_b.up.sql: statement 2 of 2 (line 3)") {
				t.Errorf("message: %v", err)
			}
			assertScratchDropped(t, dialect, before)
		})
	}
}

// TestMissingDumpTool: a missing tool is named with its package, before any
// scratch database is created.
func TestMissingDumpTool(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range []string{testdb.Postgres, testdb.MySQL} {
		t.Run(dialect, func(t *testing.T) {
			dir := testdb.WriteDir(t, map[string]string{"1_a.up.sql": "CREATE TABLE a (id int);\n"})
			before := scratchDatabases(t, dialect)
			noTools := func(string) (string, error) { return "", exec.ErrNotFound }
			_, err := baseline.Generate(ctx, os.DirFS(dir), dir, baseline.Options{Version: 1, Dev: devURL(t, dialect), LookPath: noTools})
			var te *baseline.ToolError
			if !errors.As(err, &te) {
				t.Fatalf("got %v, want a ToolError", err)
			}
			if !strings.Contains(err.Error(), "apt-get install") || !strings.Contains(err.Error(), "leave out --from-dev") {
				t.Errorf("message: %v", err)
			}
			assertScratchDropped(t, dialect, before)
		})
	}
}

// TestCancelDropsScratch: an interrupted replay (Ctrl-C cancels the
// context) still drops the scratch database.
func TestCancelDropsScratch(t *testing.T) {
	sleep := map[string]string{testdb.Postgres: "SELECT pg_sleep(30);\n", testdb.MySQL: "DO SLEEP(30);\n"}
	for _, dialect := range []string{testdb.Postgres, testdb.MySQL} {
		t.Run(dialect, func(t *testing.T) {
			dir := testdb.WriteDir(t, map[string]string{"1_a.up.sql": "CREATE TABLE a (id int);\n" + sleep[dialect]})
			before := scratchDatabases(t, dialect)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			start := time.Now()
			_, err := baseline.Generate(ctx, os.DirFS(dir), dir, baseline.Options{Version: 1, Dev: devURL(t, dialect)})
			if err == nil {
				t.Fatal("no error")
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v after the cancel", d)
			}
			assertScratchDropped(t, dialect, before)
		})
	}
}

// TestBaselineOfRealisticHistories: --from-dev replays histories that alter
// golang-migrate's table and use their own transaction control as
// golang-migrate runs them; the baseline, run by golang-migrate on an empty
// database, gives the schema (golang-migrate's table included, with the
// column the files added) that the files give.
func TestBaselineOfRealisticHistories(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range testdb.Dialects() {
		h := testdb.Histories(dialect)[0]
		t.Run(h.Name, func(t *testing.T) {
			requireTools(t, dialect)
			dir := h.Folder(t)
			ref, refURL := h.Prepare(t)
			testdb.Up(t, dir, refURL)
			last := uint64(len(h.Files) / 2)
			b, err := baseline.Generate(ctx, os.DirFS(dir), dir, baseline.Options{Version: last, Dialect: engine.Dialect(dialect), Dev: devURL(t, dialect)})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(b.Notes, func(n string) bool { return strings.Contains(n, "a schema dump has no rows") }) {
				t.Errorf("no note that the files' row changes are not in the dump: %q", b.Notes)
			}
			fresh, freshURL := h.Prepare(t)
			bdir := testdb.WriteDir(t, map[string]string{baseline.BaselineFileName(strconv.FormatUint(last, 10)): string(b.Content)})
			testdb.Up(t, bdir, freshURL)
			describe := func(db *testdb.DB, raw string) string {
				u, err := compat.ParseDatabaseURL(raw)
				if err != nil {
					t.Fatal(err)
				}
				s, err := inspect.Inspect(ctx, db.SQL, u.Dialect, inspect.OptionsFor(u))
				if err != nil {
					t.Fatal(err)
				}
				return s.String()
			}
			want, got := describe(ref, refURL), describe(fresh, freshURL)
			if want != got {
				t.Errorf("schema from the baseline differs from the files':\n%s", diffLines(want, got))
			}
			if !strings.Contains(want, "column data_version") {
				t.Errorf("golang-migrate's table is described without the column the files added:\n%s", want)
			}
		})
	}
}
