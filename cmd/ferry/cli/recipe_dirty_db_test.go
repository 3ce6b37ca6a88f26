package cli_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/golang-migrate/migrate/v4"

	"github.com/ferrymigrate/ferry/internal/testdb"
)

// dirtyRecipeFiles is the project of docs/recipes/fix-a-dirty-database.md:
// statement 3 of 000002_orders.up.sql references a table that does not
// exist ("user"; on PostgreSQL a reserved word, so it fails there too).
var dirtyRecipeFiles = map[string]string{
	"000001_users.up.sql":   "CREATE TABLE users (id bigint PRIMARY KEY);\n",
	"000001_users.down.sql": "DROP TABLE users;\n",
	"000002_orders.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total decimal(10,2) NOT NULL);\n" +
		"CREATE INDEX orders_user ON orders (user_id);\n" +
		"ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES user (id);\n" +
		"CREATE TABLE order_items (order_id bigint NOT NULL, sku varchar(64) NOT NULL, PRIMARY KEY (order_id, sku));\n",
	"000002_orders.down.sql": "DROP TABLE order_items;\nDROP TABLE orders;\n",
}

var fingerprintLine = regexp.MustCompile(`(?m)^Fingerprint (up:[0-9]:proven:[0-9a-f]+)$`)

// TestRecipeFixADirtyDatabase follows docs/recipes/fix-a-dirty-database.md
// on MariaDB (the recipe's engine: the statements before the failure stay
// applied) and PostgreSQL (the file rolls back; "the steps are the same"),
// with the migrations in db/migrations and at the top of the repository.
// SQLite is left out: it has no ALTER TABLE ... ADD CONSTRAINT, so the
// recipe's fix cannot make the file run there.
func TestRecipeFixADirtyDatabase(t *testing.T) {
	eachLayout(t, []string{testdb.MySQL, testdb.Postgres}, recipeFixADirtyDatabase)
}

func recipeFixADirtyDatabase(t *testing.T, d, path string) {
	r := newRecipeRepo(t, path)
	r.write(dirtyRecipeFiles)
	// The project keeps an atlas.sum (step 6 is about it).
	r.ferry(0, "hash", "--path", r.path)
	r.git("add", ".")
	r.git("commit", "-q", "-m", "migrations")

	db := testdb.New(t, d)
	dbURL, dev := db.URL, testdb.PostgresServerURL()
	if d == testdb.MySQL {
		dev = testdb.MySQLServerURL()
	}

	// The deploy: migrate up fails at version 2, and the next one refuses.
	first := testdb.UpExpectError(t, r.dir(), dbURL)
	if !strings.Contains(first.Error(), "details") && !strings.Contains(first.Error(), "user") {
		t.Logf("golang-migrate's first error: %v", first)
	}
	second := testdb.UpExpectError(t, r.dir(), dbURL)
	var dirtyErr migrate.ErrDirty
	if !errors.As(second, &dirtyErr) || dirtyErr.Version != 2 {
		t.Fatalf("second migrate up: %v, want Dirty database version 2", second)
	}

	// 1. Make sure nothing is running.
	st := r.ferry(1, "status", "-path", r.path, "-database", dbURL)
	mustContain(t, "ferry status", st.out, "version 2, DIRTY", "Lock        free", "FM201", "run ferry doctor")

	// 2. Diagnose. Without a replay MariaDB cannot rule out that orders was
	// there before the file; PostgreSQL rolled the file back.
	doc := runFerry(t, []string{"ferry", "doctor", "-path", r.path, "-database", dbURL})
	if d == testdb.MySQL {
		if doc.code != 1 || !strings.Contains(doc.out, "Verdict     CONSISTENT: the up of 000002_orders.up.sql failed after 2 of 4 statements") {
			t.Fatalf("doctor without --dev-url: exit %d, want 1 and CONSISTENT after 2 of 4\n%s%s", doc.code, doc.out, doc.errOut)
		}
	} else if doc.code == 2 || !strings.Contains(doc.out, "Verdict") {
		t.Fatalf("doctor without --dev-url: exit %d\n%s%s", doc.code, doc.out, doc.errOut)
	}
	applied := "2 of 4"
	if d == testdb.Postgres {
		applied = "0 of 4"
	}
	doc = r.ferry(0, "doctor", "-path", r.path, "-database", dbURL, "--dev-url", dev)
	mustContain(t, "ferry doctor --dev-url", doc.out,
		"Verdict     PROVEN: the up of 000002_orders.up.sql failed after "+applied+" statements",
		"Plan --forward", "Plan --mark: not available")
	// The recipe: on MariaDB --forward is recommended; where the file
	// rolled back, --back (mark version 1 clean), and --forward works too.
	recommended := "Plan --forward (recommended)"
	if d == testdb.Postgres {
		recommended = "Plan --back (recommended): nothing of 000002_orders.up.sql ran: mark version 1 clean"
	}
	mustContain(t, "ferry doctor --dev-url", doc.out, recommended)
	m := fingerprintLine.FindStringSubmatch(doc.out)
	if m == nil {
		t.Fatalf("doctor --dev-url printed no proven fingerprint:\n%s", doc.out)
	}
	fp := m[1]
	mustContain(t, "ferry doctor --dev-url", doc.out, "--expect "+fp)

	// 4. Fix the file: only the statement that failed.
	fixed := strings.Replace(r.read("000002_orders.up.sql"), "REFERENCES user (id)", "REFERENCES users (id)", 1)
	r.write(map[string]string{"000002_orders.up.sql": fixed})
	dry := r.ferry(0, "recover", "--forward", "-path", r.path, "-database", dbURL, "--expect", fp, "--dry-run")
	mustContain(t, "recover --dry-run", dry.out, "Verdict     PROVEN", "REFERENCES users (id)", "dry run: nothing was written")
	if v, dirty, _ := testdb.Version(t, r.dir(), dbURL); v != 2 || !dirty {
		t.Fatalf("after the dry run golang-migrate is at %d dirty %v, want 2 dirty", v, dirty)
	}

	// 5. Recover, with the command doctor printed.
	rec := r.ferry(0, "recover", "--forward", "-path", r.path, "-database", dbURL, "--dev-url", dev, "--expect", fp)
	mustContain(t, "ferry recover", rec.out, "Verified    the schema equals the replay on the dev database",
		"version 2, clean (was version 2, dirty)", "Audit       ferry_recoveries")

	// 6. Re-hash the fixed file. Before that, the sum names the edit.
	chk := r.ferry(1, "hash", "--path", r.path, "--check")
	mustContain(t, "ferry hash --check before re-hashing", chk.out+chk.errOut, "000002_orders.up.sql")
	r.ferry(0, "hash", "--path", r.path)
	r.ferry(0, "hash", "--path", r.path, "--check")
	r.git("add", r.path)
	r.git("commit", "-q", "-m", "fix 000002_orders: REFERENCES users")
	if out := r.git("status", "--porcelain"); out != "" {
		t.Fatalf("the recipe left files git does not track:\n%s", out)
	}

	// 7. Hand back to golang-migrate.
	wantVersion(t, r.dir(), dbURL, 2)
	migrateUpNoChange(t, r.dir(), dbURL)
	again := r.ferry(0, "recover", "--forward", "-path", r.path, "-database", dbURL, "--expect", fp)
	mustContain(t, "recover again", again.out, "version 2 is clean: nothing to recover")
	r.ferry(0, "check", "--path", r.path, "--dialect", d)
	r.ferry(0, "drift", "--path", r.path, "--database", dbURL, "--dev-url", dev)
}
