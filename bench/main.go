// Command bench compares `ferry apply` with golang-migrate's `up` on the same
// server in the same run (docs/apply.md: at most 1.10x golang-migrate).
//
// It writes a golang-migrate folder of -files files with -statements small
// statements each (CREATE TABLE, then INSERTs and CREATE INDEXes in turn) and
// its atlas.sum, and for every round and engine creates two fresh databases
// with random names on the server, applies the folder to one with
// golang-migrate's library (pgx5:// or mysql:// driver, source iofs) and to the
// other with ferry's library (folder.Load, dbconn.Open, apply.Apply),
// alternating which goes first, checks both results, and drops both
// databases. It prints each round's wall times and the median ratio
// ferry/golang-migrate per engine, and exits 1 if any run fails.
//
//	go run ./bench -engine both -files 500 -statements 3 -rounds 5
//
// See bench/README.md for the flags, what is timed, and -roundtrips and
// -cpuprofile.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/golang-migrate/migrate/v4"
	_ "github.com/golang-migrate/migrate/v4/database/mysql"  // mysql://
	_ "github.com/golang-migrate/migrate/v4/database/pgx/v5" // pgx5://
	"github.com/golang-migrate/migrate/v4/source/iofs"

	"github.com/ferrymigrate/ferry/apply"
	"github.com/ferrymigrate/ferry/atlassum"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/folder"
	"github.com/ferrymigrate/ferry/internal/dbconn"
	"github.com/ferrymigrate/ferry/revision"
)

// Server URLs: the same variables and defaults as the integration tests
// (internal/testdb).
const (
	envPostgres     = "FERRY_TEST_POSTGRES"
	envMySQL        = "FERRY_TEST_MYSQL"
	defaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	defaultMySQL    = "mysql://root:@tcp(127.0.0.1:3306)/test"
)

type config struct {
	engines    []string
	files      int
	statements int
	rounds     int
	txMode     apply.TxMode
	cpuProfile string
	roundTrips bool
	trace      bool
	maxRatio   float64
	keepDir    bool
}

func main() {
	os.Exit(run())
}

func run() int {
	var c config
	engine := flag.String("engine", "both", "postgres, mysql or both")
	flag.IntVar(&c.files, "files", 500, "number of migration files")
	flag.IntVar(&c.statements, "statements", 3, "statements per file (at least 1)")
	flag.IntVar(&c.rounds, "rounds", 5, "rounds per engine")
	txMode := flag.String("tx-mode", "file", "ferry's --tx-mode: file, all or none")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of each timed ferry run to FILE.<engine>.r<round>")
	flag.BoolVar(&c.roundTrips, "roundtrips", false, "after the timed rounds, run each tool once more through a counting TCP proxy (untimed) and print round trips, commits and log syncs per file")
	flag.BoolVar(&c.trace, "trace", false, "after the timed rounds, run each tool once more with a timed database/sql driver (untimed against each other) and print where the wall time goes per file")
	flag.Float64Var(&c.maxRatio, "max-ratio", 0, "also exit 1 when an engine's median ratio ferry/golang-migrate exceeds this (0: do not check)")
	flag.BoolVar(&c.keepDir, "keep-dir", false, "keep the generated migration folder and print its path")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./bench [-engine postgres|mysql|both] [-files N] [-statements K] [-rounds R] [-tx-mode file|all|none] [-roundtrips] [-trace] [-cpuprofile FILE] [-max-ratio X]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		return 2
	}
	switch *engine {
	case "postgres", "mysql":
		c.engines = []string{*engine}
	case "both":
		c.engines = []string{"postgres", "mysql"}
	default:
		fmt.Fprintf(os.Stderr, "bench: -engine must be postgres, mysql or both, got %q\n", *engine)
		return 2
	}
	var err error
	if c.txMode, err = apply.ParseTxMode(*txMode); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return 2
	}
	if c.files < 1 || c.statements < 1 || c.rounds < 1 {
		fmt.Fprintln(os.Stderr, "bench: -files, -statements and -rounds must be at least 1")
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	reg := &registry{}
	defer reg.dropAll()

	dir, err := writeProject(c.files, c.statements)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return 1
	}
	if c.keepDir {
		fmt.Printf("migration folder: %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}

	fmt.Printf("bench: %d files x %d statements, %d rounds, ferry --tx-mode %s\n", c.files, c.statements, c.rounds, c.txMode)
	failed := false
	for _, e := range c.engines {
		srv, err := openServer(ctx, e)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench: %s: %v\n", e, err)
			failed = true
			continue
		}
		ok := benchEngine(ctx, &c, srv, reg, dir)
		srv.admin.Close()
		if !ok {
			failed = true
		}
		if ctx.Err() != nil {
			break
		}
	}
	if ctx.Err() != nil {
		fmt.Fprintln(os.Stderr, "bench: interrupted")
		return 1
	}
	if failed {
		return 1
	}
	return 0
}

// ---- the migration folder ----

// writeProject writes files*statements small statements into a new
// temporary golang-migrate folder, with down files and atlas.sum (written
// here, untimed).
func writeProject(files, statements int) (string, error) {
	dir, err := os.MkdirTemp("", "ferry-bench-")
	if err != nil {
		return "", err
	}
	for i := 1; i <= files; i++ {
		var b strings.Builder
		fmt.Fprintf(&b, "CREATE TABLE t_%d (id integer PRIMARY KEY, name varchar(100), n integer);\n", i)
		for j := 2; j <= statements; j++ {
			if j%2 == 0 {
				fmt.Fprintf(&b, "INSERT INTO t_%d (id, name, n) VALUES (%d, 'row %d', %d), (%d, 'row %d', %d);\n", i, 2*j, 2*j, j, 2*j+1, 2*j+1, j)
			} else {
				fmt.Fprintf(&b, "CREATE INDEX t_%d_ix_%d ON t_%d (name, n);\n", i, j, i)
			}
		}
		base := fmt.Sprintf("%06d_create_t_%d", i, i)
		if err := os.WriteFile(filepath.Join(dir, base+".up.sql"), []byte(b.String()), 0o644); err != nil {
			return dir, err
		}
		if err := os.WriteFile(filepath.Join(dir, base+".down.sql"), []byte(fmt.Sprintf("DROP TABLE t_%d;\n", i)), 0o644); err != nil {
			return dir, err
		}
	}
	sum, err := atlassum.Compute(os.DirFS(dir), ".")
	if err != nil {
		return dir, fmt.Errorf("compute atlas.sum: %w", err)
	}
	if _, err := atlassum.WriteFile(dir, sum); err != nil {
		return dir, err
	}
	return dir, nil
}

// ---- servers and scratch databases ----

type server struct {
	engine  string // postgres or mysql
	raw     string // the server URL as configured
	admin   *sql.DB
	version string
	display string // redacted server URL
}

func openServer(ctx context.Context, name string) (*server, error) {
	env, raw := envPostgres, defaultPostgres
	if name == "mysql" {
		env, raw = envMySQL, defaultMySQL
	}
	if v := os.Getenv(env); v != "" {
		raw = v
	}
	u, err := compat.ParseDatabaseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", env, err)
	}
	if u.Dialect != engine.Dialect(name) {
		return nil, fmt.Errorf("%s must be a %s URL", env, name)
	}
	admin, err := dbconn.Open(ctx, u, dbconn.ReadWrite)
	if err != nil {
		return nil, fmt.Errorf("server unreachable (set %s, or start the local servers with `bash ../shared/scripts/db-up.sh`): %w", env, err)
	}
	s := &server{engine: name, raw: raw, admin: admin, display: u.Redacted()}
	if err := admin.QueryRowContext(ctx, "SELECT version()").Scan(&s.version); err != nil {
		admin.Close()
		return nil, err
	}
	if i := strings.Index(s.version, " on "); i > 0 {
		s.version = s.version[:i]
	}
	return s, nil
}

// urlFor returns the golang-migrate URL of database name on s: pgx5:// for
// PostgreSQL (golang-migrate's pgx/v5 driver; ferry reads the same URL), the
// server's mysql:// URL with its database replaced for MySQL. hostport, when
// not empty, replaces the server address (the counting proxy).
func (s *server) urlFor(name, hostport string) (string, error) {
	if s.engine == "postgres" {
		pu, err := url.Parse(s.raw)
		if err != nil {
			return "", err
		}
		pu.Scheme = "pgx5"
		pu.Path, pu.RawPath = "/"+name, ""
		if hostport != "" {
			pu.Host = hostport
		}
		return pu.String(), nil
	}
	dsn := strings.TrimPrefix(s.raw, "mysql://")
	i := strings.LastIndex(dsn, "/")
	if i < 0 {
		return "", errors.New("mysql URL without /database")
	}
	head, rest := dsn[:i], dsn[i+1:]
	query := ""
	if j := strings.Index(rest, "?"); j >= 0 {
		query = rest[j:]
	}
	if hostport != "" {
		a, b := strings.LastIndex(head, "tcp("), strings.LastIndex(head, ")")
		if a < 0 || b < a {
			return "", errors.New("-roundtrips needs a mysql URL with @tcp(host:port)")
		}
		head = head[:a+4] + hostport + head[b:]
	}
	return "mysql://" + head + "/" + name + query, nil
}

// serverAddr returns host:port of the server.
func (s *server) serverAddr() (string, error) {
	if s.engine == "postgres" {
		pu, err := url.Parse(s.raw)
		if err != nil {
			return "", err
		}
		host := pu.Host
		if !strings.Contains(host, ":") {
			host += ":5432"
		}
		return host, nil
	}
	a, b := strings.LastIndex(s.raw, "tcp("), strings.LastIndex(s.raw, ")/")
	if a < 0 || b < a {
		return "", errors.New("-roundtrips needs a mysql URL with @tcp(host:port)")
	}
	return s.raw[a+4 : b], nil
}

func (s *server) quote(name string) string {
	if s.engine == "postgres" {
		return `"` + name + `"`
	}
	return "`" + name + "`"
}

// registry remembers every database the harness created, so that all of them
// are dropped however the run ends.
type registry struct {
	mu  sync.Mutex
	dbs []scratch
}

type scratch struct {
	srv  *server
	name string
}

func (r *registry) create(ctx context.Context, s *server) (string, error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "ferry_bench_" + hex.EncodeToString(b[:])
	r.mu.Lock()
	r.dbs = append(r.dbs, scratch{s, name})
	r.mu.Unlock()
	if _, err := s.admin.ExecContext(ctx, "CREATE DATABASE "+s.quote(name)); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return name, nil
}

func (r *registry) drop(s *server, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	q := "DROP DATABASE IF EXISTS " + s.quote(name)
	if s.engine == "postgres" {
		q += " WITH (FORCE)"
	}
	// A fresh handle: the server's admin handle may already be closed.
	db, err := openURL(ctx, s.raw)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.SQL.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	r.mu.Lock()
	r.dbs = slices.DeleteFunc(r.dbs, func(x scratch) bool { return x.srv == s && x.name == name })
	r.mu.Unlock()
	return nil
}

func (r *registry) dropAll() {
	r.mu.Lock()
	left := append([]scratch{}, r.dbs...)
	r.mu.Unlock()
	for _, d := range left {
		if err := r.drop(d.srv, d.name); err != nil {
			fmt.Fprintf(os.Stderr, "bench: %s: %v (drop it by hand)\n", d.srv.engine, err)
		}
	}
}

// ---- one engine ----

type timing struct {
	gm, ferry         time.Duration
	ferryLoad, ferryA time.Duration
}

func benchEngine(ctx context.Context, c *config, srv *server, reg *registry, dir string) bool {
	fmt.Printf("\n%s: %s at %s\n", srv.engine, srv.version, srv.display)
	var ts []timing
	ok := true
	for round := 1; round <= c.rounds && ctx.Err() == nil; round++ {
		gmFirst := round%2 == 1
		var t timing
		var gmErr, ferryErr error
		runGM := func() { t.gm, gmErr = gmRound(ctx, c, srv, reg, dir, "") }
		runFerry := func() {
			prof := ""
			if c.cpuProfile != "" {
				prof = fmt.Sprintf("%s.%s.r%d", c.cpuProfile, srv.engine, round)
			}
			t.ferry, t.ferryLoad, t.ferryA, ferryErr = ferryRound(ctx, c, srv, reg, dir, "", prof)
		}
		first := "golang-migrate"
		if gmFirst {
			runGM()
			runFerry()
		} else {
			first = "ferry"
			runFerry()
			runGM()
		}
		if gmErr != nil || ferryErr != nil {
			if gmErr != nil {
				fmt.Fprintf(os.Stderr, "  round %d: golang-migrate: %v\n", round, gmErr)
			}
			if ferryErr != nil {
				fmt.Fprintf(os.Stderr, "  round %d: ferry: %v\n", round, ferryErr)
			}
			ok = false
			continue
		}
		ts = append(ts, t)
		fmt.Printf("  round %2d  %-14s first   golang-migrate %8s   ferry %8s (load %s, apply %s)   ferry/golang-migrate %.3f\n",
			round, first, ms(t.gm), ms(t.ferry), ms(t.ferryLoad), ms(t.ferryA), ratio(t.ferry, t.gm))
	}
	if len(ts) > 0 {
		gm := median(ts, func(t timing) float64 { return float64(t.gm) })
		fe := median(ts, func(t timing) float64 { return float64(t.ferry) })
		fa := median(ts, func(t timing) float64 { return float64(t.ferryA) })
		r := median(ts, func(t timing) float64 { return ratio(t.ferry, t.gm) })
		ra := median(ts, func(t timing) float64 { return ratio(t.ferryA, t.gm) })
		fmt.Printf("  median   golang-migrate %s   ferry %s (apply only %s)\n", ms(time.Duration(gm)), ms(time.Duration(fe)), ms(time.Duration(fa)))
		fmt.Printf("  %s median ratio ferry/golang-migrate %.3f (apply only %.3f) over %d round(s); target <= 1.10\n", srv.engine, r, ra, len(ts))
		if c.maxRatio > 0 && r > c.maxRatio {
			fmt.Fprintf(os.Stderr, "bench: %s: median ratio %.3f exceeds -max-ratio %.2f\n", srv.engine, r, c.maxRatio)
			ok = false
		}
	}
	if c.roundTrips && ctx.Err() == nil {
		if err := countRoundTrips(ctx, c, srv, reg, dir); err != nil {
			fmt.Fprintf(os.Stderr, "  round trips: %v\n", err)
			ok = false
		}
	}
	if c.trace && ctx.Err() == nil {
		if err := traceRuns(ctx, c, srv, reg, dir, os.Stdout); err != nil {
			fmt.Fprintf(os.Stderr, "  trace: %v\n", err)
			ok = false
		}
	}
	return ok
}

func ms(d time.Duration) string { return d.Round(time.Millisecond).String() }

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func median(ts []timing, f func(timing) float64) float64 {
	v := make([]float64, len(ts))
	for i, t := range ts {
		v[i] = f(t)
	}
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// onFreshDatabase creates a database on srv, runs fn with its name and URL
// and drops it again.
func onFreshDatabase(ctx context.Context, srv *server, reg *registry, hostport string, fn func(name, dbURL string) error) (err error) {
	name, err := reg.create(ctx, srv)
	defer func() {
		if name != "" {
			if derr := reg.drop(srv, name); derr != nil && err == nil {
				err = derr
			}
		}
	}()
	if err != nil {
		return err
	}
	dbURL, err := srv.urlFor(name, hostport)
	if err != nil {
		return err
	}
	return fn(name, dbURL)
}

// gmRound applies the folder with golang-migrate on a new database and
// returns the time of opening the source and the database, Up and Close.
func gmRound(ctx context.Context, c *config, srv *server, reg *registry, dir, hostport string) (d time.Duration, err error) {
	err = onFreshDatabase(ctx, srv, reg, hostport, func(name, dbURL string) error {
		if d, err = runGM(dir, dbURL); err != nil {
			return err
		}
		return verify(ctx, srv, name, c, false)
	})
	return d, err
}

func runGM(dir, dbURL string) (time.Duration, error) {
	start := time.Now()
	src, err := iofs.New(os.DirFS(dir), ".")
	if err != nil {
		return 0, err
	}
	m, err := migrate.NewWithSourceInstance("iofs", src, dbURL)
	if err != nil {
		src.Close()
		return 0, fmt.Errorf("open: %w", err)
	}
	upErr := m.Up()
	srcErr, dbErr := m.Close()
	d := time.Since(start)
	if upErr != nil {
		return 0, fmt.Errorf("up: %w", upErr)
	}
	if err := errors.Join(srcErr, dbErr); err != nil {
		return 0, fmt.Errorf("close: %w", err)
	}
	return d, nil
}

// ferryRound applies the folder with ferry on a new database and returns
// the time of folder.Load, opening the handle, Apply and Close, and the
// folder.Load and Apply parts of it.
func ferryRound(ctx context.Context, c *config, srv *server, reg *registry, dir, hostport, profile string) (total, load, applied time.Duration, err error) {
	err = onFreshDatabase(ctx, srv, reg, hostport, func(name, dbURL string) error {
		if profile != "" {
			f, err := os.Create(profile)
			if err != nil {
				return err
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				return err
			}
		}
		total, load, applied, err = runFerry(ctx, c, dir, dbURL)
		if profile != "" {
			pprof.StopCPUProfile()
		}
		if err != nil {
			return err
		}
		return verify(ctx, srv, name, c, true)
	})
	if err != nil {
		return 0, 0, 0, err
	}
	return total, load, applied, nil
}

func runFerry(ctx context.Context, c *config, dir, dbURL string) (total, load, applied time.Duration, err error) {
	start := time.Now()
	p, err := folder.Load(os.DirFS(dir), dir)
	if err != nil {
		return 0, 0, 0, err
	}
	load = time.Since(start)
	db, err := openURL(ctx, dbURL)
	if err != nil {
		return 0, 0, 0, err
	}
	t0 := time.Now()
	res, err := apply.Apply(ctx, db, p, apply.Options{TxMode: c.txMode, LockTimeout: time.Minute, OperatorVersion: "ferry bench"})
	applied = time.Since(t0)
	cerr := db.Close()
	total = time.Since(start)
	if err != nil {
		return 0, 0, 0, err
	}
	if cerr != nil {
		return 0, 0, 0, cerr
	}
	if len(res.Applied) != c.files {
		return 0, 0, 0, fmt.Errorf("applied %d files, want %d", len(res.Applied), c.files)
	}
	return total, load, applied, nil
}

// verify checks, untimed, that a run left what it should: every table,
// golang-migrate's row at the last version and clean, and for ferry one
// complete revision row per file.
func verify(ctx context.Context, srv *server, name string, c *config, ferry bool) error {
	u, err := srv.urlFor(name, "")
	if err != nil {
		return err
	}
	on, err := openURL(ctx, u)
	if err != nil {
		return err
	}
	defer on.Close()
	db, pu := on.SQL, on.URL
	var tables int
	q := `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 't\_%'`
	if srv.engine == "mysql" {
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 't\_%'`
	}
	if err := db.QueryRowContext(ctx, q).Scan(&tables); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if tables != c.files {
		return fmt.Errorf("verify: %d tables, want %d", tables, c.files)
	}
	st, err := compat.ReadLegacy(ctx, db, pu) // the table golang-migrate uses for this URL
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if !st.TableExists || st.Rows != 1 || st.Version != int64(c.files) || st.Dirty {
		return fmt.Errorf("verify: %s holds %d row(s), version %d, dirty=%v; want one row (%d, false)", st.Table, st.Rows, st.Version, st.Dirty, c.files)
	}
	if !ferry {
		return nil
	}
	_, rows, err := revision.LocateRead(ctx, db, pu, "")
	if err != nil {
		return err
	}
	if len(rows) != c.files {
		return fmt.Errorf("verify: %d revision rows, want %d", len(rows), c.files)
	}
	for _, r := range rows {
		if r.Applied != c.statements || r.Total != c.statements || r.Partial() || r.Error != "" || r.Type != revision.TypeExecute {
			return fmt.Errorf("verify: revision %s: applied %d of %d, type %d, error %q", r.Version, r.Applied, r.Total, r.Type, r.Error)
		}
	}
	return nil
}

// openURL opens a read-write handle on the database URL raw.
func openURL(ctx context.Context, raw string) (*database.DB, error) {
	u, err := compat.ParseDatabaseURL(raw)
	if err != nil {
		return nil, err
	}
	return database.Open(ctx, u, database.ReadWrite)
}
