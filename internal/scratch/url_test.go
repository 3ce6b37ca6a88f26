package scratch

import (
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/compat"
)

// TestServerURLs: the scratch URL is the dev URL with the database replaced;
// passwords with URL-special characters survive and are redacted, the dev
// database's name and golang-migrate's x- options do not carry over, and a
// custom MySQL TLS setup does.
func TestServerURLs(t *testing.T) {
	const name = NamePrefix + "0123456789abcdef"
	cases := []struct {
		name, dev string
		build     func(*compat.DatabaseURL, string) (*compat.DatabaseURL, error)
		wantDSN   string
		secret    string
	}{
		{"postgres", "postgres://app:s3cr%2Ft%40x@db.example:6543/devdb?sslmode=require&search_path=app&x-migrations-table=m",
			postgresURL, "postgres://app:s3cr%2Ft%40x@db.example:6543/" + name + "?search_path=app&sslmode=require", "s3cr/t@x"},
		{"postgres dbname parameter", "pgx5://app@db.example/?dbname=devdb&sslmode=disable",
			postgresURL, "postgres://app@db.example/" + name + "?sslmode=disable", ""},
		{"mysql", "mysql://app:p%40ss%2Fw%3Ard@tcp(db.example:3307)/devdb?parseTime=true&x-no-lock=true",
			mysqlURL, "app:p@ss/w:rd@tcp(db.example:3307)/" + name + "?multiStatements=true&parseTime=true", "p@ss/w:rd"},
		{"mysql custom tls", "mysql://app:pw@tcp(db.example:3306)/devdb?tls=custom&x-tls-ca=/etc/ca.pem&x-tls-insecure-skip-verify=true",
			mysqlURL, "app:pw@tcp(db.example:3306)/" + name + "?multiStatements=true", "pw"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dev, err := compat.ParseDatabaseURL(c.dev)
			if err != nil {
				t.Fatal(err)
			}
			u, err := c.build(dev, name)
			if err != nil {
				t.Fatal(err)
			}
			if u.DriverDSN() != c.wantDSN {
				t.Errorf("DSN\n got %s\nwant %s", u.DriverDSN(), c.wantDSN)
			}
			if u.Database != name || u.Dialect != dev.Dialect {
				t.Errorf("database %q dialect %q", u.Database, u.Dialect)
			}
			if c.secret != "" && strings.Contains(u.Redacted(), c.secret) {
				t.Errorf("redacted URL shows the password: %s", u.Redacted())
			}
			if dev.Options["tls"] != u.Options["tls"] || dev.Options["x-tls-ca"] != u.Options["x-tls-ca"] || dev.Options["x-tls-insecure-skip-verify"] != u.Options["x-tls-insecure-skip-verify"] {
				t.Errorf("TLS options %v, dev had %v", u.Options, dev.Options)
			}
		})
	}
}
