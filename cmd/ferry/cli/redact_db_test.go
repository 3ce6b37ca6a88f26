package cli_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/cmd/ferry/cli"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

// TestNoPasswordInOutput runs ferry status with URLs that carry passwords,
// against real servers, for successes and for every kind of failure, and
// checks that no password (raw or URL-escaped) reaches stdout or stderr.
func TestNoPasswordInOutput(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/1_a.up.sql", "CREATE TABLE a (id int);\n")
	writeFile(t, dir+"/1_a.down.sql", "DROP TABLE a;\n")

	pg := testdb.NewPostgres(t)
	my := testdb.NewMySQL(t)
	secret := "S3cr3t-" + randomHex(t)
	special := "p@ss:w/rd%21?" + randomHex(t)
	myUser := "ferry_pw_" + randomHex(t)[:8]
	my.Exec(t,
		fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY '%s'", myUser, secret),
		fmt.Sprintf("GRANT SELECT ON `%s`.* TO '%s'@'%%'", my.Name, myUser),
	)
	t.Cleanup(func() { _, _ = my.SQL.Exec(fmt.Sprintf("DROP USER IF EXISTS '%s'@'%%'", myUser)) })
	_, myAddr, _ := strings.Cut(my.URL, "@") // tcp(host:port)/name
	pgURL, err := url.Parse(pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	withPassword := func(u url.URL, pw string) string {
		u.User = url.UserPassword(u.User.Username(), pw)
		return u.String()
	}
	unreachable := *pgURL
	unreachable.Host = "127.0.0.1:1"
	missingDB := *pgURL
	missingDB.Path = "/ferry_no_such_database"

	cases := []struct {
		name   string
		url    string
		code   int
		hidden []string
	}{
		{"postgres, password ignored by trust auth", withPassword(*pgURL, secret), 0, []string{secret}},
		{"postgres, special characters", withPassword(*pgURL, special), 0, []string{special, url.QueryEscape(special), url.PathEscape(special)}},
		{"postgres, password parameter", pg.URL + "&password=" + secret, 0, []string{secret}},
		{"postgres unreachable", withPassword(unreachable, secret), 1, []string{secret}},
		{"postgres missing database", withPassword(missingDB, secret), 1, []string{secret}},
		{"postgres bad option", withPassword(*pgURL, secret) + "&x-nope=1", 2, []string{secret}},
		{"mysql right password", "mysql://" + myUser + ":" + secret + "@" + myAddr, 0, []string{secret}},
		{"mysql wrong password", "mysql://" + myUser + ":" + secret + "-wrong@" + myAddr, 1, []string{secret}},
		{"mysql escaped password", "mysql://" + myUser + ":" + url.QueryEscape(special) + "@" + myAddr, 1, []string{special, url.QueryEscape(special)}},
		{"mysql unreachable", "mysql://" + myUser + ":" + secret + "@tcp(127.0.0.1:1)/x", 1, []string{secret}},
		{"mysql bad option", "mysql://" + myUser + ":" + secret + "@" + myAddr + "?x-nope=1", 2, []string{secret}},
		{"mysql bad DSN", "mysql://" + myUser + ":" + secret + "@tcp(127.0.0.1:3306", 2, []string{secret}},
	}
	for _, c := range cases {
		for _, format := range []string{"text", "json"} {
			t.Run(c.name+"/"+format, func(t *testing.T) {
				args := []string{"status", "-path", dir, "-database", c.url}
				if format == "json" {
					args = append(args, "--json")
				}
				var out, errOut bytes.Buffer
				code := cli.Execute(context.Background(), args, nil, &out, &errOut)
				if code != c.code {
					t.Errorf("exit %d, want %d; stderr: %s", code, c.code, errOut.String())
				}
				all := out.String() + errOut.String()
				for _, h := range c.hidden {
					if strings.Contains(all, h) {
						t.Errorf("output contains the password %q:\n%s", h, all)
					}
				}
				if code != 0 && errOut.Len() == 0 {
					t.Error("failure without a message on stderr")
				}
			})
		}
	}
}

func randomHex(t *testing.T) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
