// Quickstart: builds a golang-migrate project on an embedded SQLite database
// with golang-migrate's own library, leaves it in the states teams meet in
// production, and runs ferry on it. No server needed:
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/golang-migrate/migrate/v4"
	_ "github.com/golang-migrate/migrate/v4/database/sqlite" // golang-migrate's sqlite:// driver
	"github.com/golang-migrate/migrate/v4/source/iofs"

	"github.com/ferrymigrate/ferry/cmd/ferry/cli"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/doctor"
	"github.com/ferrymigrate/ferry/internal/shellquote"
)

//go:embed migrations/*.sql
var migrations embed.FS

// lateFile is a migration a teammate merges later; its second statement fails.
const lateFile = "20240120100000_backfill_names.up.sql"

const lateSQL = `UPDATE users SET name = email WHERE name IS NULL;
ALTER TABLE users ADD COLUMN name varchar(255);
`

// fixedSQL is lateFile after the fix: the first statement is unchanged.
const fixedSQL = `UPDATE users SET name = email WHERE name IS NULL;
CREATE INDEX users_name ON users (name);
`

func main() {
	dir := flag.String("dir", "", "work folder (default: a new temporary folder, kept so you can look around)")
	flag.Parse()
	if err := run(context.Background(), *dir); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dir string) error {
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "ferry-quickstart-"); err != nil {
			return err
		}
	}
	migDir := filepath.Join(dir, "migrations")
	if err := copyMigrations(migDir); err != nil {
		return err
	}
	dbPath := filepath.Join(dir, "legacy.db")
	_ = os.Remove(dbPath)
	dbURL := "sqlite://" + dbPath

	step("1. golang-migrate applies 3 of the 4 migrations in " + migDir)
	if err := golangMigrate(migDir, dbURL, 3); err != nil {
		return err
	}
	fmt.Println("golang-migrate: done; schema_migrations now holds a single number and nothing else.")

	step("2. ferry status: what golang-migrate recorded, and what `migrate up` would do next")
	ferry(ctx, "status", "-path", migDir, "-database", dbURL)

	step("3. ferry hash: an atlas.sum that makes edited, added or removed migrations impossible to miss")
	ferry(ctx, "hash", "-path", migDir)

	step("4. ferry convert: golang-migrate's history becomes one revision row per version; no migration runs")
	ferry(ctx, "convert", "-path", migDir, "-database", dbURL, "--dry-run")
	ferry(ctx, "convert", "-path", migDir, "-database", dbURL)
	v, dirty, err := golangMigrateVersion(migDir, dbURL)
	if err != nil {
		return err
	}
	fmt.Printf("golang-migrate still says: version %d, dirty %v (schema_migrations untouched)\n", v, dirty)
	ferry(ctx, "convert", "-path", migDir, "-database", dbURL)

	step("5. ferry apply: the pending file runs statement by statement; golang-migrate's row moves with it")
	ferry(ctx, "apply", "-path", migDir, "-database", dbURL)
	if v, dirty, err = golangMigrateVersion(migDir, dbURL); err != nil {
		return err
	}
	fmt.Printf("golang-migrate now says: version %d, dirty %v\n", v, dirty)

	step("6. A teammate merges " + lateFile + "; its second statement fails")
	if err := os.WriteFile(filepath.Join(migDir, lateFile), []byte(lateSQL), 0o644); err != nil {
		return err
	}
	ferry(ctx, "hash", "-path", migDir)
	ferry(ctx, "apply", "-path", migDir, "-database", dbURL, "--tx-mode", "none", "--verbose")
	fmt.Println("\nThey fix the second statement; ferry resumes at it, without running the first again:")
	if err := os.WriteFile(filepath.Join(migDir, lateFile), []byte(fixedSQL), 0o644); err != nil {
		return err
	}
	ferry(ctx, "hash", "-path", migDir)
	ferry(ctx, "apply", "-path", migDir, "-database", dbURL, "--tx-mode", "none", "--verbose")

	step("7. The same file under golang-migrate, on a second database: it fails half-way and leaves the database dirty")
	legacyURL := "sqlite://" + filepath.Join(dir, "legacy2.db")
	_ = os.Remove(filepath.Join(dir, "legacy2.db"))
	if err := os.WriteFile(filepath.Join(migDir, lateFile), []byte(lateSQL), 0o644); err != nil {
		return err
	}
	failure := ""
	if err := golangMigrate(migDir, legacyURL, -1); err != nil {
		fmt.Println("golang-migrate:", err)
		failure = err.Error()
	}
	ferry(ctx, "status", "-path", migDir, "-database", legacyURL)

	step("8. ferry doctor: which statements of the failed file ran, proven by the catalog and a replay in memory")
	ferry(ctx, "doctor", "-path", migDir, "-database", legacyURL, "--dev-url", "sqlite://:memory:", "--error", failure)

	step("9. ferry recover: after the fix, run what is left (verified, audited) instead of a blind force")
	token, err := fingerprint(ctx, migDir, legacyURL, failure)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(migDir, lateFile), []byte(fixedSQL), 0o644); err != nil {
		return err
	}
	ferry(ctx, "hash", "-path", migDir)
	ferry(ctx, "recover", "--forward", "-path", migDir, "-database", legacyURL, "--dev-url", "sqlite://:memory:", "--expect", token, "--yes")
	if v, dirty, err = golangMigrateVersion(migDir, legacyURL); err != nil {
		return err
	}
	fmt.Printf("golang-migrate now says: version %d, dirty %v\n", v, dirty)

	step("Done")
	fmt.Printf("Everything is in %s. Try it yourself:\n  go run ./cmd/ferry status -path %s -database %s --json\n", dir, migDir, dbURL)
	return nil
}

func step(title string) { fmt.Printf("\n== %s\n\n", title) }

// ferry runs the ferry command line in-process, as `ferry ARGS...` would.
func ferry(ctx context.Context, args ...string) {
	fmt.Println("$ ferry", quoteArgs(args))
	code := cli.Execute(ctx, args, os.Stdin, os.Stdout, os.Stdout)
	fmt.Printf("(exit code %d)\n", code)
}

func quoteArgs(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = shellquote.Quote(a)
	}
	return strings.Join(quoted, " ")
}

// golangMigrate runs golang-migrate's library: n > 0 steps up, n < 0 all the way up.
func golangMigrate(migDir, dbURL string, n int) error {
	src, err := iofs.New(os.DirFS(migDir), ".")
	if err != nil {
		return err
	}
	m, err := migrate.NewWithSourceInstance("iofs", src, dbURL)
	if err != nil {
		return err
	}
	defer m.Close()
	if n > 0 {
		err = m.Steps(n)
	} else {
		err = m.Up()
	}
	if errors.Is(err, migrate.ErrNoChange) {
		return nil
	}
	return err
}

// fingerprint is what ferry doctor printed after --expect: the diagnosis
// that recover checks the database against.
func fingerprint(ctx context.Context, migDir, dbURL, failure string) (string, error) {
	u, err := compat.ParseDatabaseURL(dbURL)
	if err != nil {
		return "", err
	}
	db, err := database.Open(ctx, u, database.ReadOnly)
	if err != nil {
		return "", err
	}
	defer db.Close()
	dg, err := doctor.Diagnose(ctx, db, os.DirFS(migDir), doctor.Options{Path: migDir, Error: failure})
	if err != nil {
		return "", err
	}
	return dg.Fingerprint, nil
}

// golangMigrateVersion asks golang-migrate's library for the version.
func golangMigrateVersion(migDir, dbURL string) (uint, bool, error) {
	src, err := iofs.New(os.DirFS(migDir), ".")
	if err != nil {
		return 0, false, err
	}
	m, err := migrate.NewWithSourceInstance("iofs", src, dbURL)
	if err != nil {
		return 0, false, err
	}
	defer m.Close()
	return m.Version()
}

func copyMigrations(to string) error {
	if err := os.MkdirAll(to, 0o755); err != nil {
		return err
	}
	return fs.WalkDir(migrations, "migrations", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := migrations.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, d.Name()), b, 0o644)
	})
}
