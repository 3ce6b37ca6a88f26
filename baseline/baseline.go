package baseline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
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
	"github.com/ferrymigrate/ferry/refusal"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// A baseline migration reproduces the schema at a version V in one file, for
// new environments. Generate makes one (a value: nothing is written);
// WriteOut writes it to a file of its own and Replace puts it in the folder
// in place of the files up to V.

// ArchiveDir is the subfolder of the migration folder that Replace moves the
// replaced files to. golang-migrate reads only the top level of the folder.
const ArchiveDir = "archive"

// ErrUnknownVersion is a baseline version the folder has no up file for.
var ErrUnknownVersion = errors.New("no up file for the version")

// Method says how a baseline was made.
type Method string

// Methods.
const (
	// Concatenation: the up files up to V, in order, each behind a comment
	// line naming it.
	Concatenation Method = "concatenation"
	// Dump: the up files replayed on a scratch database, then its schema
	// dumped (pg_dump, mariadb-dump / mysqldump, SQLite's sqlite_master).
	Dump Method = "dump"
)

// Options control Generate.
type Options struct {
	// Version is V: the baseline reproduces the schema after V's up file.
	// V must have an up file.
	Version uint64
	// Dialect of the files; it may be left empty when Dev is set.
	Dialect engine.Dialect
	// Dev, when set, selects Dump: a server on which a scratch database is
	// created (PostgreSQL, MySQL: ferry_scratch_<random>, always dropped
	// again; see internal/scratch) or, for SQLite, an in-memory database.
	// Nil selects Concatenation.
	Dev *compat.DatabaseURL
	// Replace also plans replacing the files up to V in the folder (see
	// Replace).
	Replace bool
	// LookPath finds the dump tools; nil means exec.LookPath.
	LookPath func(file string) (string, error)
}

// Baseline is a generated baseline migration. Content is the whole file:
// a comment header (the versions it replaces and the atlas.sum line of V),
// then the SQL.
type Baseline struct {
	// Dir is the migration folder as given to Generate; Replace works on it.
	Dir         string         `json:"path"`
	Version     uint64         `json:"version"`
	VersionText string         `json:"version_text"` // as written in V's file name
	Dialect     engine.Dialect `json:"dialect"`
	Method      Method         `json:"method"`
	// Tool is the dump command (without connection arguments), for Dump.
	Tool string `json:"tool,omitempty"`
	// Scratch is the scratch database created and dropped again, for Dump
	// on PostgreSQL and MySQL.
	Scratch string `json:"scratch_database,omitempty"`
	// Replaces are the versions up to V, as written, in order.
	Replaces []string `json:"replaces"`
	// Files are their up files, in the order they were concatenated or run.
	Files []string `json:"files"`
	// SumLine is V's line of atlas.sum: "<file> h1:<hash>".
	SumLine string `json:"sum_line"`
	// Statements is the number of statements of Content.
	Statements int    `json:"statements"`
	Content    []byte `json:"-"`
	// Notes are things to know before using the file.
	Notes []string `json:"notes,omitempty"`
	// Replace is the plan for Replace; nil unless Options.Replace.
	Replace *ReplacePlan `json:"replace,omitempty"`

	sumBefore string // the folder's sum total at planning time
}

// ReplacePlan is what Replace does to the folder.
type ReplacePlan struct {
	// Moves are the files up to V, up and down, moved to ArchiveDir; paths
	// are relative to the folder.
	Moves []Move `json:"moves"`
	// File is the name of the baseline in the folder: <V>_baseline.up.sql,
	// with V written as in V's old file name.
	File string `json:"file"`
	// Sum is the folder's atlas.sum afterwards.
	Sum *Sum `json:"-"`
	// Git is true when the folder is in a git work tree: tracked files are
	// moved with git mv.
	Git bool `json:"git"`
}

// Move is one file moved by Replace.
type Move struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// ReplayError is a statement that failed on the scratch database.
type ReplayError struct {
	File      string
	Statement int // 1-based
	Total     int // statements of the file
	Line      int
	Err       error
}

func (e *ReplayError) Error() string {
	return fmt.Sprintf("replay %s: statement %d of %d (line %d): %v", e.File, e.Statement, e.Total, e.Line, e.Err)
}

func (e *ReplayError) Unwrap() error { return e.Err }

// ToolError is a dump tool that is not installed.
type ToolError struct {
	Tools   []string // looked for, in order
	Package string   // Debian/Ubuntu package that has it
}

func (e *ToolError) Error() string {
	return fmt.Sprintf("%s not found on PATH: install it (Debian/Ubuntu: apt-get install %s), or leave out --from-dev to concatenate the files", strings.Join(e.Tools, " or "), e.Package)
}

// DumpError is a dump tool that failed.
type DumpError struct {
	Tool   string
	Stderr string
	Err    error
}

func (e *DumpError) Error() string {
	return fmt.Sprintf("%s failed: %v: %s", e.Tool, e.Err, e.Stderr)
}

func (e *DumpError) Unwrap() error { return e.Err }

// source is one up file up to V.
type source struct {
	name    string
	version uint64
	data    []byte
	stmts   []sqlsplit.Statement
}

// Generate makes the baseline of version o.Version of the golang-migrate
// folder fsys (os.DirFS(dirPath); dirPath names it in messages and is the
// folder Replace changes). The folder must open in golang-migrate without
// error findings and its atlas.sum must match the files (or be missing); a
// *refusal.Refusal says otherwise. With o.Dev it replays the files statement by
// statement on a scratch database that it always drops again, and returns a
// *ReplayError for a failing statement, a *ToolError when the dump tool is
// missing and a *DumpError when it fails.
func Generate(ctx context.Context, fsys fs.FS, dirPath string, o Options) (*Baseline, error) {
	d := o.Dialect
	if o.Dev != nil {
		dd := o.Dev.Dialect
		if d != "" && d != dd {
			return nil, fmt.Errorf("dialect %s does not match the %s dev database", d, dd)
		}
		d = dd
	}
	if d == "" {
		return nil, errors.New("no dialect: the files must be split into statements (postgres, mysql or sqlite)")
	}
	dir, err := readCleanDir(fsys, dirPath)
	if err != nil {
		return nil, err
	}
	rep, err := Validate(fsys, ".", dirPath)
	if err != nil {
		return nil, err
	}
	if rep.State != SumValid && rep.State != SumMissing {
		msgs := make([]string, len(rep.Findings))
		for i, f := range rep.Findings {
			msgs[i] = f.Message
		}
		return nil, &refusal.Refusal{Reason: fmt.Sprintf("atlas.sum of %s does not match the files (%s): %s", dirPath, rep.State, strings.Join(msgs, "; ")), Next: refusal.Run("ferry", "hash", "--path", dirPath, "--check")}
	}
	m, ok := dir.Lookup(o.Version)
	if !ok || m.Up == nil {
		return nil, &refusal.Refusal{Reason: fmt.Sprintf("%s has no up file for version %d (%s)", dirPath, o.Version, nearby(dir, o.Version)), Next: refusal.Run("ferry", "status", "--path", dirPath), Err: ErrUnknownVersion}
	}
	b := &Baseline{Dir: dirPath, Version: m.Version, VersionText: m.VersionText, Dialect: d, Method: Concatenation, sumBefore: rep.Computed.Total}
	if h, ok := rep.Computed.Hash(m.Up.Name); ok {
		b.SumLine = m.Up.Name + " h1:" + h
	} else {
		b.SumLine = m.Up.Name + " (atlas:sum ignore: no line)"
	}
	var files []source
	for _, mm := range dir.Migrations {
		if mm.Version > o.Version {
			break
		}
		b.Replaces = append(b.Replaces, mm.VersionText)
		if mm.Up == nil {
			continue
		}
		data, err := dir.ReadFile(*mm.Up)
		if err != nil {
			return nil, err
		}
		stmts, err := sqlsplit.Split(d, data)
		if err != nil {
			return nil, &refusal.Refusal{Reason: fmt.Sprintf("%s:%v: ferry cannot split it into statements", mm.Up.Name, err), Next: refusal.Run("ferry", "statements", "--dialect", string(d), filepath.Join(dirPath, mm.Up.Name))}
		}
		files = append(files, source{name: mm.Up.Name, version: mm.Version, data: data, stmts: stmts})
		b.Files = append(b.Files, mm.Up.Name)
	}

	var body []byte
	if o.Dev == nil {
		body, err = concatenate(d, files)
		b.Notes = append(b.Notes, concatNotes(d, files)...)
	} else {
		b.Method = Dump
		body, err = dump(ctx, b, o, files)
		b.Notes = append(b.Notes, dataNotes(d, files)...)
	}
	if err != nil {
		return nil, err
	}
	b.Content = append(header(b), body...)
	stmts, err := sqlsplit.Split(d, b.Content)
	if err != nil {
		return nil, fmt.Errorf("the baseline does not split into statements: %w", err)
	}
	b.Statements = len(stmts)
	if o.Replace {
		if b.Replace, err = planReplace(ctx, fsys, dirPath, dir, b); err != nil {
			return nil, err
		}
		b.Notes = append(b.Notes, fmt.Sprintf("databases below version %s must reach it (migrate up) before the folder is replaced: golang-migrate cannot find their version afterwards", b.VersionText))
	}
	return b, nil
}

// nearby names the versions around v, for a message.
func nearby(dir *compat.Directory, v uint64) string {
	var parts []string
	if m, ok := dir.Before(v); ok {
		parts = append(parts, "the one before is "+m.VersionText)
	}
	if after := dir.After(v); len(after) > 0 {
		parts = append(parts, "the one after is "+after[0].VersionText)
	}
	if len(parts) == 0 {
		return "the folder has no versions"
	}
	return strings.Join(parts, ", ")
}

// header is the comment block at the top of the file.
func header(b *Baseline) []byte {
	var h bytes.Buffer
	fmt.Fprintf(&h, "-- ferry baseline: the schema at version %s, for new environments.\n", b.VersionText)
	fmt.Fprintf(&h, "-- Databases already at version %s or later never run it.\n", b.VersionText)
	line := fmt.Sprintf("-- It replaces %d version(s):", len(b.Replaces))
	h.WriteString(line)
	col := len(line)
	for _, v := range b.Replaces {
		if col+1+len(v) > 100 {
			h.WriteString("\n--  ")
			col = 4
		}
		h.WriteString(" " + v)
		col += 1 + len(v)
	}
	h.WriteString("\n")
	fmt.Fprintf(&h, "-- atlas.sum line of version %s: %s\n", b.VersionText, b.SumLine)
	if b.Method == Dump {
		fmt.Fprintf(&h, "-- Made by running them on a scratch database and dumping its schema (%s).\n", b.Tool)
	} else {
		h.WriteString("-- Made by concatenating their up files, each behind a \"-- source:\" line.\n")
	}
	return h.Bytes()
}

// concatenate joins the files, each behind a "-- source: FILE" line, and
// proves that the result splits into exactly the statements of the files in
// order. A file whose last statement has no delimiter gets one.
func concatenate(d engine.Dialect, files []source) ([]byte, error) {
	type origin struct {
		file  string
		index int
	}
	var out bytes.Buffer
	var want []string
	var from []origin
	for _, f := range files {
		out.WriteString("\n-- source: " + f.name + "\n")
		data := f.data
		for _, st := range f.stmts {
			want = append(want, st.Text)
			from = append(from, origin{f.name, st.Index})
		}
		if n := len(f.stmts); n > 0 && f.stmts[n-1].Delimiter == "" {
			last := f.stmts[n-1]
			sep := ";"
			if lines := strings.Split(last.Text, "\n"); strings.ContainsAny(lines[len(lines)-1], "-#/") {
				sep = "\n;" // the last line may end in a comment
			}
			data = append(append(append([]byte{}, data[:last.End]...), sep...), data[last.End:]...)
			want[len(want)-1] += sep
		}
		out.Write(data)
		if len(data) > 0 && data[len(data)-1] != '\n' {
			out.WriteByte('\n')
		}
	}
	got, err := sqlsplit.Split(d, out.Bytes())
	if err != nil {
		return nil, fmt.Errorf("the concatenated files do not split into statements: %w", err)
	}
	for i := range max(len(got), len(want)) {
		if i < len(got) && i < len(want) && got[i].Text == want[i] {
			continue
		}
		where := "after the last file"
		if i < len(from) {
			where = fmt.Sprintf("%s statement %d", from[i].file, from[i].index)
		}
		return nil, &refusal.Refusal{Reason: fmt.Sprintf("the files cannot be concatenated safely: from %s on, the statements of the joined file differ from the files' (a DELIMITER or atlas:delimiter setting that does not carry over?)", where), Next: refusal.Run("ferry", "baseline", "--from-dev", "URL").Say(" (replays the files one by one on a scratch database)")}
	}
	return out.Bytes(), nil
}

// concatNotes warns about statements that run in golang-migrate only as a
// file of their own.
func concatNotes(d engine.Dialect, files []source) []string {
	if d != engine.Postgres {
		return nil
	}
	var notes []string
	for _, f := range files {
		for _, st := range f.stmts {
			if st.Kind.Has(sqlsplit.KindNoTx) {
				notes = append(notes, fmt.Sprintf("%s statement %d (line %d) cannot run in a transaction block, and golang-migrate sends the baseline as one implicit transaction: use --from-dev, or move the statement to a migration after the baseline", f.name, st.Index, st.Line))
			}
		}
	}
	return notes
}

// ---- scratch database and dump ----

// dump replays the files on a scratch database and returns its schema as
// SQL that golang-migrate can run.
func dump(ctx context.Context, b *Baseline, o Options, files []source) ([]byte, error) {
	look := o.LookPath
	if look == nil {
		look = exec.LookPath
	}
	switch b.Dialect {
	case engine.SQLite:
		b.Tool = "sqlite_master"
		return onScratch(ctx, b, o.Dev, files, dumpSQLite)
	case engine.Postgres:
		return dumpPostgres(ctx, b, o.Dev, look, files)
	case engine.MySQL:
		return dumpMySQL(ctx, b, o.Dev, look, files)
	}
	return nil, fmt.Errorf("unknown dialect %q", b.Dialect)
}

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
	if dev.Dialect != engine.SQLite {
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

// WriteOut writes the baseline to path atomically (a temporary file in the
// same folder, synced, then renamed). It refuses to write a migration file
// name into the migration folder itself, where golang-migrate would see two
// files for one version: Replace does that properly.
func WriteOut(path string, b *Baseline) error {
	if _, status := compat.ParseName(filepath.Base(path)); status != compat.NotMigration && sameDir(filepath.Dir(path), b.Dir) {
		return &refusal.Refusal{Reason: fmt.Sprintf("%s would be a second migration file in %s, which golang-migrate runs as a migration of its own", path, b.Dir), Next: refusal.Say("write it elsewhere, or use --replace to put the baseline in place of the files it replaces")}
	}
	return writeAtomic(path, b.Content)
}

func sameDir(a, b string) bool {
	ia, err1 := os.Stat(a)
	ib, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(ia, ib)
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// ---- replacing the files in the folder ----

// BaselineFileName is the name of the baseline of version versionText in the
// folder after Replace.
func BaselineFileName(versionText string) string { return versionText + "_baseline.up.sql" }

func planReplace(ctx context.Context, fsys fs.FS, dirPath string, dir *compat.Directory, b *Baseline) (*ReplacePlan, error) {
	if info, err := fs.Stat(fsys, ArchiveDir); err == nil && !info.IsDir() {
		return nil, &refusal.Refusal{Reason: fmt.Sprintf("%s is a file; the replaced migrations go to the folder %s", filepath.Join(dirPath, ArchiveDir), ArchiveDir)}
	}
	p := &ReplacePlan{File: BaselineFileName(b.VersionText), Moves: []Move{}}
	moved := map[string]bool{}
	for _, m := range dir.Migrations {
		if m.Version > b.Version {
			break
		}
		for _, f := range []*compat.File{m.Up, m.Down} {
			if f == nil {
				continue
			}
			to := ArchiveDir + "/" + f.Name
			if _, err := fs.Stat(fsys, to); err == nil {
				return nil, &refusal.Refusal{Reason: fmt.Sprintf("%s already exists; ferry will not overwrite an archived migration", filepath.Join(dirPath, filepath.FromSlash(to)))}
			}
			p.Moves = append(p.Moves, Move{From: f.Name, To: to})
			moved[f.Name] = true
		}
	}
	if _, err := fs.Stat(fsys, p.File); err == nil && !moved[p.File] {
		return nil, &refusal.Refusal{Reason: fmt.Sprintf("%s already exists", filepath.Join(dirPath, p.File))}
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read migration folder: %w", err)
	}
	names := []string{p.File}
	for _, e := range entries {
		if !e.IsDir() && Covered(e.Name()) && !moved[e.Name()] && e.Name() != p.File {
			names = append(names, e.Name())
		}
	}
	p.Sum, err = sumOf(names, func(n string) ([]byte, error) {
		if n == p.File {
			return b.Content, nil
		}
		return fs.ReadFile(fsys, n)
	})
	if err != nil {
		return nil, err
	}
	p.Git = inGitWorkTree(ctx, dirPath)
	return p, nil
}

// Replace puts a baseline made with Options.Replace in place in the folder
// b.Dir: the files of the versions up to V, up and down, move to ArchiveDir
// (with git mv when they are tracked in a git work tree), the baseline
// becomes V's up file (ReplacePlan.File) and atlas.sum is rewritten.
// Databases at V or later keep working with golang-migrate: V is still
// there. It refuses (*refusal.Refusal) when the folder changed since the plan. When
// moving fails, the files moved so far are moved back.
func Replace(ctx context.Context, b *Baseline) (err error) {
	p := b.Replace
	if p == nil {
		return errors.New("the baseline was made without Options.Replace")
	}
	fsys := os.DirFS(b.Dir)
	now, err := ComputeSum(fsys, ".")
	if err != nil {
		return err
	}
	if now.Total != b.sumBefore {
		return &refusal.Refusal{Reason: fmt.Sprintf("the up files of %s changed since the baseline was made", b.Dir), Next: refusal.Say("run ferry baseline again")}
	}
	for _, mv := range p.Moves {
		if _, err := os.Lstat(filepath.Join(b.Dir, mv.From)); err != nil {
			return &refusal.Refusal{Reason: fmt.Sprintf("%s is gone since the baseline was made", mv.From), Next: refusal.Say("run ferry baseline again")}
		}
		if _, err := os.Lstat(filepath.Join(b.Dir, filepath.FromSlash(mv.To))); err == nil {
			return &refusal.Refusal{Reason: fmt.Sprintf("%s already exists; ferry will not overwrite an archived migration", filepath.Join(b.Dir, filepath.FromSlash(mv.To)))}
		}
	}
	tmp, err := os.CreateTemp(b.Dir, ".ferry-baseline-*")
	if err != nil {
		return fmt.Errorf("write the baseline: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	_, err = tmp.Write(b.Content)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err != nil {
		return fmt.Errorf("write the baseline: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(b.Dir, ArchiveDir), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Join(b.Dir, ArchiveDir), err)
	}
	undo, err := moveAll(ctx, b.Dir, p.Moves, p.Git)
	if err == nil {
		target := filepath.Join(b.Dir, p.File)
		if _, statErr := os.Lstat(target); statErr == nil {
			err = fmt.Errorf("%s appeared while replacing", target)
		} else {
			err = os.Rename(tmp.Name(), target)
		}
	}
	if err != nil {
		if uerr := undo(); uerr != nil {
			return fmt.Errorf("replace the files of %s: %w; moving them back failed too: %v (see %s)", b.Dir, err, uerr, filepath.Join(b.Dir, ArchiveDir))
		}
		return fmt.Errorf("replace the files of %s (moved back): %w", b.Dir, err)
	}
	sum, err := ComputeSum(fsys, ".")
	if err == nil {
		_, err = WriteSumFile(b.Dir, sum)
	}
	if err != nil {
		return fmt.Errorf("the files are replaced, but %s is stale (run ferry hash --path %s): %w", SumFileName, b.Dir, err)
	}
	return nil
}

// moveAll moves files within dir, tracked ones with one git mv when git is
// set, and returns a function that moves them back.
func moveAll(ctx context.Context, dir string, moves []Move, git bool) (undo func() error, err error) {
	var tracked map[string]bool
	if git {
		if tracked, err = gitTracked(ctx, dir, moves); err != nil {
			return func() error { return nil }, err
		}
	}
	var gitDone []Move
	var plainDone []Move
	undo = func() error {
		var errs []error
		for i := len(plainDone) - 1; i >= 0; i-- {
			mv := plainDone[i]
			errs = append(errs, os.Rename(filepath.Join(dir, filepath.FromSlash(mv.To)), filepath.Join(dir, mv.From)))
		}
		if len(gitDone) > 0 {
			args := []string{"mv", "--"}
			for _, mv := range gitDone {
				args = append(args, mv.To)
			}
			errs = append(errs, runGit(context.WithoutCancel(ctx), dir, append(args, ".")...))
		}
		return errors.Join(errs...)
	}
	var viaGit []Move
	for _, mv := range moves {
		if tracked[mv.From] {
			viaGit = append(viaGit, mv)
			continue
		}
		if err := os.Rename(filepath.Join(dir, mv.From), filepath.Join(dir, filepath.FromSlash(mv.To))); err != nil {
			return undo, err
		}
		plainDone = append(plainDone, mv)
	}
	if len(viaGit) > 0 {
		// Every move goes into ArchiveDir: one git mv for all of them.
		args := []string{"mv", "--"}
		for _, mv := range viaGit {
			args = append(args, mv.From)
		}
		if err := runGit(ctx, dir, append(args, ArchiveDir+"/")...); err != nil {
			return undo, err
		}
		gitDone = viaGit
	}
	return undo, nil
}

// inGitWorkTree reports whether dir is inside a git work tree (false when git
// is not installed).
func inGitWorkTree(ctx context.Context, dir string) bool {
	if _, err := exec.LookPath("git"); err != nil {
		return false
	}
	out, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "--is-inside-work-tree").Output()
	return err == nil && strings.TrimSpace(string(out)) == "true"
}

// gitTracked returns which of the files to move git tracks.
func gitTracked(ctx context.Context, dir string, moves []Move) (map[string]bool, error) {
	args := []string{"--literal-pathspecs", "-C", dir, "ls-files", "-z", "--"}
	for _, mv := range moves {
		args = append(args, mv.From)
	}
	out, err := exec.CommandContext(ctx, "git", args...).Output()
	if err != nil {
		return nil, gitError(err)
	}
	tracked := map[string]bool{}
	for _, n := range strings.Split(string(out), "\x00") {
		if n != "" {
			tracked[n] = true
		}
	}
	return tracked, nil
}

func runGit(ctx context.Context, dir string, args ...string) error {
	cmd := exec.CommandContext(ctx, "git", append([]string{"--literal-pathspecs", "-C", dir}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git %s: %w: %s", args[0], err, strings.TrimSpace(string(out)))
	}
	return nil
}

func gitError(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return fmt.Errorf("git: %w: %s", err, strings.TrimSpace(string(ee.Stderr)))
	}
	return fmt.Errorf("git: %w", err)
}

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
