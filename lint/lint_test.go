package lint_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/finding"
	"github.com/ferrymigrate/ferry/lint"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// The schema each case's file is checked against: the one prior file.
const (
	pgPrior = `CREATE TABLE orgs (id bigint PRIMARY KEY);
CREATE TABLE users (
  id bigserial PRIMARY KEY,
  email text,
  name text NOT NULL,
  org_id bigint REFERENCES orgs (id)
);
CREATE TABLE posts (
  id int PRIMARY KEY,
  user_id int,
  title text,
  CONSTRAINT posts_user_fk FOREIGN KEY (user_id) REFERENCES users (id),
  CONSTRAINT posts_title_check CHECK (title <> '')
);
`
	myPrior = "CREATE TABLE orgs (id BIGINT PRIMARY KEY);\n" +
		"CREATE TABLE `users` (\n" +
		"  id BIGINT AUTO_INCREMENT PRIMARY KEY,\n" +
		"  email VARCHAR(255),\n" +
		"  name VARCHAR(100) NOT NULL,\n" +
		"  org_id BIGINT,\n" +
		"  UNIQUE KEY uk_name (name),\n" +
		"  FOREIGN KEY (org_id) REFERENCES orgs (id)\n" +
		");\n" +
		"CREATE TABLE posts (\n" +
		"  id INT PRIMARY KEY,\n" +
		"  user_id INT,\n" +
		"  title VARCHAR(200),\n" +
		"  INDEX idx_title (title),\n" +
		"  CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id)\n" +
		") ENGINE=InnoDB;\n"
	litePrior = `CREATE TABLE orgs (id INTEGER PRIMARY KEY);
CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT,
  name TEXT NOT NULL,
  org_id INTEGER REFERENCES orgs (id)
);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER, title TEXT);
`
)

var priors = map[engine.Dialect]string{
	engine.Postgres: pgPrior,
	engine.MySQL:    myPrior,
	engine.SQLite:   litePrior,
}

// lintCase is one file to check against the dialect's prior file.
type lintCase struct {
	name string
	d    engine.Dialect
	src  string
	want []string // "CODE@line", in report order
}

const (
	pg   = engine.Postgres
	my   = engine.MySQL
	lite = engine.SQLite
)

// check runs Check on src, with the dialect's prior file before it.
func check(t *testing.T, d engine.Dialect, src string) []finding.Finding {
	t.Helper()
	prior := []lint.File{{Name: "000001_init.up.sql", Version: "000001", Src: []byte(priors[d])}}
	files := []lint.File{{Name: "000002_change.up.sql", Version: "000002", Src: []byte(src)}}
	fs, err := lint.Check(d, prior, files)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	return fs
}

func codesAt(fs []finding.Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s@%d", f.Code, f.Line))
	}
	return out
}

func runCases(t *testing.T, cases []lintCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(string(tc.d)+"/"+tc.name, func(t *testing.T) {
			fs := check(t, tc.d, tc.src)
			want := tc.want
			if want == nil {
				want = []string{}
			}
			if got := codesAt(fs); !slices.Equal(got, want) {
				t.Errorf("findings %v, want %v\n%s", got, want, messages(fs))
			}
		})
	}
}

func messages(fs []finding.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s %s:%d %s\n", f.Code, f.File, f.Line, f.Message)
	}
	return b.String()
}

func TestDropSchema(t *testing.T) {
	runCases(t, []lintCase{
		{"drop schema", pg, "DROP SCHEMA app CASCADE;", []string{"DS101@1"}},
		{"several schemas", pg, "SELECT 1;\nDROP SCHEMA IF EXISTS a, \"B\" RESTRICT;", []string{"DS101@2", "DS101@2"}},
		{"drop database", pg, "DROP DATABASE IF EXISTS scratch WITH (FORCE);", []string{"DS101@1"}},
		{"schema created in the same file", pg, "CREATE SCHEMA tmp;\nDROP SCHEMA tmp;", nil},
		{"drop index", pg, "DROP INDEX app.idx;", nil},
		{"drop database", my, "DROP DATABASE shop;", []string{"DS101@1"}},
		{"drop schema", my, "DROP SCHEMA IF EXISTS `shop`;", []string{"DS101@1"}},
		{"database created in the same file", my, "CREATE DATABASE IF NOT EXISTS tmp;\nDROP DATABASE tmp;", nil},
		{"drop view", my, "DROP VIEW shop;", nil},
		{"no schemas", lite, "DROP VIEW v;\nDETACH DATABASE aux;", nil},
	})
}

func TestDropTable(t *testing.T) {
	runCases(t, []lintCase{
		{"drop table", pg, "DROP TABLE users;", []string{"DS102@1"}},
		{"qualified and quoted", pg, "DROP TABLE IF EXISTS public.\"posts\", orgs CASCADE;", []string{"DS102@1", "DS102@1"}},
		{"unknown table", pg, "DROP TABLE legacy;", []string{"DS102@1"}},
		{"created in the same file", pg, "CREATE TABLE tmp (id int);\nDROP TABLE tmp;", nil},
		{"drop view", pg, "DROP VIEW users_v;\nDROP MATERIALIZED VIEW m;", nil},
		{"in a function body", pg, "CREATE FUNCTION f() RETURNS void AS $$ DROP TABLE users; $$ LANGUAGE sql;", nil},
		{"drop table", my, "DROP TABLE `users`;", []string{"DS102@1"}},
		{"executable comment", my, "DROP TABLE /*!32312 IF EXISTS*/ posts;", []string{"DS102@1"}},
		{"temporary", my, "DROP TEMPORARY TABLE IF EXISTS scratch;", nil},
		{"created in the same file", my, "CREATE TABLE tmp (id INT);\nDROP TABLE IF EXISTS tmp;", nil},
		{"drop table", lite, "DROP TABLE [users];", []string{"DS102@1"}},
		{"rebuild: rows copied, table dropped, copy renamed back", lite, "CREATE TABLE users_new (id integer PRIMARY KEY, email text NOT NULL);\nINSERT INTO users_new (id, email) SELECT id, email FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;", nil},
		{"rebuild: old table renamed away, rows copied back", lite, "ALTER TABLE users RENAME TO users_old;\nCREATE TABLE users (id integer PRIMARY KEY);\nINSERT INTO users SELECT id FROM users_old;\nDROP TABLE users_old;", nil},
		{"rows copied after the drop do not count", lite, "DROP TABLE users;\nINSERT INTO x SELECT * FROM users;", []string{"DS102@1"}},
		{"created in the same file", lite, "CREATE TEMP TABLE tmp AS SELECT * FROM users;\nDROP TABLE tmp;", nil},
		{"drop trigger", lite, "DROP TRIGGER users_au;", nil},
	})
}

func TestDropColumn(t *testing.T) {
	runCases(t, []lintCase{
		{"drop column", pg, "ALTER TABLE users DROP COLUMN email;", []string{"DS103@1"}},
		{"several actions", pg, "ALTER TABLE ONLY public.users\n  DROP email,\n  DROP COLUMN IF EXISTS name CASCADE;", []string{"DS103@1", "DS103@1"}},
		{"drop constraint", pg, "ALTER TABLE users DROP CONSTRAINT users_email_key;", nil},
		{"added in the same file", pg, "ALTER TABLE users ADD COLUMN tmp int;\nALTER TABLE users DROP COLUMN tmp;", nil},
		{"alter column drop default", pg, "ALTER TABLE users ALTER COLUMN email DROP DEFAULT;", nil},
		{"drop column", my, "ALTER TABLE users DROP COLUMN email, DROP name;", []string{"DS103@1", "DS103@1"}},
		{"drop index, key, primary key, check", my, "ALTER TABLE users DROP INDEX uk_name, DROP KEY k, DROP PRIMARY KEY, DROP CHECK chk;", nil},
		{"table created in the same file", my, "CREATE TABLE t (a INT, b INT);\nALTER TABLE t DROP COLUMN b;", nil},
		{"drop column", lite, "ALTER TABLE users DROP COLUMN email;", []string{"DS103@1"}},
		{"without COLUMN", lite, "ALTER TABLE \"users\" DROP email;", []string{"DS103@1"}},
		{"table created in the same file", lite, "CREATE TABLE t (a INTEGER, b INTEGER);\nALTER TABLE t DROP COLUMN b;", nil},
	})
}

func TestAddUnique(t *testing.T) {
	runCases(t, []lintCase{
		{"unique index", pg, "CREATE UNIQUE INDEX users_email_idx ON users (email);", []string{"MF101@1"}},
		{"unique index on an expression", pg, "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON ONLY public.users USING btree (lower(email));", []string{"MF101@1"}},
		{"unique constraint", pg, "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);", []string{"MF101@1"}},
		{"unnamed unique constraint", pg, "ALTER TABLE users ADD UNIQUE NULLS NOT DISTINCT (email, name);", []string{"MF101@1"}},
		{"plain index", pg, "CREATE INDEX i ON users (email);", nil},
		{"table created in the same file", pg, "CREATE TABLE t (a int);\nCREATE UNIQUE INDEX ON t (a);", nil},
		{"new column", pg, "ALTER TABLE users ADD COLUMN code text;\nCREATE UNIQUE INDEX ON users (code);", nil},
		{"using an existing index", pg, "ALTER TABLE users ADD CONSTRAINT k UNIQUE USING INDEX users_email_idx;", nil},
		{"unique index", my, "CREATE UNIQUE INDEX uk ON users (email(20));", []string{"MF101@1"}},
		{"unique keys", my, "ALTER TABLE users ADD UNIQUE KEY uk_email (email), ADD UNIQUE INDEX (org_id);", []string{"MF101@1", "MF101@1"}},
		{"constraint", my, "ALTER TABLE posts ADD CONSTRAINT uk_title UNIQUE (title);", []string{"MF101@1"}},
		{"plain index", my, "ALTER TABLE users ADD INDEX idx_email (email);\nCREATE INDEX i ON users (name);", nil},
		{"table created in the same file", my, "CREATE TABLE t (a INT);\nALTER TABLE t ADD UNIQUE (a);", nil},
		{"unique index", lite, "CREATE UNIQUE INDEX IF NOT EXISTS main.uk ON users (email);", []string{"MF101@1"}},
		{"plain index", lite, "CREATE INDEX i ON users (email);", nil},
		{"table created in the same file", lite, "CREATE TABLE t (a TEXT);\nCREATE UNIQUE INDEX t_a ON t (a);", nil},
	})
}

func TestAddNotNull(t *testing.T) {
	runCases(t, []lintCase{
		{"not null", pg, "ALTER TABLE users ADD COLUMN age int NOT NULL;", []string{"MF103@1"}},
		{"default null", pg, "ALTER TABLE users ADD age int DEFAULT NULL NOT NULL;", []string{"MF103@1"}},
		{"primary key", pg, "ALTER TABLE orgs DROP CONSTRAINT orgs_pkey, ADD COLUMN uid uuid PRIMARY KEY;", []string{"MF103@1"}},
		{"unknown table", pg, "ALTER TABLE legacy ADD COLUMN age int NOT NULL;", []string{"MF103@1"}},
		{"with a default", pg, "ALTER TABLE users ADD COLUMN age int NOT NULL DEFAULT 0;", nil},
		{"nullable", pg, "ALTER TABLE users ADD COLUMN age int;", nil},
		{"serial", pg, "ALTER TABLE posts ADD COLUMN seq bigserial NOT NULL;", nil},
		{"identity", pg, "ALTER TABLE posts ADD COLUMN n int NOT NULL GENERATED ALWAYS AS IDENTITY;", nil},
		{"generated", pg, "ALTER TABLE posts ADD COLUMN t2 text NOT NULL GENERATED ALWAYS AS (upper(title)) STORED;", nil},
		{"table created in the same file", pg, "CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int NOT NULL;", nil},
		{"if not exists, column there", pg, "ALTER TABLE users ADD COLUMN IF NOT EXISTS name text NOT NULL;", nil},
		{"not null", my, "ALTER TABLE users ADD COLUMN age INT NOT NULL AFTER name, ADD (a INT NOT NULL, b INT NULL);", []string{"MF103@1", "MF103@1"}},
		{"auto increment", my, "ALTER TABLE posts ADD COLUMN seq INT NOT NULL AUTO_INCREMENT, ADD KEY (seq);", nil},
		{"with a default", my, "ALTER TABLE users ADD COLUMN age INT NOT NULL DEFAULT 0;", nil},
		{"not null", lite, "ALTER TABLE users ADD COLUMN age INTEGER NOT NULL;", []string{"MF103@1"}},
		{"with a default", lite, "ALTER TABLE users ADD COLUMN age INTEGER NOT NULL DEFAULT 0;", nil},
		{"nullable", lite, "ALTER TABLE users ADD age INTEGER;", nil},
	})
}

func TestSetNotNull(t *testing.T) {
	runCases(t, []lintCase{
		{"set not null", pg, "ALTER TABLE users ALTER COLUMN email SET NOT NULL;", []string{"MF104@1"}},
		{"without COLUMN", pg, "ALTER TABLE users ALTER email TYPE varchar(255), ALTER email SET NOT NULL;", []string{"MF104@1"}},
		{"added nullable in the same file", pg, "ALTER TABLE users ADD COLUMN x int;\nALTER TABLE users ALTER COLUMN x SET NOT NULL;", []string{"MF104@2"}},
		{"backfilled first", pg, "UPDATE users SET email = '' WHERE email IS NULL;\nALTER TABLE users ALTER email SET NOT NULL;", nil},
		{"already not null", pg, "ALTER TABLE users ALTER COLUMN name SET NOT NULL;", nil},
		{"added with a default", pg, "ALTER TABLE users ADD COLUMN x int DEFAULT 0;\nALTER TABLE users ALTER COLUMN x SET NOT NULL;", nil},
		{"drop not null", pg, "ALTER TABLE users ALTER COLUMN name DROP NOT NULL;", nil},
		{"table created in the same file", pg, "CREATE TABLE t (a int);\nALTER TABLE t ALTER a SET NOT NULL;", nil},
		{"modify", my, "ALTER TABLE users MODIFY email VARCHAR(255) NOT NULL;", []string{"MF104@1"}},
		{"change, same name", my, "ALTER TABLE users CHANGE COLUMN email email VARCHAR(255) NOT NULL;", []string{"MF104@1"}},
		{"already not null", my, "ALTER TABLE users MODIFY name VARCHAR(200) NOT NULL;", nil},
		{"stays nullable", my, "ALTER TABLE users MODIFY COLUMN email VARCHAR(300);", nil},
		{"backfilled first", my, "UPDATE users SET email = '' WHERE email IS NULL;\nALTER TABLE users MODIFY email VARCHAR(255) NOT NULL;", nil},
		{"no such change", lite, "ALTER TABLE users ADD COLUMN x INTEGER;\nUPDATE users SET x = 1;", nil},
	})
}

func TestRenameTable(t *testing.T) {
	runCases(t, []lintCase{
		{"rename", pg, "ALTER TABLE users RENAME TO accounts;", []string{"BC101@1"}},
		{"qualified", pg, "ALTER TABLE IF EXISTS public.users RENAME TO accounts;", []string{"BC101@1"}},
		{"view for the old name", pg, "ALTER TABLE users RENAME TO accounts;\nCREATE VIEW users AS SELECT * FROM accounts;", nil},
		{"created in the same file", pg, "CREATE TABLE t (a int);\nALTER TABLE t RENAME TO u;", nil},
		{"rename index", pg, "ALTER INDEX i RENAME TO j;", nil},
		{"rename table", my, "RENAME TABLE users TO accounts, posts TO articles;", []string{"BC101@1", "BC101@1"}},
		{"alter rename", my, "ALTER TABLE users RENAME AS accounts;", []string{"BC101@1"}},
		{"rename index", my, "ALTER TABLE users RENAME INDEX uk_name TO uk_name2, RENAME KEY a TO b;", nil},
		{"view for the old name", my, "RENAME TABLE users TO accounts;\nCREATE OR REPLACE ALGORITHM=MERGE VIEW users AS SELECT * FROM accounts;", nil},
		{"rename", lite, "ALTER TABLE users RENAME TO accounts;", []string{"BC101@1"}},
		{"created in the same file", lite, "CREATE TABLE t (a INTEGER);\nALTER TABLE t RENAME TO u;", nil},
	})
}

func TestRenameColumn(t *testing.T) {
	runCases(t, []lintCase{
		{"rename column", pg, "ALTER TABLE users RENAME COLUMN email TO mail;", []string{"BC102@1"}},
		{"without COLUMN", pg, "ALTER TABLE users RENAME email TO mail;", []string{"BC102@1"}},
		{"rename constraint", pg, "ALTER TABLE posts RENAME CONSTRAINT posts_user_fk TO posts_author_fk;", nil},
		{"old name added back", pg, "ALTER TABLE users RENAME COLUMN email TO mail;\nALTER TABLE users ADD COLUMN email text;", nil},
		{"added in the same file", pg, "ALTER TABLE users ADD COLUMN x int;\nALTER TABLE users RENAME COLUMN x TO y;", nil},
		{"rename column", my, "ALTER TABLE users RENAME COLUMN email TO mail;", []string{"BC102@1"}},
		{"change", my, "ALTER TABLE users CHANGE email mail VARCHAR(255);", []string{"BC102@1"}},
		{"change to not null", my, "ALTER TABLE users CHANGE email mail VARCHAR(255) NOT NULL;", []string{"BC102@1", "MF104@1"}},
		{"change, same name", my, "ALTER TABLE users CHANGE `email` EMAIL VARCHAR(300);", nil},
		{"rename column", lite, "ALTER TABLE users RENAME COLUMN email TO mail;", []string{"BC102@1"}},
		{"without COLUMN", lite, "ALTER TABLE users RENAME email TO mail;", []string{"BC102@1"}},
		{"table created in the same file", lite, "CREATE TABLE t (a INTEGER);\nALTER TABLE t RENAME COLUMN a TO b;", nil},
	})
}

func TestDropForeignKey(t *testing.T) {
	runCases(t, []lintCase{
		{"named", pg, "ALTER TABLE posts DROP CONSTRAINT posts_user_fk;", []string{"CD101@1"}},
		{"named by PostgreSQL", pg, "ALTER TABLE users DROP CONSTRAINT IF EXISTS users_org_id_fkey;", []string{"CD101@1"}},
		{"unknown, by its name", pg, "ALTER TABLE invoices DROP CONSTRAINT invoices_customer_id_fkey;", []string{"CD101@1"}},
		{"check constraint", pg, "ALTER TABLE posts DROP CONSTRAINT posts_title_check;", nil},
		{"unknown constraint", pg, "ALTER TABLE posts DROP CONSTRAINT posts_pkey;", nil},
		{"added in the same file", pg, "ALTER TABLE posts ADD CONSTRAINT fk2 FOREIGN KEY (user_id) REFERENCES users (id);\nALTER TABLE posts DROP CONSTRAINT fk2;", nil},
		{"with its column", pg, "ALTER TABLE posts DROP CONSTRAINT posts_user_fk, DROP COLUMN user_id;", []string{"DS103@1"}},
		{"renamed", pg, "ALTER TABLE posts RENAME CONSTRAINT posts_user_fk TO fk_a;\nALTER TABLE posts DROP CONSTRAINT fk_a;", []string{"CD101@2"}},
		{"drop foreign key", my, "ALTER TABLE posts DROP FOREIGN KEY fk_user;", []string{"CD101@1"}},
		{"replaced in the next statement", pg, "ALTER TABLE posts DROP CONSTRAINT posts_user_id_fkey;\nALTER TABLE posts ADD CONSTRAINT posts_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;", nil},
		{"replaced in the same statement", my, "ALTER TABLE posts DROP FOREIGN KEY fk_user, ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id);", nil},
		{"replaced on another table does not count", pg, "ALTER TABLE posts DROP CONSTRAINT posts_user_id_fkey;\nALTER TABLE comments ADD FOREIGN KEY (user_id) REFERENCES users (id);", []string{"CD101@1"}},
		{"named by MySQL", my, "ALTER TABLE users DROP FOREIGN KEY users_ibfk_1;", []string{"CD101@1"}},
		{"drop constraint", my, "ALTER TABLE posts DROP CONSTRAINT fk_user;", []string{"CD101@1"}},
		{"drop index", my, "ALTER TABLE posts DROP INDEX idx_title;", nil},
		{"added in the same file", my, "ALTER TABLE posts ADD FOREIGN KEY (user_id) REFERENCES users (id);\nALTER TABLE posts DROP FOREIGN KEY posts_ibfk_1;", nil},
		{"cannot drop", lite, "DROP INDEX i;", nil},
	})
}

func TestNolint(t *testing.T) {
	runCases(t, []lintCase{
		{"all codes", pg, "-- ferry:nolint\nDROP TABLE users;\nDROP TABLE posts;", []string{"DS102@3"}},
		{"atlas", pg, "-- atlas:nolint\nDROP TABLE users;\nDROP TABLE posts;", []string{"DS102@3"}},
		{"after other comments", pg, "SELECT 1;\n-- the table is empty since v3\n-- ferry:nolint DS102\n\nDROP TABLE users;", nil},
		{"codes", pg, "-- ferry:nolint DS103\nALTER TABLE users DROP COLUMN email, ADD COLUMN age int NOT NULL;", []string{"MF103@2"}},
		{"several codes", pg, "-- ferry:nolint DS103 MF103\nALTER TABLE users DROP COLUMN email, ADD COLUMN age int NOT NULL;", nil},
		{"comma-separated codes", pg, "-- ferry:nolint ds103,mf103\nALTER TABLE users DROP COLUMN email, ADD COLUMN age int NOT NULL;", nil},
		{"other codes", pg, "-- ferry:nolint MF101\nDROP TABLE users;", []string{"DS102@2"}},
		{"analyzer name", pg, "-- atlas:nolint destructive\nALTER TABLE users DROP COLUMN email, ADD COLUMN age int NOT NULL;", []string{"MF103@2"}},
		{"block comment", pg, "/* ferry:nolint */ DROP TABLE users;", nil},
		{"hash comment", my, "# ferry:nolint DS102\nDROP TABLE users;", nil},
		{"not a directive", pg, "-- ferry:nolintx\n-- see ferry:nolint\nDROP TABLE users;", []string{"DS102@3"}},
		{"same line, before the statement", pg, "SELECT 1; /* ferry:nolint */ DROP TABLE users;", nil},
		{"trailing comment of the statement before", pg, "DROP TABLE users; -- ferry:nolint\nDROP TABLE posts;", []string{"DS102@1", "DS102@2"}},
		{"file-level", pg, "-- atlas:nolint\n\nDROP TABLE users;\nALTER TABLE posts DROP COLUMN title;", nil},
		{"file-level ferry", my, "-- ferry:nolint\n\nDROP TABLE users;\nALTER TABLE posts DROP COLUMN title;", nil},
		{"file-level with codes", pg, "-- ferry:nolint DS102\n\nDROP TABLE users;\nALTER TABLE posts DROP COLUMN title;", []string{"DS103@4"}},
		{"file-level among other comments", lite, "-- drop what v2 replaced\n-- atlas:nolint DS102\n\nDROP TABLE users;\nDROP TABLE posts;", nil},
		{"first line without blank line", lite, "-- ferry:nolint\nDROP TABLE users;\nDROP TABLE posts;", []string{"DS102@3"}},
	})
}

func TestFindingFields(t *testing.T) {
	fs := check(t, pg, "CREATE TABLE t (a int);\n\n-- go\nDROP TABLE users;\nALTER TABLE users2 RENAME TO u;\n")
	if len(fs) != 2 {
		t.Fatalf("got %d findings, want 2:\n%s", len(fs), messages(fs))
	}
	want := []finding.Finding{
		{Code: "DS102", Severity: finding.Error, File: "000002_change.up.sql", Line: 4, Version: "000002"},
		{Code: "BC101", Severity: finding.Warning, File: "000002_change.up.sql", Line: 5, Version: "000002"},
	}
	for i, f := range fs {
		msg := f.Message
		f.Message = ""
		if f != want[i] {
			t.Errorf("finding %d = %+v, want %+v", i, f, want[i])
		}
		if wantPrefix := fmt.Sprintf("statement %d of 3 ", i+2); !strings.HasPrefix(msg, wantPrefix) {
			t.Errorf("finding %d message %q does not start with %q", i, msg, wantPrefix)
		}
	}
}

// TestEarlierFiles checks that a table created by an earlier file of those
// checked is an existing one, and that prior files yield no findings.
func TestEarlierFiles(t *testing.T) {
	prior := []lint.File{{Name: "1_a.up.sql", Version: "1", Src: []byte("CREATE TABLE a (x int);\nDROP TABLE gone;")}}
	files := []lint.File{
		{Name: "2_b.up.sql", Version: "2", Src: []byte("CREATE TABLE b (y int);\nALTER TABLE a ADD COLUMN z int NOT NULL;")},
		{Name: "3_c.up.sql", Version: "3", Src: []byte("ALTER TABLE b ADD COLUMN z int NOT NULL;\nCREATE UNIQUE INDEX ON b (y);")},
	}
	fs, err := lint.Check(pg, prior, files)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.Code+"@"+f.File)
	}
	want := []string{"MF103@2_b.up.sql", "MF103@3_c.up.sql", "MF101@3_c.up.sql"}
	if !slices.Equal(got, want) {
		t.Errorf("findings %v, want %v\n%s", got, want, messages(fs))
	}
}

func TestCannotSplit(t *testing.T) {
	prior := []lint.File{{Name: "1_a.up.sql", Version: "1", Src: []byte("CREATE TABLE a (x int")}}
	files := []lint.File{
		{Name: "2_b.up.sql", Version: "2", Src: []byte("SELECT 'unclosed;")},
		{Name: "3_c.up.sql", Version: "3", Src: []byte("DROP TABLE a;")},
	}
	fs, err := lint.Check(pg, prior, files)
	if got := codesAt(fs); !slices.Equal(got, []string{"DS102@1"}) {
		t.Errorf("findings %v, want the DS102 of 3_c.up.sql", got)
	}
	var fe *lint.FileError
	if !errors.As(err, &fe) || fe.File != "1_a.up.sql" || fe.Version != "1" {
		t.Fatalf("error %v, want a *lint.FileError for 1_a.up.sql first", err)
	}
	var se *sqlsplit.Error
	if !errors.As(fe, &se) {
		t.Errorf("FileError %v does not wrap a *sqlsplit.Error", fe)
	}
	if !strings.Contains(err.Error(), "2_b.up.sql") {
		t.Errorf("error %q does not name 2_b.up.sql", err)
	}
}

func TestUnknownDialect(t *testing.T) {
	if _, err := lint.Check("oracle", nil, nil); err == nil {
		t.Fatal("Check accepted dialect oracle")
	}
}
