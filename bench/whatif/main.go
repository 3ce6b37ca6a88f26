// Command whatif measures, on MySQL/MariaDB, the SQL that golang-migrate and
// ferry send per migration file, and the SQL of proposed changes to ferry's
// bookkeeping, as raw go-sql-driver calls on the same server in the same run
// (see bench/README.md, "Proposals for MySQL/MariaDB"). Each variant applies
// -files files of three statements (CREATE TABLE, INSERT, CREATE INDEX) to a
// fresh database ferry_bench_<hex>, which is dropped afterwards.
//
//	go run ./bench/whatif -files 500 -rounds 9
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
)

const revDDL = "CREATE TABLE `atlas_schema_revisions` (`version` varchar(255) NOT NULL, `description` varchar(255) NOT NULL, `type` bigint unsigned NOT NULL DEFAULT 2, `applied` bigint NOT NULL DEFAULT 0, `total` bigint NOT NULL DEFAULT 0, `executed_at` timestamp NULL DEFAULT NULL, `execution_time` bigint NOT NULL, `error` longtext NULL, `error_stmt` longtext NULL, `hash` varchar(255) NOT NULL, `partial_hashes` json NULL, `operator_version` varchar(255) NOT NULL, PRIMARY KEY (`version`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
const upsert = "INSERT INTO `atlas_schema_revisions` (version, description, type, applied, total, executed_at, execution_time, error, error_stmt, hash, partial_hashes, operator_version) VALUES (?, ?, ?, ?, ?, FROM_UNIXTIME(?), ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE description = VALUES(description), type = VALUES(type), applied = VALUES(applied), total = VALUES(total), executed_at = VALUES(executed_at), execution_time = VALUES(execution_time), error = VALUES(error), error_stmt = VALUES(error_stmt), hash = VALUES(hash), partial_hashes = VALUES(partial_hashes), operator_version = VALUES(operator_version)"
const progress = "UPDATE `atlas_schema_revisions` SET applied = ?, partial_hashes = ? WHERE version = ?"

var hashes = []string{"h1:aGVsbG8gd29ybGQgdGhpcyBpcyBhIGhhc2ggb2Y=", "h1:c29tZSBvdGhlciBoYXNoIG9mIHN0YXRlbWVudHM=", "h1:dGhpcmQgaGFzaCBvZiB0aGUgc3RhdGVtZW50cyE="}

func stmts(i int) []string {
	return []string{
		fmt.Sprintf("CREATE TABLE t_%d (id integer PRIMARY KEY, name varchar(100), n integer);", i),
		fmt.Sprintf("INSERT INTO t_%d (id, name, n) VALUES (4, 'row 4', 2), (5, 'row 5', 2);", i),
		fmt.Sprintf("CREATE INDEX t_%d_ix_3 ON t_%d (name, n);", i, i),
	}
}

func pj(n int) string {
	if n < 0 {
		return "null"
	}
	return `["` + strings.Join(hashes[:n], `","`) + `"]`
}

func rowArgs(i, applied int, partial string) []any {
	return []any{fmt.Sprintf("%06d", i), "create_t", uint64(2), applied, 3, time.Now().Unix(), int64(12345), "", "", "ZmlsZWhhc2hmaWxlaGFzaGZpbGVoYXNoZmlsZWhhc2g=", partial, "ferry bench"}
}

type variant struct {
	name   string
	interp bool
	run    func(ctx context.Context, c *sql.Conn, n int) error
}

func inTx(ctx context.Context, c *sql.Conn, f func(tx *sql.Tx) error) error {
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func gm(ctx context.Context, c *sql.Conn, n int) error {
	set := func(v int, dirty bool) error {
		tx, err := c.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM `schema_migrations` LIMIT 1"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO `schema_migrations` (version, dirty) VALUES (?, ?)", v, dirty); err != nil {
			return err
		}
		return tx.Commit()
	}
	for i := 1; i <= n; i++ {
		if err := set(i, true); err != nil {
			return err
		}
		if _, err := c.ExecContext(ctx, strings.Join(stmts(i), "\n")+"\n"); err != nil {
			return err
		}
		if err := set(i, false); err != nil {
			return err
		}
	}
	return nil
}

func legacy(ctx context.Context, tx *sql.Tx, v int, dirty bool) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM `schema_migrations`"); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO `schema_migrations` (version, dirty) VALUES (?, ?)", v, dirty)
	return err
}

// ferryNow is apply/run.go none(): start tx, per statement tx, finish tx.
func ferryNow(ctx context.Context, c *sql.Conn, n int) error {
	return perStatement(ctx, c, n, func(string) bool { return true })
}

// noTxDDL: as ferryNow, but DDL statements are not wrapped in BEGIN/COMMIT
// (they commit on their own); their progress UPDATE autocommits.
func noTxDDL(ctx context.Context, c *sql.Conn, n int) error {
	return perStatement(ctx, c, n, func(s string) bool { return !strings.HasPrefix(s, "CREATE") })
}

// perStatement runs each file as ferry's none mode does: the revision row
// and golang-migrate's row in a transaction before and after the file, and
// each statement with its progress update, in a transaction where wrap says so.
func perStatement(ctx context.Context, c *sql.Conn, n int, wrap func(stmt string) bool) error {
	mark := func(i, applied, pos int, dirty bool) error {
		return inTx(ctx, c, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, upsert, rowArgs(i, applied, pj(pos))...); err != nil {
				return err
			}
			return legacy(ctx, tx, i, dirty)
		})
	}
	for i := 1; i <= n; i++ {
		if err := mark(i, 0, 0, true); err != nil {
			return err
		}
		for j, s := range stmts(i) {
			step := func(e interface {
				ExecContext(context.Context, string, ...any) (sql.Result, error)
			}) error {
				if _, err := e.ExecContext(ctx, s); err != nil {
					return err
				}
				_, err := e.ExecContext(ctx, progress, j+1, pj(j+1), fmt.Sprintf("%06d", i))
				return err
			}
			var err error
			if wrap(s) {
				err = inTx(ctx, c, func(tx *sql.Tx) error { return step(tx) })
			} else {
				err = step(c)
			}
			if err != nil {
				return err
			}
		}
		if err := mark(i, 3, -1, false); err != nil {
			return err
		}
	}
	return nil
}

// batched: the statement alone in its round trip (exact error attribution);
// the bookkeeping around it in one multi-statement round trip, with the
// driver interpolating the parameters. 1 + 2K round trips per file.
func batched(ctx context.Context, c *sql.Conn, n int) error {
	for i := 1; i <= n; i++ {
		v := fmt.Sprintf("%06d", i)
		args := append(rowArgs(i, 0, pj(0)), i, true)
		if _, err := c.ExecContext(ctx, "START TRANSACTION; "+upsert+"; DELETE FROM `schema_migrations`; INSERT INTO `schema_migrations` (version, dirty) VALUES (?, ?); COMMIT; START TRANSACTION", args...); err != nil {
			return err
		}
		ss := stmts(i)
		for j, s := range ss {
			if _, err := c.ExecContext(ctx, s); err != nil {
				return err
			}
			if j < len(ss)-1 {
				if _, err := c.ExecContext(ctx, progress+"; COMMIT; START TRANSACTION", j+1, pj(j+1), v); err != nil {
					return err
				}
				continue
			}
			args := append(rowArgs(i, 3, pj(-1)), i, false)
			if _, err := c.ExecContext(ctx, upsert+"; DELETE FROM `schema_migrations`; INSERT INTO `schema_migrations` (version, dirty) VALUES (?, ?); COMMIT", args...); err != nil {
				return err
			}
		}
	}
	return nil
}

func lit(v any) string {
	switch x := v.(type) {
	case string:
		if x == "" {
			return "''"
		}
		return "_utf8mb4 0x" + hex.EncodeToString([]byte(x))
	case bool:
		if x {
			return "1"
		}
		return "0"
	}
	return fmt.Sprint(v)
}

func render(q string, args ...any) string {
	var b strings.Builder
	k := 0
	for _, r := range q {
		if r == '?' {
			b.WriteString(lit(args[k]))
			k++
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// oneTrip: statement and its bookkeeping in one round trip (literals rendered
// by ferry, no driver interpolation): K round trips per file.
func oneTrip(ctx context.Context, c *sql.Conn, n int) error {
	for i := 1; i <= n; i++ {
		v := fmt.Sprintf("%06d", i)
		start := "START TRANSACTION;\n" + render(upsert, rowArgs(i, 0, pj(0))...) + ";\nDELETE FROM `schema_migrations`;\n" + render("INSERT INTO `schema_migrations` (version, dirty) VALUES (?, ?)", i, true) + ";\nCOMMIT;\nSTART TRANSACTION;\n"
		ss := stmts(i)
		for j, s := range ss {
			q := s + "\n"
			if j == 0 {
				q = start + q
			}
			if j < len(ss)-1 {
				q += render(progress, j+1, pj(j+1), v) + ";\nCOMMIT;\nSTART TRANSACTION"
			} else {
				q += render(upsert, rowArgs(i, 3, pj(-1))...) + ";\nDELETE FROM `schema_migrations`;\n" + render("INSERT INTO `schema_migrations` (version, dirty) VALUES (?, ?)", i, false) + ";\nCOMMIT"
			}
			if _, err := c.ExecContext(ctx, q); err != nil {
				return err
			}
		}
	}
	return nil
}

func main() {
	os.Exit(run())
}

func run() int {
	n := flag.Int("files", 500, "migration files per variant")
	rounds := flag.Int("rounds", 5, "rounds (every variant once per round, in rotating order)")
	only := flag.String("only", "", "comma-separated variant names to run (default: all)")
	flag.Parse()
	variants := []variant{
		{"golang-migrate", false, gm},
		{"ferry now", false, ferryNow},
		{"ferry now + interpolateParams", true, ferryNow},
		{"+ DDL outside BEGIN/COMMIT", true, noTxDDL},
		{"batched bookkeeping (1+2K trips)", true, batched},
		{"statement+bookkeeping (K trips)", false, oneTrip},
	}
	if *only != "" {
		variants = slices.DeleteFunc(variants, func(v variant) bool { return !strings.Contains(","+*only+",", ","+v.name+",") })
	}
	if len(variants) == 0 || variants[0].name != "golang-migrate" {
		fmt.Fprintln(os.Stderr, "whatif: -only must include golang-migrate (the reference)")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	raw := os.Getenv("FERRY_TEST_MYSQL")
	if raw == "" {
		raw = "mysql://root:@tcp(127.0.0.1:3306)/test"
	}
	base, err := mysql.ParseDSN(strings.TrimPrefix(raw, "mysql://"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "whatif: FERRY_TEST_MYSQL:", err)
		return 2
	}
	admin, err := sql.Open("mysql", base.FormatDSN())
	if err != nil {
		fmt.Fprintln(os.Stderr, "whatif:", err)
		return 1
	}
	defer admin.Close()
	times := map[string][]float64{}
	for r := 0; r < *rounds; r++ {
		for k := range variants {
			v := variants[(k+r)%len(variants)]
			d, err := once(ctx, admin, base, v, *n)
			if err != nil {
				fmt.Fprintf(os.Stderr, "whatif: %s: %v\n", v.name, err)
				return 1
			}
			times[v.name] = append(times[v.name], float64(d))
			fmt.Printf("round %d %-34s %8s\n", r+1, v.name, d.Round(time.Millisecond))
		}
	}
	med := func(x []float64) float64 { y := slices.Clone(x); slices.Sort(y); return y[len(y)/2] }
	g := med(times["golang-migrate"])
	fmt.Println()
	for _, v := range variants {
		m := med(times[v.name])
		var rs []float64
		for r := range times[v.name] {
			rs = append(rs, times[v.name][r]/times["golang-migrate"][r])
		}
		fmt.Printf("%-34s median %8s  %6.0f us/file  ratio of medians %.3f  median per-round ratio %.3f\n", v.name, time.Duration(m).Round(time.Millisecond), m/float64(*n)/1000, m/g, med(rs))
	}
	return 0
}

// once runs one variant on a new database and drops it, whatever happens.
func once(ctx context.Context, admin *sql.DB, base *mysql.Config, v variant, n int) (d time.Duration, err error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "ferry_bench_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE `"+name+"`"); err != nil {
		return 0, err
	}
	defer func() {
		if _, derr := admin.ExecContext(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS `"+name+"`"); derr != nil && err == nil {
			err = fmt.Errorf("drop database %s: %w", name, derr)
		}
	}()
	cfg := base.Clone()
	cfg.DBName = name
	cfg.MultiStatements = true
	cfg.InterpolateParams = v.interp
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return 0, err
	}
	defer db.Close()
	c, err := db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, revDDL); err != nil {
		return 0, err
	}
	if _, err := c.ExecContext(ctx, "CREATE TABLE `schema_migrations` (version bigint not null primary key, dirty boolean not null)"); err != nil {
		return 0, err
	}
	t0 := time.Now()
	if err := v.run(ctx, c, n); err != nil {
		return 0, err
	}
	d = time.Since(t0)
	var tables, rows int
	if err := c.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 't\\_%'").Scan(&tables); err != nil {
		return 0, err
	}
	if tables != n {
		return 0, fmt.Errorf("%d tables, want %d", tables, n)
	}
	if v.name != "golang-migrate" {
		if err := c.QueryRowContext(ctx, "SELECT COUNT(*) FROM atlas_schema_revisions WHERE applied = 3 AND total = 3 AND partial_hashes = 'null'").Scan(&rows); err != nil {
			return 0, err
		}
		if rows != n {
			return 0, fmt.Errorf("%d complete revision rows, want %d", rows, n)
		}
	}
	return d, nil
}
