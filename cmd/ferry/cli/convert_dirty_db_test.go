package cli_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/golang-migrate/migrate/v4"

	"github.com/ferrymigrate/ferry/internal/testdb"
)

// TestConvertFromDirty runs ferry convert --from-dirty end to end on the
// servers: golang-migrate fails in version 2, ferry doctor (with --dev-url
// and golang-migrate's error) proves how many statements stayed, convert
// records them as a partial revision, and after the fix ferry apply runs
// the rest; golang-migrate ends clean at version 3 with nothing to do.
func TestConvertFromDirty(t *testing.T) {
	t.Parallel()
	plain, ownTx := testdb.DirtyOrders(false), testdb.DirtyOrders(true)
	cases := []struct {
		name    string
		dialect string
		dev     string
		orders  []string
		k       int
	}{
		{"mariadb", testdb.MySQL, testdb.MySQLServerURL(), plain, 2},
		{"postgres whole file rolled back", testdb.Postgres, testdb.PostgresServerURL(), plain, 0},
		{"postgres own BEGIN/COMMIT", testdb.Postgres, testdb.PostgresServerURL(), ownTx, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, c.dialect)
			dir := testdb.WriteDir(t, map[string]string{
				"1_users.up.sql":  "CREATE TABLE users (id integer PRIMARY KEY, email varchar(100) NOT NULL);\nCREATE TABLE settings (k varchar(50) PRIMARY KEY, v varchar(100));\n",
				"2_orders.up.sql": strings.Join(c.orders, "\n") + "\n",
				"3_audit.up.sql":  "CREATE TABLE audit (id integer PRIMARY KEY, note varchar(100));\n",
			})
			if code, out, errOut := ferry(t, "hash", "--path", dir); code != 0 {
				t.Fatalf("ferry hash: exit %d\n%s%s", code, out, errOut)
			}
			failure := testdb.UpExpectError(t, dir, db.URL).Error()

			// Without --from-dirty: refused, naming the next steps.
			code, out, _ := ferry(t, "convert", "--path", dir, "--database", db.URL)
			if code != 1 || !strings.Contains(out, "ferry doctor --path") || !strings.Contains(out, "ferry convert --from-dirty") {
				t.Fatalf("convert of a dirty database: exit %d\n%s", code, out)
			}

			args := []string{"convert", "--path", dir, "--database", db.URL, "--from-dirty", "--dev-url", c.dev, "--error", failure, "--json"}
			code, out, errOut := ferry(t, append(args, "--dry-run")...)
			if code != 0 {
				t.Fatalf("convert --from-dirty --dry-run: exit %d\n%s%s", code, out, errOut)
			}
			var res struct {
				Targets []struct {
					Written   bool `json:"written"`
					Diagnosis struct {
						Case      string `json:"case"`
						Applied   int    `json:"applied"`
						Certainty string `json:"certainty"`
					} `json:"diagnosis"`
					Plan struct {
						LegacyDirty bool `json:"legacy_dirty"`
						Partial     struct {
							Applied int    `json:"applied"`
							Total   int    `json:"total"`
							Next    int    `json:"next_statement"`
							Error   string `json:"error"`
						} `json:"partial"`
					} `json:"plan"`
				} `json:"targets"`
			}
			if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Targets) != 1 {
				t.Fatalf("--json: %v\n%s", err, out)
			}
			got := res.Targets[0]
			if got.Written || got.Diagnosis.Case != "up" || got.Diagnosis.Applied != c.k || got.Diagnosis.Certainty != "proven" ||
				!got.Plan.LegacyDirty || got.Plan.Partial.Applied != c.k || got.Plan.Partial.Total != len(c.orders) || got.Plan.Partial.Next != c.k+1 ||
				!strings.HasPrefix(got.Plan.Partial.Error, "imported from a dirty golang-migrate state: ferry doctor proved ") {
				t.Fatalf("dry run: %+v\n%s", got, out)
			}
			if n := revisionCount(t, db); n != -1 {
				t.Fatalf("--dry-run wrote: %d rows", n)
			}
			if code, out, errOut := ferry(t, args...); code != 0 {
				t.Fatalf("convert --from-dirty: exit %d\n%s%s", code, out, errOut)
			}
			if n := revisionCount(t, db); n != 2 {
				t.Fatalf("%d revision rows, want 2", n)
			}

			// Fix statement 3 (the failing INSERT) and resume.
			fixedBody := strings.Replace(strings.Join(c.orders, "\n")+"\n", "INSERT INTO nosuch (id) VALUES (1);", "ALTER TABLE users ADD COLUMN name varchar(100);", 1)
			if err := os.WriteFile(filepath.Join(dir, "2_orders.up.sql"), []byte(fixedBody), 0o644); err != nil {
				t.Fatal(err)
			}
			if code, out, errOut := ferry(t, "hash", "--path", dir); code != 0 {
				t.Fatalf("ferry hash: exit %d\n%s%s", code, out, errOut)
			}
			code, out, errOut = ferry(t, "apply", "--path", dir, "--database", db.URL, "--verbose")
			if code != 0 {
				t.Fatalf("ferry apply: exit %d\n%s%s", code, out, errOut)
			}
			for i := 1; i <= len(c.orders); i++ {
				ran := strings.Contains(out, "2_orders.up.sql: statement "+strconv.Itoa(i)+" of ")
				if ran != (i > c.k) {
					t.Errorf("statement %d of 2_orders.up.sql ran: %v, want %v\n%s", i, ran, i > c.k, out)
				}
			}
			var n int
			if err := db.SQL.QueryRow(`SELECT COUNT(*) FROM settings WHERE k = 'orders'`).Scan(&n); err != nil || n != 1 {
				t.Errorf("settings rows: %d (%v), want 1", n, err)
			}
			if v, dirty, _ := testdb.Version(t, dir, db.URL); v != 3 || dirty {
				t.Errorf("golang-migrate after apply: version %d dirty %v, want 3 clean", v, dirty)
			}
			if err := testdb.Migrator(t, dir, db.URL).Up(); !errors.Is(err, migrate.ErrNoChange) {
				t.Errorf("golang-migrate Up after apply: %v, want no change", err)
			}
		})
	}
}
