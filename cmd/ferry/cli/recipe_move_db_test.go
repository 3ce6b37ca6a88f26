package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"

	"github.com/ferrymigrate/ferry/internal/testdb"
)

var moveRecipeFiles = map[string]string{
	"000001_users.up.sql":    "CREATE TABLE users (id integer PRIMARY KEY, email varchar(200) NOT NULL);\n",
	"000001_users.down.sql":  "DROP TABLE users;\n",
	"000002_orders.up.sql":   "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer NOT NULL);\nCREATE INDEX orders_user ON orders (user_id);\n",
	"000002_orders.down.sql": "DROP TABLE orders;\n",
}

// TestRecipeMoveOffGolangMigrate follows
// docs/recipes/move-off-golang-migrate.md on PostgreSQL (the recipe's
// engine) and SQLite, with the migrations in db/migrations and at the top of
// the repository: two environments golang-migrate deployed to different
// versions are converted in one go, keep deploying with golang-migrate and
// convert after each deploy, switch to ferry apply, and the pull-request
// gate and the Atlas directory work.
func TestRecipeMoveOffGolangMigrate(t *testing.T) {
	eachLayout(t, []string{testdb.Postgres, testdb.SQLite}, recipeMoveOffGolangMigrate)
}

func recipeMoveOffGolangMigrate(t *testing.T, d, path string) {
	r := newRecipeRepo(t, path)
	r.write(moveRecipeFiles)
	r.git("add", ".")
	r.git("commit", "-q", "-m", "migrations")
	r.git("push", "-q", "origin", "main")
	staging, prod := testdb.New(t, d).URL, testdb.New(t, d).URL
	testdb.Up(t, r.dir(), staging)
	testdb.Steps(t, r.dir(), prod, 1)

	// 1. Look at the project as golang-migrate sees it, then at each
	// environment: clean, with a file for its version.
	st := r.ferry(0, "status", "--path", r.path, "--dialect", d)
	mustContain(t, "ferry status", st.out, "FM101")
	if strings.Contains(st.out, "error ") {
		t.Fatalf("ferry status of the folder has errors:\n%s", st.out)
	}
	st = r.ferry(0, "status", "--path", r.path, "--database", staging)
	mustContain(t, "ferry status staging", st.out, "version 2, clean")
	st = r.ferry(0, "status", "--path", r.path, "--database", prod)
	mustContain(t, "ferry status prod", st.out, "version 1, clean")

	// 2. Freeze the history with a sum file.
	r.ferry(0, "hash", "--path", r.path)
	r.git("add", r.rel("atlas.sum"))
	r.git("commit", "-q", "-m", "atlas.sum for the migration folder")
	writeFile(t, ".gitattributes", "atlas.sum -text\n")
	r.git("add", ".gitattributes")
	r.git("commit", "-q", "-m", "atlas.sum is not text")
	r.ferry(0, "hash", "--path", r.path, "--check")

	// 3. Convert every environment: a dry run, then all in one go.
	dry := r.ferry(0, "convert", "--path", r.path, "--database", staging, "--dry-run")
	mustContain(t, "convert --dry-run", dry.out, "would create", "write 2 revision(s)")
	if tableExists(t, d, staging, "atlas_schema_revisions") {
		t.Fatal("convert --dry-run created the revisions table")
	}
	writeFile(t, "envs.txt", "# one golang-migrate URL per line\n"+staging+"\n"+prod+"\n")
	writeFile(t, "convert-report.json", "") // the shell's > makes it first
	conv := r.ferry(0, "convert", "--path", r.path, "--databases-file", "envs.txt", "--json")
	writeFile(t, "convert-report.json", conv.out)
	var report struct {
		Targets []struct {
			OK      bool `json:"ok"`
			Written bool `json:"written"`
			Rows    []struct {
				Version string `json:"version"`
			} `json:"rows"`
		} `json:"targets"`
	}
	if err := json.Unmarshal([]byte(conv.out), &report); err != nil {
		t.Fatalf("convert --json: %v\n%s", err, conv.out)
	}
	if len(report.Targets) != 2 || !report.Targets[0].OK || !report.Targets[1].OK || len(report.Targets[0].Rows) != 2 || len(report.Targets[1].Rows) != 1 {
		t.Fatalf("convert --databases-file: want staging with 2 rows and prod with 1, both ok:\n%s", conv.out)
	}
	wantVersion(t, r.dir(), staging, 2)
	wantVersion(t, r.dir(), prod, 1)

	// 4. Keep deploying with golang-migrate; convert after each deploy.
	r.commitMigration("tags", map[string]string{
		"000003_tags.up.sql":   "CREATE TABLE tags (id integer PRIMARY KEY, name varchar(50) NOT NULL);\n",
		"000003_tags.down.sql": "DROP TABLE tags;\n",
	})
	for _, u := range []string{staging, prod} {
		testdb.Up(t, r.dir(), u)
		c := r.ferry(0, "convert", "--path", r.path, "--database", u)
		mustContain(t, "convert after migrate up", c.out, "ok      ", "wrote ")
		c = r.ferry(0, "convert", "--path", r.path, "--database", u)
		mustContain(t, "convert again", c.out, "already converted")
	}

	// 5. Switch deploys to ferry apply.
	r.commitMigration("notes", map[string]string{
		"000004_notes.up.sql":   "CREATE TABLE notes (id integer PRIMARY KEY, body varchar(500));\n",
		"000004_notes.down.sql": "DROP TABLE notes;\n",
	})
	for _, u := range []string{staging, prod} {
		r.ferry(0, "apply", "--path", r.path, "--database", u)
		wantVersion(t, r.dir(), u, 4)
		migrateUpNoChange(t, r.dir(), u)
	}
	r.git("push", "-q", "origin", "main")

	// The pull-request gate, on a branch that adds a migration.
	r.git("checkout", "-q", "-b", "reviews")
	r.commitMigration("reviews", map[string]string{
		"000005_reviews.up.sql":   "CREATE TABLE reviews (id integer PRIMARY KEY, stars integer NOT NULL);\n",
		"000005_reviews.down.sql": "DROP TABLE reviews;\n",
	})
	r.git("fetch", "-q", "origin")
	chk := r.ferry(0, "check", "--path", r.path, "--git-base", "origin/main", "--dialect", d)
	mustContain(t, "ferry check", chk.out, "against origin/main, 1 file linted: 0 errors")

	// 6. Handing over to Atlas: a directory Atlas reads and validates.
	r.ferry(0, "convert", "--path", r.path, "--to-dir", "atlas-migrations")
	atlasDir, err := migrate.NewLocalDir("atlas-migrations")
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate.Validate(atlasDir); err != nil {
		t.Fatalf("Atlas's migrate.Validate of atlas-migrations: %v", err)
	}
	files, err := atlasDir.Files()
	if err != nil || len(files) != 5 {
		t.Fatalf("atlas-migrations has %d files (%v), want the 5 up files", len(files), err)
	}
	for _, f := range files {
		up := filepath.Join(r.dir(), strings.Replace(f.Name(), ".sql", ".up.sql", 1))
		if b, err := os.ReadFile(up); err != nil || string(b) != string(f.Bytes()) {
			t.Errorf("atlas-migrations/%s differs from its up file (%v)", f.Name(), err)
		}
	}
	// The folder (with atlas-migrations, envs.txt and the report inside it
	// when it is the top of the repository) still checks clean.
	r.ferry(0, "hash", "--path", r.path, "--check")
	for _, u := range []string{staging, prod} {
		st := r.ferry(0, "status", "--path", r.path, "--database", u)
		mustContain(t, "ferry status after the switch", st.out, "version 4, clean")
	}
}
