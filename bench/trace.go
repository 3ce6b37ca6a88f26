package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/golang-migrate/migrate/v4"
	gmdb "github.com/golang-migrate/migrate/v4/database"
	gmmysql "github.com/golang-migrate/migrate/v4/database/mysql"
	gmpgx "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/ferrymigrate/ferry/apply"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/folder"
)

// The -trace run gives both tools a database/sql handle whose driver calls
// are timed and sorted by what they do, so that the wall time of a run is
// attributed to bookkeeping, transaction control, locks and the migration
// statements themselves. golang-migrate gets it through its drivers'
// WithInstance, ferry through apply.Apply's *sql.DB.

// tracer adds up the time and the calls per category.
type tracer struct {
	mu    sync.Mutex
	time  map[string]time.Duration
	calls map[string]int
}

func newTracer() *tracer {
	return &tracer{time: map[string]time.Duration{}, calls: map[string]int{}}
}

func (t *tracer) add(cat string, d time.Duration, call bool) {
	t.mu.Lock()
	t.time[cat] += d
	if call {
		t.calls[cat]++
	}
	t.mu.Unlock()
}

// classify names what a query does.
func classify(query string) string {
	q := strings.ToUpper(strings.TrimSpace(query))
	switch {
	case strings.Contains(q, "PG_ADVISORY") || strings.Contains(q, "PG_TRY_ADVISORY") || strings.Contains(q, "GET_LOCK") || strings.Contains(q, "RELEASE_LOCK"):
		return "locks"
	case strings.HasPrefix(q, "SET TRANSACTION"):
		return "begin"
	case strings.Contains(q, "ATLAS_SCHEMA_REVISIONS") && strings.HasPrefix(q, "INSERT"):
		return "revisions: write row"
	case strings.Contains(q, "ATLAS_SCHEMA_REVISIONS") && strings.HasPrefix(q, "UPDATE"):
		return "revisions: progress"
	case strings.Contains(q, "SCHEMA_MIGRATIONS") && (strings.HasPrefix(q, "DELETE") || strings.HasPrefix(q, "TRUNCATE") || strings.HasPrefix(q, "INSERT")):
		return "schema_migrations write"
	case strings.HasPrefix(q, "SELECT") || strings.HasPrefix(q, "SHOW") || strings.HasPrefix(q, "WITH"):
		return "reads (state, catalog)"
	case strings.HasPrefix(q, "CREATE") && (strings.Contains(q, "SCHEMA_MIGRATIONS") || strings.Contains(q, "ATLAS_SCHEMA_REVISIONS")):
		return "bookkeeping tables"
	}
	return "migration statements"
}

type tConnector struct {
	inner driver.Connector
	t     *tracer
}

func (c *tConnector) Connect(ctx context.Context) (driver.Conn, error) {
	start := time.Now()
	conn, err := c.inner.Connect(ctx)
	c.t.add("connect", time.Since(start), true)
	if err != nil {
		return nil, err
	}
	return &tConn{inner: conn, t: c.t}, nil
}

func (c *tConnector) Driver() driver.Driver { return c.inner.Driver() }

type tConn struct {
	inner driver.Conn
	t     *tracer
}

func (c *tConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *tConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	start := time.Now()
	s, err := prepare(ctx, c.inner, query)
	cat := classify(query)
	c.t.add(cat, time.Since(start), false)
	c.t.add("(prepare round trips, included above)", time.Since(start), true)
	if err != nil {
		return nil, err
	}
	return &tStmt{inner: s, t: c.t, cat: cat}, nil
}

// prepare prepares query on conn, with its context where the driver takes
// one.
func prepare(ctx context.Context, conn driver.Conn, query string) (driver.Stmt, error) {
	if p, ok := conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return conn.Prepare(query)
}

// begin begins a transaction on conn, with its context and options where
// the driver takes them.
func begin(ctx context.Context, conn driver.Conn, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	//lint:ignore SA1019 the fallback database/sql itself uses for drivers without BeginTx
	return conn.Begin()
}

func (c *tConn) Close() error { return c.inner.Close() }

func (c *tConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *tConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := timedValue(c.t, "begin", true, func() (driver.Tx, error) { return begin(ctx, c.inner, opts) })
	if err != nil {
		return nil, err
	}
	return &tTx{inner: tx, t: c.t}, nil
}

func (c *tConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.inner.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, _, err := timedQuery(c.t, query, func() (driver.Result, error) { return e.ExecContext(ctx, query, args) })
	return r, err
}

func (c *tConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.inner.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, cat, err := timedQuery(c.t, query, func() (driver.Rows, error) { return q.QueryContext(ctx, query, args) })
	if err != nil {
		return nil, err
	}
	return &tRows{inner: r, t: c.t, cat: cat}, nil
}

func (c *tConn) Ping(ctx context.Context) error {
	if p, ok := c.inner.(driver.Pinger); ok {
		start := time.Now()
		err := p.Ping(ctx)
		c.t.add("reads (state, catalog)", time.Since(start), true)
		return err
	}
	return nil
}

func (c *tConn) ResetSession(ctx context.Context) error {
	if r, ok := c.inner.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *tConn) IsValid() bool {
	if v, ok := c.inner.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *tConn) CheckNamedValue(nv *driver.NamedValue) error { return checkNamedValue(c.inner, nv) }

// checkNamedValue lets the traced driver value check nv, if it checks
// values.
func checkNamedValue(inner any, nv *driver.NamedValue) error {
	if n, ok := inner.(driver.NamedValueChecker); ok {
		return n.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

type tStmt struct {
	inner driver.Stmt
	t     *tracer
	cat   string
}

func (s *tStmt) Close() error {
	return s.t.timed(s.cat, false, func() error { return s.inner.Close() })
}

func (s *tStmt) NumInput() int { return s.inner.NumInput() }

func (s *tStmt) Exec(args []driver.Value) (driver.Result, error) {
	return nil, errors.New("bench: Stmt.Exec without context is not traced")
}

func (s *tStmt) Query(args []driver.Value) (driver.Rows, error) {
	return nil, errors.New("bench: Stmt.Query without context is not traced")
}

func (s *tStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	e, ok := s.inner.(driver.StmtExecContext)
	if !ok {
		return nil, errors.New("bench: statement without ExecContext")
	}
	r, err := timedValue(s.t, s.cat, true, func() (driver.Result, error) { return e.ExecContext(ctx, args) })
	return r, err
}

func (s *tStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := s.inner.(driver.StmtQueryContext)
	if !ok {
		return nil, errors.New("bench: statement without QueryContext")
	}
	r, err := timedValue(s.t, s.cat, true, func() (driver.Rows, error) { return q.QueryContext(ctx, args) })
	if err != nil {
		return nil, err
	}
	return &tRows{inner: r, t: s.t, cat: s.cat}, nil
}

func (s *tStmt) CheckNamedValue(nv *driver.NamedValue) error { return checkNamedValue(s.inner, nv) }

type tRows struct {
	inner driver.Rows
	t     *tracer
	cat   string
}

func (r *tRows) Columns() []string { return r.inner.Columns() }

func (r *tRows) Close() error {
	return r.t.timed(r.cat, false, func() error { return r.inner.Close() })
}

func (r *tRows) Next(dest []driver.Value) error {
	return r.t.timed(r.cat, false, func() error { return r.inner.Next(dest) })
}

type tTx struct {
	inner driver.Tx
	t     *tracer
}

func (x *tTx) Commit() error {
	return x.t.timed("commit", true, func() error { return x.inner.Commit() })
}

func (x *tTx) Rollback() error {
	return x.t.timed("rollback", true, func() error { return x.inner.Rollback() })
}

// tracedDB opens a traced handle on u with the driver and settings ferry's
// dbconn.Open uses (pgx/v5 stdlib; go-sql-driver with multiStatements).
func tracedDB(u *compat.DatabaseURL, t *tracer) (*sql.DB, error) {
	connect, _ := engine.PerEngine[connector]{
		Postgres: postgresConnector,
		MySQL:    func(u *compat.DatabaseURL) (driver.Connector, error) { return mysql.NewConnector(u.MySQLConfig()) },
	}.For(u.Dialect)
	if connect == nil {
		return nil, fmt.Errorf("no tracing for %s", u.Dialect)
	}
	inner, err := connect(u)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(&tConnector{inner: inner, t: t}), nil
}

// connector opens one engine's driver, untraced.
type connector func(u *compat.DatabaseURL) (driver.Connector, error)

func postgresConnector(u *compat.DatabaseURL) (driver.Connector, error) {
	dc, ok := stdlib.GetDefaultDriver().(driver.DriverContext)
	if !ok {
		return nil, errors.New("pgx stdlib driver without OpenConnector")
	}
	return dc.OpenConnector(u.DriverDSN())
}

// traceRuns runs each tool once more with a traced handle (untimed against
// each other) and prints where the wall time of each run went.
func traceRuns(ctx context.Context, c *config, srv *server, reg *registry, dir string, w io.Writer) error {
	fmt.Fprintf(w, "  where the time goes (one traced run per tool; time inside driver calls, per file):\n")
	type result struct {
		tool  string
		t     *tracer
		total time.Duration
	}
	var results []result
	for _, tool := range []string{"golang-migrate", "ferry"} {
		name, err := reg.create(ctx, srv)
		if err != nil {
			return err
		}
		t := newTracer()
		total, err := tracedRun(ctx, c, srv, name, dir, tool == "ferry", t)
		if err == nil {
			err = verify(ctx, srv, name, c, tool == "ferry")
		}
		if derr := reg.drop(srv, name); err == nil {
			err = derr
		}
		if err != nil {
			return fmt.Errorf("%s: %w", tool, err)
		}
		results = append(results, result{tool, t, total})
	}
	cats := map[string]bool{}
	for _, r := range results {
		for k := range r.t.time {
			cats[k] = true
		}
	}
	order := make([]string, 0, len(cats))
	for k := range cats {
		order = append(order, k)
	}
	slices.SortFunc(order, func(a, b string) int {
		ta := results[0].t.time[a] + results[1].t.time[a]
		tb := results[0].t.time[b] + results[1].t.time[b]
		return int(tb - ta)
	})
	n := float64(c.files)
	fmt.Fprintf(w, "    %-40s %26s   %26s\n", "", "golang-migrate", "ferry")
	fmt.Fprintf(w, "    %-40s %10s %9s %5s   %10s %9s %5s\n", "category", "calls/file", "us/file", "%", "calls/file", "us/file", "%")
	for _, k := range order {
		fmt.Fprintf(w, "    %-40s", k)
		for _, r := range results {
			d := r.t.time[k]
			fmt.Fprintf(w, " %10.2f %9.0f %5.1f  ", float64(r.t.calls[k])/n, float64(d.Microseconds())/n, 100*float64(d)/float64(r.total))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "    %-40s", "outside driver calls (Go code, waits)")
	for _, r := range results {
		var in time.Duration
		for k, d := range r.t.time {
			if !strings.HasPrefix(k, "(") {
				in += d
			}
		}
		out := r.total - in
		fmt.Fprintf(w, " %10s %9.0f %5.1f  ", "", float64(out.Microseconds())/n, 100*float64(out)/float64(r.total))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "    %-40s", "wall time of the run")
	for _, r := range results {
		fmt.Fprintf(w, " %10s %9.0f %5s  ", ms(r.total), float64(r.total.Microseconds())/n, "")
	}
	fmt.Fprintln(w)
	return nil
}

func tracedRun(ctx context.Context, c *config, srv *server, name, dir string, ferry bool, t *tracer) (time.Duration, error) {
	raw, err := srv.urlFor(name, "")
	if err != nil {
		return 0, err
	}
	u, err := compat.ParseDatabaseURL(raw)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	if ferry {
		p, err := folder.Load(os.DirFS(dir), dir)
		if err != nil {
			return 0, err
		}
		db, err := tracedDB(u, t)
		if err != nil {
			return 0, err
		}
		defer db.Close()
		if err := db.PingContext(ctx); err != nil {
			return 0, err
		}
		if _, err := apply.Apply(ctx, database.Wrap(db, u), p, apply.Options{TxMode: c.txMode, LockTimeout: time.Minute, OperatorVersion: "ferry bench"}); err != nil {
			return 0, err
		}
		return time.Since(start), db.Close()
	}
	src, err := iofs.New(os.DirFS(dir), ".")
	if err != nil {
		return 0, err
	}
	db, err := tracedDB(u, t)
	if err != nil {
		return 0, err
	}
	var drv gmdb.Driver
	var drvName string
	if srv.engine == "postgres" {
		drv, err = gmpgx.WithInstance(db, &gmpgx.Config{DatabaseName: u.URLPath})
		drvName = "pgx5"
	} else {
		drv, err = gmmysql.WithInstance(db, &gmmysql.Config{DatabaseName: u.Database})
		drvName = "mysql"
	}
	if err != nil {
		db.Close()
		return 0, err
	}
	m, err := migrate.NewWithInstance("iofs", src, drvName, drv)
	if err != nil {
		return 0, err
	}
	upErr := m.Up()
	srcErr, dbErr := m.Close()
	d := time.Since(start)
	return d, errors.Join(upErr, srcErr, dbErr)
}

// timed runs f and adds its time to cat; trip says whether it was a round trip.
func (t *tracer) timed(cat string, trip bool, f func() error) error {
	_, err := timedValue(t, cat, trip, func() (struct{}, error) { return struct{}{}, f() })
	return err
}

// timedValue is timed for a call that returns a value.
// timedQuery runs a query on the connection and times it under the
// query's category, returned with the result, unless the driver skipped
// it: database/sql prepares instead, which is timed there.
func timedQuery[T any](t *tracer, query string, f func() (T, error)) (T, string, error) {
	start := time.Now()
	v, err := f()
	if errors.Is(err, driver.ErrSkip) {
		return v, "", err
	}
	cat := classify(query)
	t.add(cat, time.Since(start), true)
	return v, cat, err
}

func timedValue[T any](t *tracer, cat string, trip bool, f func() (T, error)) (T, error) {
	start := time.Now()
	v, err := f()
	t.add(cat, time.Since(start), trip)
	return v, err
}
