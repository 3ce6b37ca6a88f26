package scratch

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/ferrymigrate/ferry/compat"
)

// MySQL error numbers of a user without the privilege to create a database.
const (
	myDBAccessDenied     = 1044 // ER_DBACCESS_DENIED_ERROR
	mySpecificAccessDeny = 1227 // ER_SPECIFIC_ACCESS_DENIED_ERROR
)

// createMySQL creates the database and returns the statement that drops it.
func createMySQL(ctx context.Context, admin *sql.DB, dev *compat.DatabaseURL, name string) (string, error) {
	drop := "DROP DATABASE IF EXISTS `" + name + "`"
	_, err := admin.ExecContext(ctx, "CREATE DATABASE `"+name+"`")
	var my *mysql.MySQLError
	switch {
	case err == nil:
		return drop, nil
	case errors.As(err, &my) && (my.Number == myDBAccessDenied || my.Number == mySpecificAccessDeny):
		account := "the dev user"
		var current string
		if admin.QueryRowContext(ctx, `SELECT CURRENT_USER()`).Scan(&current) == nil {
			if user, host, ok := cutLast(current, "@"); ok {
				account = "'" + user + "'@'" + host + "'"
			}
		}
		return "", fmt.Errorf("create scratch database %s on %s: %s lacks the CREATE privilege on it; grant every privilege on the scratch databases (GRANT ALL ON `%s%%`.* TO %s), or give a dev URL whose user has them: %w",
			name, dev.Redacted(), account, strings.ReplaceAll(NamePrefix, "_", `\_`), account, err)
	}
	return drop, fmt.Errorf("create scratch database %s on %s: %w", name, dev.Redacted(), err)
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// mysqlURL is dev's URL with the database name replaced. User name and
// password are query-escaped, as golang-migrate's driver unescapes them; a
// custom TLS setup (tls=NAME with x-tls-*) is carried over.
func mysqlURL(dev *compat.DatabaseURL, name string) (*compat.DatabaseURL, error) {
	cfg := dev.MySQLConfig()
	cfg.DBName = name
	cfg.User, cfg.Passwd = url.QueryEscape(cfg.User), url.QueryEscape(cfg.Passwd)
	dsn := cfg.FormatDSN()
	if custom := dev.Options["tls"]; custom != "" {
		q := url.Values{"tls": {custom}}
		for _, k := range []string{"x-tls-ca", "x-tls-cert", "x-tls-key", "x-tls-insecure-skip-verify"} {
			if v, ok := dev.Options[k]; ok {
				q.Set(k, v)
			}
		}
		sep := "?"
		if strings.Contains(dsn[strings.LastIndex(dsn, "/"):], "?") {
			sep = "&"
		}
		dsn += sep + q.Encode()
	}
	return compat.ParseDatabaseURL("mysql://" + dsn)
}
