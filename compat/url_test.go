package compat

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	migrate "github.com/golang-migrate/migrate/v4"

	"github.com/ferrymigrate/ferry/engine"
)

func TestParseDatabaseURL(t *testing.T) {
	type want struct {
		dialect       engine.Dialect
		database      string
		urlPath       string
		table         string
		quoted        bool
		qSchema       string
		qTable        string
		searchPath    string
		dsn           string
		redacted      string
		options       map[string]string
		mysqlUser     string
		mysqlPassword string
		mysqlNet      string
		mysqlAddr     string
	}
	tests := []struct {
		name string
		raw  string
		want want
	}{
		{
			name: "postgres plain",
			raw:  "postgres://user:pass@localhost:5432/mydb?sslmode=disable",
			want: want{dialect: engine.Postgres, database: "mydb", urlPath: "/mydb", table: "schema_migrations",
				dsn:      "postgres://user:pass@localhost:5432/mydb?sslmode=disable",
				redacted: "postgres://user:xxxxx@localhost:5432/mydb?sslmode=disable"},
		},
		{
			name: "postgresql with search_path and table",
			raw:  "postgresql://user:pass@localhost/mydb?search_path=app&x-migrations-table=mig&sslmode=disable",
			want: want{dialect: engine.Postgres, database: "mydb", urlPath: "/mydb", table: "mig", searchPath: "app",
				dsn:      "postgres://user:pass@localhost/mydb?search_path=app&sslmode=disable",
				redacted: "postgresql://user:xxxxx@localhost/mydb?search_path=app&sslmode=disable&x-migrations-table=mig",
				options:  map[string]string{"x-migrations-table": "mig"}},
		},
		{
			name: "postgres quoted schema and table",
			raw:  `postgres://u:p@h/db?x-migrations-table="migrate"."schema_migrations"&x-migrations-table-quoted=1`,
			want: want{dialect: engine.Postgres, database: "db", urlPath: "/db", table: `"migrate"."schema_migrations"`,
				quoted: true, qSchema: "migrate", qTable: "schema_migrations",
				dsn:      "postgres://u:p@h/db",
				redacted: "postgres://u:xxxxx@h/db?x-migrations-table=%22migrate%22.%22schema_migrations%22&x-migrations-table-quoted=1",
				options:  map[string]string{"x-migrations-table": `"migrate"."schema_migrations"`, "x-migrations-table-quoted": "1"}},
		},
		{
			name: "postgres quoted table only, with a dot inside the quotes",
			raw:  "postgres://u:p@h/db?x-migrations-table=%22my.table%22&x-migrations-table-quoted=true",
			want: want{dialect: engine.Postgres, database: "db", urlPath: "/db", table: `"my.table"`,
				quoted: true, qTable: "my.table",
				dsn:      "postgres://u:p@h/db",
				redacted: "postgres://u:xxxxx@h/db?x-migrations-table=%22my.table%22&x-migrations-table-quoted=true"},
		},
		{
			name: "postgres unquoted table with a dot is one name",
			raw:  "postgres://u:p@h/db?x-migrations-table=a.b&x-migrations-table-quoted=false",
			want: want{dialect: engine.Postgres, database: "db", urlPath: "/db", table: "a.b",
				dsn: "postgres://u:p@h/db", redacted: "postgres://u:xxxxx@h/db?x-migrations-table=a.b&x-migrations-table-quoted=false"},
		},
		{
			name: "postgres all options of the driver",
			raw:  "postgres://u@h:5433/db?x-statement-timeout=1000&x-multi-statement=true&x-multi-statement-max-size=1024&application_name=ferry",
			want: want{dialect: engine.Postgres, database: "db", urlPath: "/db", table: "schema_migrations",
				dsn:      "postgres://u@h:5433/db?application_name=ferry",
				redacted: "postgres://u@h:5433/db?application_name=ferry&x-multi-statement=true&x-multi-statement-max-size=1024&x-statement-timeout=1000"},
		},
		{
			name: "postgres without a database",
			raw:  "postgres://u:p@h",
			want: want{dialect: engine.Postgres, table: "schema_migrations", dsn: "postgres://u:p@h", redacted: "postgres://u:xxxxx@h"},
		},
		{
			name: "postgres with a bare slash",
			raw:  "postgres://h/",
			want: want{dialect: engine.Postgres, urlPath: "/", table: "schema_migrations", dsn: "postgres://h/", redacted: "postgres://h/"},
		},
		{
			name: "postgres escaped database name",
			raw:  "postgres://h/my%20db",
			want: want{dialect: engine.Postgres, database: "my db", urlPath: "/my db", table: "schema_migrations", dsn: "postgres://h/my%20db", redacted: "postgres://h/my%20db"},
		},
		{
			name: "postgres password in the query",
			raw:  "postgres://u@h/db?password=secret&sslmode=require",
			want: want{dialect: engine.Postgres, database: "db", urlPath: "/db", table: "schema_migrations",
				dsn: "postgres://u@h/db?password=secret&sslmode=require", redacted: "postgres://u@h/db?password=xxxxx&sslmode=require"},
		},
		{
			name: "postgres first of a repeated option, as golang-migrate",
			raw:  "postgres://u@h/db?x-migrations-table=first&x-migrations-table=second",
			want: want{dialect: engine.Postgres, database: "db", urlPath: "/db", table: "first",
				dsn: "postgres://u@h/db", redacted: "postgres://u@h/db?x-migrations-table=first&x-migrations-table=second",
				options: map[string]string{"x-migrations-table": "first"}},
		},
		{
			name: "pgx with lock strategy",
			raw:  "pgx://u:p@h/db?x-lock-strategy=table&x-lock-table=lk",
			want: want{dialect: engine.Postgres, database: "db", urlPath: "/db", table: "schema_migrations",
				dsn: "postgres://u:p@h/db", redacted: "pgx://u:xxxxx@h/db?x-lock-strategy=table&x-lock-table=lk",
				options: map[string]string{"x-lock-strategy": "table", "x-lock-table": "lk"}},
		},
		{
			name: "pgx4 advisory",
			raw:  "pgx4://u:p@h/db?x-lock-strategy=advisory&sslmode=disable",
			want: want{dialect: engine.Postgres, database: "db", urlPath: "/db", table: "schema_migrations",
				dsn: "postgres://u:p@h/db?sslmode=disable", redacted: "pgx4://u:xxxxx@h/db?sslmode=disable&x-lock-strategy=advisory"},
		},
		{
			name: "pgx5",
			raw:  "pgx5://u:p@h:5432/db?x-migrations-table=m&search_path=s1,s2",
			want: want{dialect: engine.Postgres, database: "db", urlPath: "/db", table: "m", searchPath: "s1,s2",
				dsn: "postgres://u:p@h:5432/db?search_path=s1%2Cs2", redacted: "pgx5://u:xxxxx@h:5432/db?search_path=s1%2Cs2&x-migrations-table=m"},
		},
		{
			name: "empty table falls back to the default, as in golang-migrate",
			raw:  "postgres://h/db?x-migrations-table=",
			want: want{dialect: engine.Postgres, database: "db", urlPath: "/db", table: "schema_migrations", dsn: "postgres://h/db", redacted: "postgres://h/db?x-migrations-table="},
		},
		{
			name: "mysql tcp",
			raw:  "mysql://user:pass@tcp(localhost:3306)/mydb?x-migrations-table=mig&parseTime=true",
			want: want{dialect: engine.MySQL, database: "mydb", table: "mig",
				dsn:       "user:pass@tcp(localhost:3306)/mydb?multiStatements=true&parseTime=true",
				redacted:  "mysql://user:xxxxx@tcp(localhost:3306)/mydb?x-migrations-table=mig&parseTime=true",
				options:   map[string]string{"x-migrations-table": "mig"},
				mysqlUser: "user", mysqlPassword: "pass", mysqlNet: "tcp", mysqlAddr: "localhost:3306"},
		},
		{
			name: "mysql unix socket",
			raw:  "mysql://root@unix(/var/run/mysqld/mysqld.sock)/app",
			want: want{dialect: engine.MySQL, database: "app", table: "schema_migrations",
				dsn:       "root@unix(/var/run/mysqld/mysqld.sock)/app?multiStatements=true",
				redacted:  "mysql://root@unix(/var/run/mysqld/mysqld.sock)/app",
				mysqlUser: "root", mysqlNet: "unix", mysqlAddr: "/var/run/mysqld/mysqld.sock"},
		},
		{
			name: "mysql escaped user and password",
			raw:  "mysql://us%40er:p%40ss%3Aw%2Frd%2521@tcp(db.example:3307)/app?x-no-lock=true&x-statement-timeout=500",
			want: want{dialect: engine.MySQL, database: "app", table: "schema_migrations",
				dsn:       "us@er:p@ss:w/rd%21@tcp(db.example:3307)/app?multiStatements=true",
				redacted:  "mysql://us%40er:xxxxx@tcp(db.example:3307)/app?x-no-lock=true&x-statement-timeout=500",
				options:   map[string]string{"x-no-lock": "true", "x-statement-timeout": "500"},
				mysqlUser: "us@er", mysqlPassword: "p@ss:w/rd%21", mysqlNet: "tcp", mysqlAddr: "db.example:3307"},
		},
		{
			name: "mysql default address",
			raw:  "mysql://u:p@/db",
			want: want{dialect: engine.MySQL, database: "db", table: "schema_migrations",
				dsn: "u:p@tcp(127.0.0.1:3306)/db?multiStatements=true", redacted: "mysql://u:xxxxx@/db",
				mysqlUser: "u", mysqlPassword: "p", mysqlNet: "tcp", mysqlAddr: "127.0.0.1:3306"},
		},
		{
			name: "sqlite relative",
			raw:  "sqlite://rel.db",
			want: want{dialect: engine.SQLite, database: "rel.db", table: "schema_migrations", dsn: "rel.db", redacted: "sqlite://rel.db"},
		},
		{
			name: "sqlite relative in a folder",
			raw:  "sqlite://data/app.db?x-migrations-table=m",
			want: want{dialect: engine.SQLite, database: "data/app.db", table: "m", dsn: "data/app.db", redacted: "sqlite://data/app.db?x-migrations-table=m"},
		},
		{
			name: "sqlite absolute with options",
			raw:  "sqlite:///abs/file.db?x-no-tx-wrap=true&_pragma=foreign_keys(1)",
			want: want{dialect: engine.SQLite, database: "/abs/file.db", table: "schema_migrations",
				dsn: "/abs/file.db?_pragma=foreign_keys%281%29", redacted: "sqlite:///abs/file.db?x-no-tx-wrap=true&_pragma=foreign_keys(1)",
				options: map[string]string{"x-no-tx-wrap": "true"}},
		},
		{
			name: "sqlite3",
			raw:  "sqlite3://dir/x.db?x-migrations-table=m",
			want: want{dialect: engine.SQLite, database: "dir/x.db", table: "m", dsn: "dir/x.db", redacted: "sqlite3://dir/x.db?x-migrations-table=m"},
		},
		{
			name: "sqlite3 absolute",
			raw:  "sqlite3:///var/lib/app.sqlite",
			want: want{dialect: engine.SQLite, database: "/var/lib/app.sqlite", table: "schema_migrations", dsn: "/var/lib/app.sqlite", redacted: "sqlite3:///var/lib/app.sqlite"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := ParseDatabaseURL(tt.raw)
			if err != nil {
				t.Fatalf("ParseDatabaseURL: %v", err)
			}
			w := tt.want
			check := func(field string, got, want any) {
				t.Helper()
				if got != want {
					t.Errorf("%s = %#v, want %#v", field, got, want)
				}
			}
			check("Dialect", u.Dialect, w.dialect)
			check("Database", u.Database, w.database)
			check("URLPath", u.URLPath, w.urlPath)
			check("MigrationsTable", u.MigrationsTable, w.table)
			check("TableQuoted", u.TableQuoted, w.quoted)
			check("QuotedSchema", u.QuotedSchema, w.qSchema)
			check("QuotedTable", u.QuotedTable, w.qTable)
			check("SearchPath", u.SearchPath, w.searchPath)
			check("DriverDSN", u.DriverDSN(), w.dsn)
			check("Redacted", u.Redacted(), w.redacted)
			check("String", u.String(), w.redacted)
			for k, v := range w.options {
				check("Options["+k+"]", u.Options[k], v)
			}
			if strings.Contains(u.DriverDSN(), "x-") {
				t.Errorf("DriverDSN %q keeps an x- option", u.DriverDSN())
			}
			switch u.Dialect {
			case engine.MySQL:
				cfg := u.MySQLConfig()
				if cfg == nil {
					t.Fatal("MySQLConfig() = nil")
				}
				check("MySQLConfig.User", cfg.User, w.mysqlUser)
				check("MySQLConfig.Passwd", cfg.Passwd, w.mysqlPassword)
				check("MySQLConfig.Net", cfg.Net, w.mysqlNet)
				check("MySQLConfig.Addr", cfg.Addr, w.mysqlAddr)
				check("MySQLConfig.MultiStatements", cfg.MultiStatements, true)
				for k := range cfg.Params {
					if strings.HasPrefix(k, "x-") {
						t.Errorf("MySQLConfig keeps %s", k)
					}
				}
				cfg.User = "changed"
				check("MySQLConfig is a copy", u.MySQLConfig().User, w.mysqlUser)
			case engine.Postgres:
				if u.MySQLConfig() != nil {
					t.Error("MySQLConfig() of a PostgreSQL URL is not nil")
				}
				// golang-migrate's drivers hand the driver the same URL.
				pu, err := url.Parse(tt.raw)
				if err != nil {
					t.Fatal(err)
				}
				pu.Scheme = "postgres"
				check("DriverDSN against golang-migrate's FilterCustomQuery", u.DriverDSN(), migrate.FilterCustomQuery(pu).String())
				check("URLPath against golang-migrate's DatabaseName", u.URLPath, pu.Path)
			case engine.SQLite:
				pu, err := url.Parse(tt.raw)
				if err != nil {
					t.Fatal(err)
				}
				// golang-migrate: strings.Replace(FilterCustomQuery(purl).String(), "sqlite://", "", 1)
				check("DriverDSN against golang-migrate", u.DriverDSN(), strings.Replace(migrate.FilterCustomQuery(pu).String(), u.Scheme+"://", "", 1))
			}
		})
	}
}

func TestParseDatabaseURLErrors(t *testing.T) {
	tests := []struct {
		name     string
		raw      string
		option   string // URLError.Option
		contains string // part of the message
	}{
		{"unknown x- option", "postgres://h/db?x-migration-table=m", "x-migration-table", "unknown option x-migration-table"},
		{"lock strategy is pgx v4 only", "postgres://h/db?x-lock-strategy=table", "x-lock-strategy", "unknown option x-lock-strategy"},
		{"lock table is pgx v4 only", "pgx5://h/db?x-lock-table=l", "x-lock-table", "unknown option"},
		{"mysql has no quoted tables", "mysql://u@tcp(h)/db?x-migrations-table-quoted=true", "x-migrations-table-quoted", "unknown option"},
		{"sqlite has no statement timeout", "sqlite://a.db?x-statement-timeout=10", "x-statement-timeout", "unknown option"},
		{"postgres has no x-no-lock", "pgx://h/db?x-no-lock=true", "x-no-lock", "unknown option"},
		{"bad bool quoted", "postgres://h/db?x-migrations-table-quoted=yes", "x-migrations-table-quoted", "true or false"},
		{"bad bool multi statement", "pgx5://h/db?x-multi-statement=maybe", "x-multi-statement", "true or false"},
		{"bad bool no lock", "mysql://u@tcp(h)/db?x-no-lock=on", "x-no-lock", "true or false"},
		{"bad bool no tx wrap", "sqlite3://a.db?x-no-tx-wrap=2", "x-no-tx-wrap", "true or false"},
		{"bad number", "postgres://h/db?x-statement-timeout=1s", "x-statement-timeout", "whole number"},
		{"bad max size", "pgx://h/db?x-multi-statement-max-size=big", "x-multi-statement-max-size", "whole number"},
		{"bad lock strategy", "pgx4://h/db?x-lock-strategy=mutex", "x-lock-strategy", "advisory or table"},
		{"quoted flag without a table (golang-migrate panics)", "postgres://u:p@h/db?x-migrations-table-quoted=true", "x-migrations-table-quoted", "needs x-migrations-table"},
		{"mysql tls=preferred is a custom TLS name to golang-migrate", "mysql://u:p@tcp(h:3306)/db?tls=preferred", "x-tls-ca", "x-tls-ca"},
		{"upper-case scheme (golang-migrate's driver names are lower case)", "POSTGRES://h/db", "", "unknown scheme"},
		{"quoted table without quotes", "postgres://h/db?x-migrations-table=migrate.schema_migrations&x-migrations-table-quoted=true", "x-migrations-table", "must be quoted"},
		{"quoted table half quoted", `postgres://h/db?x-migrations-table="migrate".schema_migrations&x-migrations-table-quoted=true`, "x-migrations-table", "must be quoted"},
		{"quoted table a lone quote", `postgres://h/db?x-migrations-table="&x-migrations-table-quoted=true`, "x-migrations-table", "must be quoted"},
		{"too many quoted parts", `postgres://h/db?x-migrations-table="a"."b"."c"&x-migrations-table-quoted=true`, "x-migrations-table", "too many"},
		{"custom tls without a CA", "mysql://u:p@tcp(h)/db?tls=custom", "x-tls-ca", "x-tls-ca"},
		{"unknown scheme", "mongodb://h/db", "", "unknown scheme"},
		{"file is a source, not a database", "file://migrations", "", "unknown scheme"},
		{"no scheme", "localhost:5432/db", "", "SCHEME://"},
		{"empty", "", "", "SCHEME://"},
		{"sqlite without a file", "sqlite://", "", "no database file"},
		{"sqlite3 with only options", "sqlite3://?x-no-tx-wrap=true", "", "no database file"},
		{"mysql without a database slash", "mysql://u:p@tcp(h)", "", "cannot parse the DSN"},
		{"postgres malformed", "postgres://h:port/db", "", "malformed URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := ParseDatabaseURL(tt.raw)
			if err == nil {
				t.Fatalf("ParseDatabaseURL(%q) = %+v, want an error", tt.raw, u)
			}
			var ue *URLError
			if !errors.As(err, &ue) {
				t.Fatalf("error %T %v, want a *URLError", err, err)
			}
			if ue.Option != tt.option {
				t.Errorf("Option = %q, want %q", ue.Option, tt.option)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not contain %q", err, tt.contains)
			}
			if !strings.HasPrefix(err.Error(), "database URL") {
				t.Errorf("error %q does not start with \"database URL\"", err)
			}
		})
	}
}

// TestURLRedaction: no output of the URL parser ever shows a password.
func TestURLRedaction(t *testing.T) {
	tests := []struct {
		name     string
		raw      string
		password string   // as the server sees it
		written  []string // further spellings of it that may appear in text
		fails    bool
	}{
		{name: "postgres simple", raw: "postgres://user:hunter2@h/db", password: "hunter2"},
		{name: "postgres special characters", raw: "postgres://user:p%40ss%3Aw%2Frd%2521@h:5432/db?sslmode=disable", password: "p@ss:w/rd%21", written: []string{"p%40ss%3Aw%2Frd%2521"}},
		{name: "postgresql special characters unknown option", raw: "postgresql://user:p%40ss%3Aw%2Frd%2521@h/db?x-nope=1", password: "p@ss:w/rd%21", written: []string{"p%40ss%3Aw%2Frd%2521"}, fails: true},
		{name: "pgx5 bad option", raw: "pgx5://user:s3cr3tpw@h/db?x-statement-timeout=abc", password: "s3cr3tpw", fails: true},
		{name: "pgx4 spaces and plus", raw: "pgx4://user:a%20b+c@h/db", password: "a b+c", written: []string{"a%20b+c"}},
		{name: "postgres query password", raw: "postgres://user@h/db?password=qu3ryp%40ss&sslmode=disable", password: "qu3ryp@ss", written: []string{"qu3ryp%40ss"}},
		{name: "postgres query password and bad option", raw: "postgres://user@h/db?password=qu3rypw&x-lock-strategy=table", password: "qu3rypw", fails: true},
		{name: "postgres sslpassword", raw: "postgres://user@h/db?sslpassword=k3ypass", password: "k3ypass"},
		{name: "postgres unescaped hash in password", raw: "postgres://user:s3cr3t#x@h/db", password: "s3cr3t", fails: true},
		{name: "postgres unescaped slash in password", raw: "postgres://user:s3cr3t/x@h/db", password: "s3cr3t", fails: true},
		{name: "postgres unescaped question mark in password", raw: "postgres://user:s3cr3t?x@h/db", password: "s3cr3t", fails: true},
		{name: "postgres bad escape in password", raw: "postgres://user:s3cr3t%zz@h/db", password: "s3cr3t", fails: true},
		{name: "mysql simple", raw: "mysql://user:hunter2@tcp(h:3306)/db", password: "hunter2"},
		{name: "mysql special characters", raw: "mysql://user:p%40ss%3Aw%2Frd%2521@tcp(h:3306)/db", password: "p@ss:w/rd%21", written: []string{"p%40ss%3Aw%2Frd%2521"}},
		{name: "mysql unescaped at", raw: "mysql://user:p@ssw0rd@tcp(h:3306)/db", password: "p@ssw0rd"},
		{name: "mysql bad option", raw: "mysql://user:hunter2@tcp(h)/db?x-nope=1", password: "hunter2", fails: true},
		{name: "mysql custom tls without CA", raw: "mysql://user:hunter2@tcp(h)/db?tls=mine", password: "hunter2", fails: true},
		{name: "mysql bad DSN", raw: "mysql://user:hunter2@tcp(h", password: "hunter2", fails: true},
		{name: "mysql bad escape in password", raw: "mysql://user:hun%zzter2@tcp(h)/db", password: "hun%zzter2", fails: true},
		{name: "mysql bad param", raw: "mysql://user:hunter2@tcp(h)/db?a=%zz", password: "hunter2", fails: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secrets := append([]string{tt.password}, tt.written...)
			leaks := func(what, text string) {
				t.Helper()
				for _, s := range secrets {
					if strings.Contains(text, s) {
						t.Errorf("%s shows the password %q: %s", what, s, text)
					}
				}
			}
			u, err := ParseDatabaseURL(tt.raw)
			if tt.fails {
				if err == nil {
					t.Fatalf("ParseDatabaseURL(%q) succeeded, want an error", tt.raw)
				}
				leaks("the error", err.Error())
				var ue *URLError
				if errors.As(err, &ue) {
					leaks("URLError.URL", ue.URL)
					leaks("URLError.Reason", ue.Reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDatabaseURL: %v", err)
			}
			leaks("Redacted()", u.Redacted())
			leaks("String()", u.String())
			if !strings.Contains(u.Redacted(), "xxxxx") {
				t.Errorf("Redacted() %q does not mark the password", u.Redacted())
			}
			for _, s := range secrets {
				text := "connect: password " + s + " rejected for " + s + " at " + tt.raw
				got := u.Redact(text)
				leaks("Redact()", got)
				if !strings.Contains(got, "xxxxx") {
					t.Errorf("Redact(%q) = %q", text, got)
				}
			}
			// The DSN is for the driver, and must carry the password.
			switch u.Dialect {
			case engine.MySQL:
				if got := u.MySQLConfig().Passwd; got != tt.password {
					t.Errorf("MySQLConfig().Passwd = %q, want %q", got, tt.password)
				}
			case engine.Postgres:
				du, err := url.Parse(u.DriverDSN())
				if err != nil {
					t.Fatalf("DriverDSN does not parse: %v", err)
				}
				got, _ := du.User.Password()
				if q := du.Query(); q.Has("password") {
					got = q.Get("password")
				} else if q.Has("sslpassword") {
					got = q.Get("sslpassword")
				}
				if got != tt.password {
					t.Errorf("the password in DriverDSN is %q, want %q", got, tt.password)
				}
			}
			// Redact leaves text without the password alone.
			if got := u.Redact("nothing secret here"); got != "nothing secret here" {
				t.Errorf("Redact changed harmless text: %q", got)
			}
		})
	}
}
