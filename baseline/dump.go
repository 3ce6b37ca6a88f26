package baseline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/internal/ddl"
	"github.com/ferrymigrate/ferry/internal/scratch"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// dump replays the files on a scratch database and returns its schema as
// SQL that golang-migrate can run.
func dump(ctx context.Context, b *Baseline, o Options, files []source) ([]byte, error) {
	look := o.LookPath
	if look == nil {
		look = exec.LookPath
	}
	dumpWith, err := engine.PerEngine[dumper]{Postgres: dumpPostgres, MySQL: dumpMySQL, SQLite: dumpSQLiteMaster}.For(b.Dialect)
	if err != nil {
		return nil, err
	}
	return dumpWith(ctx, b, o.Dev, look, files)
}

// dumper is one engine's dump: it replays the files on a scratch database
// on dev, dumps its schema with the engine's tool (found with look) and
// names that tool in b.Tool.
type dumper func(ctx context.Context, b *Baseline, dev *compat.DatabaseURL, look func(string) (string, error), files []source) ([]byte, error)

// onScratch creates a scratch database on dev, replays the files on it in
// order, as golang-migrate runs them (its table first, with dev's
// x-migrations-table; see scratch.DB.Mimic), and returns what dumpSchema
// makes of it, golang-migrate's table left out, followed by the files'
// statements that changed that table: golang-migrate creates its table
// before it runs the baseline. The scratch database is always dropped
// again, also when ctx is cancelled.
func onScratch(ctx context.Context, b *Baseline, dev *compat.DatabaseURL, files []source, dumpSchema func(context.Context, *scratch.DB) ([]byte, error)) (body []byte, err error) {
	s, err := scratch.New(ctx, dev)
	if err != nil {
		return nil, err
	}
	defer func() {
		if closeErr := s.Close(ctx); closeErr != nil && err == nil {
			err = closeErr
		}
	}()
	if !dev.Dialect.Embedded() {
		b.Scratch = s.Name
	}
	if err := s.Mimic(ctx, dev); err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := s.Run(ctx, scratch.File{Name: f.name, Version: int64(f.version), Statements: f.stmts}, nil); err != nil {
			var re *scratch.ReplayError
			if errors.As(err, &re) {
				return nil, &ReplayError{File: re.File, Statement: re.Statement, Total: len(f.stmts), Line: re.Line, Err: re.Err}
			}
			return nil, err
		}
	}
	body, err = dumpSchema(ctx, s)
	if err != nil {
		return nil, err
	}
	return append(body, migrationsTableChanges(b.Dialect, s.MigrationsTable().Name, files)...), nil
}

// migrationsTableChanges returns the statements of the files that change
// golang-migrate's table (add a column, an index, a trigger to it), in
// file order, for the end of a baseline; nothing when there are none.
func migrationsTableChanges(d engine.Dialect, table string, files []source) []byte {
	tableKey := func(name string) string { return ddl.Ref{Kind: ddl.Table, Name: name}.Key(d).Name }
	key := tableKey(table)
	var out bytes.Buffer
	for _, f := range files {
		for _, st := range f.stmts {
			ch := ddl.Analyse(d, st.Text)
			if ch.DML || ch.TxControl {
				continue
			}
			touches := false
			for _, e := range ch.Effects {
				if e.Ref.Kind.Child() && e.Ref.Table != "" && tableKey(e.Ref.Table) == key {
					touches = true
				}
			}
			if !touches {
				continue
			}
			if out.Len() == 0 {
				fmt.Fprintf(&out, "\n-- golang-migrate's table %s as the files changed it (golang-migrate creates the table itself before it runs this file)\n", table)
			}
			fmt.Fprintf(&out, "-- from %s, statement %d\n%s\n", f.name, st.Index, st.Text)
		}
	}
	return out.Bytes()
}

func dumpSQLite(ctx context.Context, s *scratch.DB) ([]byte, error) {
	// Tables first, then indexes, views (in creation order, so views on
	// views work) and triggers (which may be on views). Internal tables and
	// the shadow tables of virtual tables are made by SQLite itself.
	rows, err := s.QueryContext(ctx, `SELECT sql FROM sqlite_master
WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
  AND name NOT IN (SELECT name FROM pragma_table_list WHERE type = 'shadow')
  AND tbl_name <> ? COLLATE NOCASE
ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'view' THEN 2 ELSE 3 END, rowid`, s.MigrationsTable().Name)
	if err != nil {
		return nil, fmt.Errorf("read sqlite_master: %w", err)
	}
	defer rows.Close()
	var out bytes.Buffer
	out.WriteString("\n")
	for rows.Next() {
		var text string
		if err := rows.Scan(&text); err != nil {
			return nil, fmt.Errorf("read sqlite_master: %w", err)
		}
		out.WriteString(text + ";\n")
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read sqlite_master: %w", err)
	}
	return out.Bytes(), nil
}

// dumpSQLiteMaster reads the schema from sqlite_master: SQLite needs no
// dump tool.
func dumpSQLiteMaster(ctx context.Context, b *Baseline, dev *compat.DatabaseURL, _ func(string) (string, error), files []source) ([]byte, error) {
	b.Tool = "sqlite_master"
	return onScratch(ctx, b, dev, files, dumpSQLite)
}

func dumpPostgres(ctx context.Context, b *Baseline, dev *compat.DatabaseURL, look func(string) (string, error), files []source) ([]byte, error) {
	tool, err := look("pg_dump")
	if err != nil {
		return nil, &ToolError{Tools: []string{"pg_dump"}, Package: "postgresql-client"}
	}
	return onScratch(ctx, b, dev, files, func(ctx context.Context, s *scratch.DB) ([]byte, error) {
		u, err := url.Parse(s.URL.DriverDSN())
		if err != nil {
			return nil, fmt.Errorf("the URL of scratch database %s cannot be parsed: %s", s.URL.Redacted(), s.URL.Redact(err.Error()))
		}
		conninfo, env := pgDumpConn(u)
		b.Tool = "pg_dump --schema-only --no-owner --no-privileges"
		t := s.MigrationsTable()
		exclude := "--exclude-table=" + pgQuote(t.Schema) + "." + pgQuote(t.Name)
		out, err := runTool(ctx, tool, []string{"--schema-only", "--no-owner", "--no-privileges", exclude, "--dbname=" + conninfo}, env)
		if err != nil {
			return nil, err
		}
		return postgresBody(out)
	})
}

// libpqParams are the connection parameters pg_dump understands; pgx takes
// others (run-time settings such as search_path) that libpq refuses.
var libpqParams = map[string]bool{
	"host": true, "hostaddr": true, "port": true, "user": true, "passfile": true, "channel_binding": true,
	"connect_timeout": true, "client_encoding": true, "options": true, "application_name": true,
	"fallback_application_name": true, "keepalives": true, "keepalives_idle": true, "keepalives_interval": true,
	"keepalives_count": true, "tcp_user_timeout": true, "sslmode": true, "sslcompression": true, "sslcert": true,
	"sslkey": true, "sslcertmode": true, "sslrootcert": true, "sslcrl": true, "sslcrldir": true, "sslsni": true,
	"requirepeer": true, "ssl_min_protocol_version": true, "ssl_max_protocol_version": true, "gssencmode": true,
	"krbsrvname": true, "gsslib": true, "gssdelegation": true, "service": true, "target_session_attrs": true,
	"load_balance_hosts": true,
}

// pgDumpConn turns a PostgreSQL URL into a connection URI for pg_dump
// without the password, which goes into PGPASSWORD.
func pgDumpConn(u *url.URL) (string, []string) {
	c := *u
	var env []string
	if c.User != nil {
		if pw, ok := c.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
		}
		c.User = url.User(c.User.Username())
	}
	q := c.Query()
	if pw := q.Get("password"); pw != "" {
		env = append(env, "PGPASSWORD="+pw)
	}
	kept := url.Values{}
	for k, v := range q {
		if libpqParams[k] {
			kept[k] = v
		}
	}
	c.RawQuery = kept.Encode()
	c.Scheme = "postgresql"
	return c.String(), env
}

// runTool runs a dump tool with an argument list (never a shell) and extra
// environment variables (credentials), and returns its standard output.
func runTool(ctx context.Context, tool string, args, env []string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, tool, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, &DumpError{Tool: filepath.Base(tool), Stderr: strings.TrimSpace(stderr.String()), Err: err}
	}
	return stdout.Bytes(), nil
}

// psqlMeta matches the psql meta-commands pg_dump writes since 17.6, 16.10,
// 15.14 (\restrict KEY, \unrestrict KEY); servers cannot run them.
var psqlMeta = regexp.MustCompile(`(?m)^\\(?:un)?restrict [^\n]*\n?`)

// pgSet matches the session settings at the top of a pg_dump.
var pgSet = regexp.MustCompile(`^SET ([a-z_]+) = [^\n]*;$`)

// postgresBody makes a pg_dump runnable by golang-migrate: it drops psql's
// meta-commands and, at the end, resets the settings the dump changes for
// its session (search_path is emptied!), so that later migrations in the
// same golang-migrate run see the settings they always saw.
func postgresBody(dump []byte) ([]byte, error) {
	body := psqlMeta.ReplaceAll(dump, nil)
	stmts, err := sqlsplit.Split(engine.Postgres, body)
	if err != nil {
		return nil, fmt.Errorf("pg_dump output does not split into statements: %w", err)
	}
	var reset []string
	seen := map[string]bool{}
	for _, st := range stmts {
		name := ""
		if m := pgSet.FindStringSubmatch(st.Text); m != nil {
			name = m[1]
		} else if strings.HasPrefix(st.Text, "SELECT pg_catalog.set_config('search_path'") {
			name = "search_path"
		}
		if name != "" && !seen[name] {
			seen[name] = true
			reset = append(reset, name)
		}
	}
	out := append([]byte("\n"), bytes.TrimSpace(body)...)
	if len(reset) > 0 {
		out = append(out, "\n\n-- ferry: give the session back the settings the dump changed, for the migrations after this one.\n"...)
		for _, n := range reset {
			out = append(out, "RESET "+n+";\n"...)
		}
	} else {
		out = append(out, '\n')
	}
	return out, nil
}

func dumpMySQL(ctx context.Context, b *Baseline, dev *compat.DatabaseURL, look func(string) (string, error), files []source) ([]byte, error) {
	tools := []string{"mysqldump", "mariadb-dump"}
	found := map[string]string{}
	for _, t := range tools {
		if p, err := look(t); err == nil {
			found[t] = p
		}
	}
	if len(found) == 0 {
		return nil, &ToolError{Tools: tools, Package: "mariadb-client (or mysql-client)"}
	}
	return onScratch(ctx, b, dev, files, func(ctx context.Context, s *scratch.DB) ([]byte, error) {
		var version string
		if err := s.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version); err != nil {
			return nil, fmt.Errorf("server version of %s: %w", dev.Redacted(), err)
		}
		// Each server's own client first.
		tool := found["mysqldump"]
		if p := found["mariadb-dump"]; p != "" && (tool == "" || strings.Contains(strings.ToLower(version), "mariadb")) {
			tool = p
		}
		ver, err := exec.CommandContext(ctx, tool, "--version").Output()
		if err != nil {
			return nil, &DumpError{Tool: filepath.Base(tool), Err: err}
		}
		mariaClient := bytes.Contains(bytes.ToLower(ver), []byte("mariadb"))
		flags := []string{"--no-data", "--skip-comments", "--skip-add-drop-table", "--skip-lock-tables", "--no-tablespaces", "--routines", "--events", "--triggers"}
		if !mariaClient {
			flags = append(flags, "--column-statistics=0", "--set-gtid-purged=OFF")
		}
		b.Tool = filepath.Base(tool) + " " + strings.Join(flags, " ")
		args, env := mysqlDumpConn(s.URL, mariaClient)
		args = append(append(args, flags...), "--ignore-table="+s.Name+"."+s.MigrationsTable().Name, s.Name)
		out, err := runTool(ctx, tool, args, env)
		if err != nil {
			return nil, err
		}
		return mysqlBody(out)
	})
}

// mysqlDumpConn returns the connection arguments of mariadb-dump or
// mysqldump for a MySQL URL; the password goes into MYSQL_PWD.
func mysqlDumpConn(dev *compat.DatabaseURL, mariaClient bool) ([]string, []string) {
	cfg := dev.MySQLConfig()
	args := []string{"--no-defaults"} // option files must not change the connection
	if cfg.Net == "unix" {
		args = append(args, "--protocol=SOCKET", "--socket="+cfg.Addr)
	} else {
		host, port := cfg.Addr, "3306"
		if h, p, ok := cutPort(cfg.Addr); ok {
			host, port = h, p
		}
		args = append(args, "--protocol=TCP", "--host="+host, "--port="+port)
	}
	if cfg.User != "" {
		args = append(args, "--user="+cfg.User)
	}
	var env []string
	if cfg.Passwd != "" {
		env = append(env, "MYSQL_PWD="+cfg.Passwd)
	}
	tlsName := cfg.TLSConfig
	if custom := dev.Options["tls"]; custom != "" {
		tlsName = "custom"
	}
	switch {
	case tlsName == "custom":
		opts := dev.Options
		verify, _ := strconv.ParseBool(opts["x-tls-insecure-skip-verify"])
		verify = !verify
		if mariaClient {
			args = append(args, "--ssl")
			if verify {
				args = append(args, "--ssl-verify-server-cert")
			}
		} else if verify {
			args = append(args, "--ssl-mode=VERIFY_CA")
		} else {
			args = append(args, "--ssl-mode=REQUIRED")
		}
		args = append(args, "--ssl-ca="+opts["x-tls-ca"])
		if opts["x-tls-cert"] != "" {
			args = append(args, "--ssl-cert="+opts["x-tls-cert"], "--ssl-key="+opts["x-tls-key"])
		}
	case tlsName == "true":
		if mariaClient {
			args = append(args, "--ssl", "--ssl-verify-server-cert")
		} else {
			args = append(args, "--ssl-mode=VERIFY_IDENTITY")
		}
	case tlsName == "skip-verify" || tlsName == "preferred":
		if mariaClient {
			args = append(args, "--ssl")
		} else if tlsName == "preferred" {
			args = append(args, "--ssl-mode=PREFERRED")
		} else {
			args = append(args, "--ssl-mode=REQUIRED")
		}
	default:
		if mariaClient {
			args = append(args, "--skip-ssl")
		} else {
			args = append(args, "--ssl-mode=DISABLED")
		}
	}
	return args, env
}

func cutPort(addr string) (string, string, bool) {
	i := strings.LastIndex(addr, ":")
	if i < 0 || strings.HasSuffix(addr, "]") {
		return "", "", false
	}
	return strings.Trim(addr[:i], "[]"), addr[i+1:], true
}

// mariaSandbox is the first line of dumps by MariaDB clients since 10.5.25,
// 10.6.18, 10.11.8: a command for the mariadb client, not for servers.
var mariaSandbox = regexp.MustCompile(`(?m)^/\*M!999999\\- enable the sandbox mode \*/ *\n?`)

// definer matches the DEFINER of a dumped trigger, view or routine: the user
// that ran the scratch replay means nothing in another environment.
var (
	definerComment = regexp.MustCompile("/\\*!50017 DEFINER=`(?:[^`]|``)*`@`(?:[^`]|``)*`\\s*\\*/\\s*")
	definerClause  = regexp.MustCompile("DEFINER=`(?:[^`]|``)*`@`(?:[^`]|``)*`\\s*")
)

// mysqlBody makes a mysqldump runnable by golang-migrate, which sends the
// file as one multi-statement query: DELIMITER is a client command, so every
// statement is written with ";" (the server parses BEGIN ... END bodies by
// itself), and DEFINER clauses are dropped so that the objects belong to
// whoever runs the migration.
func mysqlBody(dump []byte) ([]byte, error) {
	body := mariaSandbox.ReplaceAll(dump, nil)
	stmts, err := sqlsplit.Split(engine.MySQL, body)
	if err != nil {
		return nil, fmt.Errorf("dump output does not split into statements: %w", err)
	}
	var out bytes.Buffer
	out.WriteString("\n")
	for _, st := range stmts {
		text := definerComment.ReplaceAllString(st.Text, "")
		text = definerClause.ReplaceAllString(text, "")
		out.WriteString(text)
		if st.Delimiter != sqlsplit.DefaultDelimiter {
			out.WriteString(";")
		}
		out.WriteString("\n")
	}
	return out.Bytes(), nil
}

// ---- writing ----

// dataNotes warns that a schema dump carries no rows: the replaced files'
// statements that change rows (seed data) are not in the baseline.
func dataNotes(d engine.Dialect, files []source) []string {
	var where []string
	n := 0
	for _, f := range files {
		for _, st := range f.stmts {
			if ch := ddl.Analyse(d, st.Text); ch.DML {
				n++
				if len(where) < 5 {
					where = append(where, fmt.Sprintf("%s statement %d (line %d)", f.name, st.Index, st.Line))
				}
			}
		}
	}
	if n == 0 {
		return nil
	}
	more := ""
	if n > len(where) {
		more = fmt.Sprintf(" and %d more", n-len(where))
	}
	return []string{fmt.Sprintf("the replaced files change rows in %d statement(s) (%s%s), and a schema dump has no rows: new environments built from this baseline lack that data; add it to the baseline by hand or keep it in a migration after the baseline", n, strings.Join(where, ", "), more)}
}

// pgQuote quotes a PostgreSQL identifier (also a pg_dump pattern that
// matches exactly that name).
func pgQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
