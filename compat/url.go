package compat

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/ferrymigrate/ferry/engine"
)

// DefaultMigrationsTable is golang-migrate's default table name.
const DefaultMigrationsTable = "schema_migrations"

// redactedPassword replaces passwords in every printed URL.
const redactedPassword = "xxxxx"

// optionsByScheme lists the x- options each golang-migrate driver reads.
var optionsByScheme = map[string][]string{
	"postgres":   {"x-migrations-table", "x-migrations-table-quoted", "x-statement-timeout", "x-multi-statement", "x-multi-statement-max-size"},
	"postgresql": {"x-migrations-table", "x-migrations-table-quoted", "x-statement-timeout", "x-multi-statement", "x-multi-statement-max-size"},
	"pgx5":       {"x-migrations-table", "x-migrations-table-quoted", "x-statement-timeout", "x-multi-statement", "x-multi-statement-max-size"},
	"pgx":        {"x-migrations-table", "x-migrations-table-quoted", "x-statement-timeout", "x-multi-statement", "x-multi-statement-max-size", "x-lock-strategy", "x-lock-table"},
	"pgx4":       {"x-migrations-table", "x-migrations-table-quoted", "x-statement-timeout", "x-multi-statement", "x-multi-statement-max-size", "x-lock-strategy", "x-lock-table"},
	"mysql":      {"x-migrations-table", "x-no-lock", "x-statement-timeout", "x-tls-ca", "x-tls-cert", "x-tls-key", "x-tls-insecure-skip-verify"},
	"sqlite":     {"x-migrations-table", "x-no-tx-wrap"},
	"sqlite3":    {"x-migrations-table", "x-no-tx-wrap"},
}

// Schemes returns the URL schemes ferry accepts, sorted.
func Schemes() []string {
	var out []string
	for s := range optionsByScheme {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// DatabaseURL is a parsed golang-migrate database URL. Its String method
// returns the redacted form; the password never leaves this type except
// through DriverDSN and MySQLConfig, which feed database drivers.
type DatabaseURL struct {
	Scheme  string         // as written: postgres, postgresql, pgx, pgx4, pgx5, mysql, sqlite, sqlite3
	Dialect engine.Dialect // engine family
	// Options holds the x- options, validated for the scheme's driver.
	Options map[string]string
	// MigrationsTable is x-migrations-table as given, or "schema_migrations".
	MigrationsTable string
	// TableQuoted is x-migrations-table-quoted (PostgreSQL).
	TableQuoted bool
	// QuotedSchema and QuotedTable are the parts of a quoted
	// x-migrations-table ("schema"."table"); QuotedSchema may be empty.
	QuotedSchema, QuotedTable string
	// SearchPath is the search_path parameter (PostgreSQL), if any.
	SearchPath string
	// Database is the database name (PostgreSQL: the URL path without the
	// leading "/", empty when the URL has none; MySQL: the DSN's database;
	// SQLite: the file path).
	Database string
	// URLPath is the PostgreSQL URL path as golang-migrate keeps it ("/db");
	// it is part of golang-migrate's lock key.
	URLPath string
	// FromEnv is set by a caller that read the URL from $DATABASE_URL: the
	// commands ferry prints then leave --database out (ferry reads the
	// variable itself), so that they work when pasted, password included,
	// without printing it.
	FromEnv bool

	redacted string
	dsn      string
	secrets  []string
	mysqlCfg *mysql.Config
}

// URLError is a database URL that golang-migrate would refuse or that names
// an option no driver reads. It is a usage error.
type URLError struct {
	URL    string // redacted
	Option string // the offending option, if any
	Reason string
}

func (e *URLError) Error() string {
	if e.URL == "" {
		return "database URL: " + e.Reason
	}
	return fmt.Sprintf("database URL %s: %s", e.URL, e.Reason)
}

// ParseDatabaseURL parses a URL the way golang-migrate's CLI and drivers take
// it (docs/urls.md lists every scheme and option). An x- option that the
// scheme's driver does not read is an error naming it; golang-migrate would
// silently ignore it.
func ParseDatabaseURL(raw string) (*DatabaseURL, error) {
	scheme, _, ok := strings.Cut(raw, "://")
	if !ok || scheme == "" {
		return nil, &URLError{Reason: "expected SCHEME://..., with one of the schemes " + strings.Join(Schemes(), ", ")}
	}
	if _, known := optionsByScheme[scheme]; !known {
		return nil, &URLError{Reason: fmt.Sprintf("unknown scheme %q; ferry reads %s", scheme, strings.Join(Schemes(), ", "))}
	}
	u := &DatabaseURL{Scheme: scheme, MigrationsTable: DefaultMigrationsTable, Options: map[string]string{}}
	var err error
	switch scheme {
	case "mysql":
		u.Dialect = engine.MySQL
		err = u.parseMySQL(raw)
	case "sqlite", "sqlite3":
		u.Dialect = engine.SQLite
		err = u.parseSQLite(raw)
	default:
		u.Dialect = engine.Postgres
		err = u.parsePostgres(raw)
	}
	if err != nil {
		return nil, err
	}
	if err := u.validateOptions(); err != nil {
		return nil, err
	}
	return u, nil
}

// String returns the redacted URL.
func (u *DatabaseURL) String() string { return u.redacted }

// Redacted returns the URL with its password replaced by "xxxxx".
func (u *DatabaseURL) Redacted() string { return u.redacted }

// DatabaseArgs are the words that name this database in a command ferry
// prints: none when the URL came from $DATABASE_URL, else --database and
// the redacted URL.
func (u *DatabaseURL) DatabaseArgs() []string {
	if u.FromEnv {
		return nil
	}
	return []string{"--database", u.redacted}
}

// Redact replaces every secret of this URL that occurs in s; use it on any
// text that may have come from a driver.
func (u *DatabaseURL) Redact(s string) string {
	for _, sec := range u.secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, redactedPassword)
		}
	}
	return s
}

// DriverDSN returns the data source name for ferry's own driver (pgx, mysql,
// modernc sqlite) with golang-migrate's x- options removed. It contains the
// password: pass it to a driver, never print it.
func (u *DatabaseURL) DriverDSN() string { return u.dsn }

// MySQLConfig returns a copy of the go-sql-driver configuration (MySQL only).
// It contains the password.
func (u *DatabaseURL) MySQLConfig() *mysql.Config {
	if u.mysqlCfg == nil {
		return nil
	}
	return u.mysqlCfg.Clone()
}

func (u *DatabaseURL) parsePostgres(raw string) error {
	pu, err := url.Parse(raw)
	if err != nil {
		return &URLError{Reason: "cannot parse: " + redactParseError(err)}
	}
	q := pu.Query()
	if pw, ok := pu.User.Password(); ok {
		u.secrets = append(u.secrets, pw, url.QueryEscape(pw), url.PathEscape(pw))
	}
	for _, k := range []string{"password", "sslpassword"} {
		if v := q.Get(k); v != "" {
			u.secrets = append(u.secrets, v, url.QueryEscape(v))
		}
	}
	u.takeOptions(q)
	u.SearchPath = q.Get("search_path")
	u.URLPath = pu.Path
	u.Database = strings.TrimPrefix(pu.Path, "/")

	driver := *pu
	driver.Scheme = "postgres"
	driver.RawQuery = withoutOptions(q).Encode()
	u.dsn = driver.String()

	shown := *pu
	if _, ok := pu.User.Password(); ok {
		shown.User = url.UserPassword(pu.User.Username(), redactedPassword)
	}
	sq := pu.Query()
	for _, k := range []string{"password", "sslpassword"} {
		if sq.Has(k) {
			sq.Set(k, redactedPassword)
		}
	}
	shown.RawQuery = sq.Encode()
	u.redacted = shown.String()
	return nil
}

func (u *DatabaseURL) parseMySQL(raw string) error {
	dsn := raw[len("mysql://"):]
	u.redacted = "mysql://" + redactMySQLDSN(dsn)
	if _, pw, ok := mysqlUserInfo(dsn); ok && pw != "" {
		u.secrets = append(u.secrets, pw)
		if un, err := url.QueryUnescape(pw); err == nil {
			u.secrets = append(u.secrets, un)
		}
	}
	// The driver refuses unregistered TLS config names; golang-migrate
	// registers one from x-tls-*; ferry builds it when it connects.
	customTLS := ""
	base, rawQuery, _ := cutLast(dsn, "?")
	if rawQuery != "" {
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return &URLError{URL: u.redacted, Reason: "cannot parse the parameters: " + err.Error()}
		}
		if t := q.Get("tls"); t != "" {
			// Exactly golang-migrate's rule: anything but a boolean or
			// skip-verify names a custom TLS setup built from x-tls-*.
			if _, isBool := parseMySQLBool(t); !isBool && strings.ToLower(t) != "skip-verify" {
				customTLS = t
				q.Del("tls")
				dsn = base + "?" + q.Encode()
			}
		}
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return &URLError{URL: u.redacted, Reason: "cannot parse the DSN (expected mysql://user:password@tcp(host:port)/dbname?param=value): " + u.Redact(err.Error())}
	}
	cfg.MultiStatements = true
	if cfg.User, err = url.QueryUnescape(cfg.User); err != nil {
		return &URLError{URL: u.redacted, Reason: "cannot unescape the user name: " + err.Error()}
	}
	if cfg.Passwd, err = url.QueryUnescape(cfg.Passwd); err != nil {
		return &URLError{URL: u.redacted, Reason: "cannot unescape the password"}
	}
	if cfg.Passwd != "" {
		u.secrets = append(u.secrets, cfg.Passwd)
	}
	q := url.Values{}
	for k, v := range cfg.Params {
		if strings.HasPrefix(k, "x-") {
			q.Set(k, v)
			delete(cfg.Params, k)
		}
	}
	u.takeOptions(q)
	if customTLS != "" {
		u.Options["tls"] = customTLS
		if u.Options["x-tls-ca"] == "" {
			return &URLError{URL: u.redacted, Option: "x-tls-ca", Reason: fmt.Sprintf("tls=%s needs x-tls-ca (the CA certificate file), as in golang-migrate", customTLS)}
		}
	}
	u.Database = cfg.DBName
	u.mysqlCfg = cfg
	u.dsn = cfg.FormatDSN()
	return nil
}

func (u *DatabaseURL) parseSQLite(raw string) error {
	pu, err := url.Parse(raw)
	if err != nil {
		return &URLError{Reason: "cannot parse: " + err.Error()}
	}
	u.redacted = raw
	q := pu.Query()
	u.takeOptions(q)
	filtered := *pu
	filtered.RawQuery = withoutOptions(q).Encode()
	// golang-migrate strips the scheme from the re-encoded URL and hands the
	// rest to the driver: sqlite://rel.db is rel.db, sqlite:///abs.db is /abs.db.
	u.dsn = strings.Replace(filtered.String(), u.Scheme+"://", "", 1)
	path, _, _ := strings.Cut(u.dsn, "?")
	if path == "" || pu.Host+pu.Path == "" { // sqlite:// re-encodes as "sqlite:"
		return &URLError{URL: u.redacted, Reason: "no database file (expected sqlite://relative/file.db or sqlite:///absolute/file.db)"}
	}
	u.Database = path
	return nil
}

// takeOptions moves the x- parameters of q into u.Options.
func (u *DatabaseURL) takeOptions(q url.Values) {
	for k, v := range q {
		if strings.HasPrefix(k, "x-") {
			u.Options[k] = v[0] // golang-migrate reads url.Values.Get: the first one
		}
	}
	if t := u.Options["x-migrations-table"]; t != "" {
		u.MigrationsTable = t
	}
}

func withoutOptions(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		if !strings.HasPrefix(k, "x-") {
			out[k] = v
		}
	}
	return out
}

var quotedPart = regexp.MustCompile(`"(.*?)"`)

// validateOptions checks the x- options as the scheme's driver would, and
// refuses the ones it does not read.
func (u *DatabaseURL) validateOptions() error {
	known := optionsByScheme[u.Scheme]
	var names []string
	for k := range u.Options {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if k == "tls" {
			continue
		}
		if !slices.Contains(known, k) {
			return &URLError{URL: u.redacted, Option: k, Reason: fmt.Sprintf("unknown option %s: golang-migrate's %s driver reads only %s (it would silently ignore %s)", k, u.Scheme, strings.Join(known, ", "), k)}
		}
		v := u.Options[k]
		bad := func(what string) error {
			return &URLError{URL: u.redacted, Option: k, Reason: fmt.Sprintf("option %s=%q: %s", k, v, what)}
		}
		switch k {
		case "x-migrations-table-quoted", "x-multi-statement", "x-no-lock", "x-no-tx-wrap", "x-tls-insecure-skip-verify":
			b, err := strconv.ParseBool(v)
			if err != nil && v != "" {
				return bad("expected true or false")
			}
			if k == "x-migrations-table-quoted" {
				u.TableQuoted = b
			}
		case "x-statement-timeout", "x-multi-statement-max-size":
			if _, err := strconv.Atoi(v); err != nil && v != "" {
				return bad("expected a whole number (milliseconds for x-statement-timeout, bytes for x-multi-statement-max-size)")
			}
		case "x-lock-strategy":
			if v != "" && v != "advisory" && v != "table" {
				return bad("expected advisory or table")
			}
		}
	}
	if u.TableQuoted {
		t := u.Options["x-migrations-table"]
		if t == "" {
			return &URLError{URL: u.redacted, Option: "x-migrations-table-quoted", Reason: `x-migrations-table-quoted=true needs x-migrations-table, quoted as in "migrate"."schema_migrations" (golang-migrate crashes without it)`}
		}
		if t != "" && (len(t) < 2 || t[0] != '"' || t[len(t)-1] != '"') {
			return &URLError{URL: u.redacted, Option: "x-migrations-table", Reason: fmt.Sprintf(`with x-migrations-table-quoted=true the table must be quoted, as in "migrate"."schema_migrations"; got %s`, t)}
		}
		if t != "" {
			parts := quotedPart.FindAllStringSubmatch(t, -1)
			switch len(parts) {
			case 1:
				u.QuotedTable = parts[0][1]
			case 2:
				u.QuotedSchema, u.QuotedTable = parts[0][1], parts[1][1]
			default:
				return &URLError{URL: u.redacted, Option: "x-migrations-table", Reason: fmt.Sprintf("%s has too many dot-separated parts; expected \"schema\".\"table\"", t)}
			}
		}
	}
	return nil
}

// mysqlUserInfo splits the user and password off a go-sql-driver DSN the way
// the driver finds them: before the last "@" that precedes the last "/". A
// malformed DSN without "/" is searched up to its end, so that its password
// is still found (and redacted).
func mysqlUserInfo(dsn string) (user, password string, hasPassword bool) {
	at := mysqlAt(dsn)
	if at < 0 {
		return "", "", false
	}
	user, password, hasPassword = strings.Cut(dsn[:at], ":")
	return user, password, hasPassword
}

// mysqlAt returns the index of the "@" that ends a DSN's user info, or -1.
func mysqlAt(dsn string) int {
	end := strings.LastIndex(dsn, "/")
	if end < 0 {
		end = len(dsn)
	}
	return strings.LastIndex(dsn[:end], "@")
}

func redactMySQLDSN(dsn string) string {
	user, password, ok := mysqlUserInfo(dsn)
	if !ok || password == "" {
		return dsn
	}
	return user + ":" + redactedPassword + dsn[mysqlAt(dsn):]
}

func parseMySQLBool(s string) (value, ok bool) {
	switch s {
	case "1", "true", "TRUE", "True":
		return true, true
	case "0", "false", "FALSE", "False":
		return false, true
	}
	return false, false
}

func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// redactParseError keeps net/url's parse errors from echoing any part of the
// URL: they quote parts of it, and in a URL whose password holds an unescaped
// "/", "?" or "#" the quoted part is the password (`invalid port ":s3cr3t"
// after host`).
func redactParseError(error) string {
	return "malformed URL (percent-encode characters such as @ : / ? # % in the user name and password)"
}
