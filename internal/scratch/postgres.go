package scratch

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ferrymigrate/ferry/compat"
)

// PostgreSQL error codes New reacts to.
const (
	pgInsufficientPrivilege = "42501"
	pgObjectInUse           = "55006" // template1 is being accessed by other users
)

// pgCreateAttempts bounds the retries of CREATE DATABASE while another
// session is connected to template1, which PostgreSQL copies.
const pgCreateAttempts = 5

// createPostgres creates the database and returns the statement that drops
// it: DROP DATABASE ... WITH (FORCE) from PostgreSQL 13 on, which also ends
// sessions left connected to it.
func createPostgres(ctx context.Context, admin *sql.DB, dev *compat.DatabaseURL, name string) (string, error) {
	var version int
	if err := admin.QueryRowContext(ctx, `SELECT current_setting('server_version_num')::int`).Scan(&version); err != nil {
		return "", fmt.Errorf("read the server version of %s: %w", dev.Redacted(), err)
	}
	drop := `DROP DATABASE IF EXISTS "` + name + `"`
	if version >= 130000 {
		drop += " WITH (FORCE)"
	}
	var err error
	for attempt := 1; attempt <= pgCreateAttempts; attempt++ {
		if _, err = admin.ExecContext(ctx, `CREATE DATABASE "`+name+`"`); pgCode(err) != pgObjectInUse {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
		}
	}
	switch {
	case err == nil:
		return drop, nil
	case pgCode(err) == pgInsufficientPrivilege:
		var user string
		_ = admin.QueryRowContext(ctx, `SELECT current_user`).Scan(&user)
		role := `"` + strings.ReplaceAll(user, `"`, `""`) + `"`
		return "", fmt.Errorf("create scratch database %s on %s: the user %s lacks the CREATEDB privilege; a superuser can grant it (ALTER ROLE %s CREATEDB), or give a dev URL whose user has it: %w", name, dev.Redacted(), role, role, err)
	}
	return drop, fmt.Errorf("create scratch database %s on %s: %w", name, dev.Redacted(), err)
}

func pgCode(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code
	}
	return ""
}

// postgresURL is dev's URL with the database name replaced (and its dbname
// parameter dropped); golang-migrate's x- options are left out.
func postgresURL(dev *compat.DatabaseURL, name string) (*compat.DatabaseURL, error) {
	u, err := url.Parse(dev.DriverDSN())
	if err != nil {
		// url.Error repeats the URL, password included: keep only the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("URL of the scratch database on %s: %w", dev.Redacted(), err)
	}
	u.Path, u.RawPath = "/"+name, ""
	q := u.Query()
	q.Del("dbname")
	u.RawQuery = q.Encode()
	return compat.ParseDatabaseURL(u.String())
}
