package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/cmd/ferry/cli"
	"github.com/ferrymigrate/ferry/internal/shellquote"
	"github.com/ferrymigrate/ferry/internal/testdb"
)

// ferryCommand finds the start of a command ferry prints in its output.
var ferryCommand = regexp.MustCompile(`(^|[\s:])ferry (status|hash|statements|convert|apply|check|baseline|rebase|drift|doctor|recover) `)

// boolFlags are the flags of ferry's commands that take no value.
var boolFlags = map[string]bool{"forward": true, "back": true, "mark": true, "accept-unproven": true, "dry-run": true, "yes": true,
	"json": true, "from-dirty": true, "check": true, "write-sum": true, "strict": true, "baseline-only": true, "verbose": true, "allow-out-of-order": true}

// commandsIn returns the ferry commands printed in text, each as the words
// a POSIX shell reads when the command is pasted (the text after it, such
// as "(see ...)" or "shows the evidence", is not part of it).
func commandsIn(t *testing.T, text string) [][]string {
	t.Helper()
	var out [][]string
	for _, line := range strings.Split(text, "\n") {
		for _, loc := range ferryCommand.FindAllStringSubmatchIndex(line, -1) {
			rest := line[loc[3]:]
			// The command ends where prose begins: at an unquoted ';' or
			// '(' (Split refuses both), so split up to the first one.
			words, err := shellquote.Split(cutProse(rest))
			if err != nil {
				t.Fatalf("printed command cannot be pasted: %v\n%s", err, line)
			}
			if words = grammar(words); len(words) > 2 {
				out = append(out, words) // not prose such as "ferry apply resumes"
			}
		}
	}
	return out
}

// cutProse cuts s at the first ';' or '(' outside single quotes.
func cutProse(s string) string {
	quoted := false
	for i, c := range s {
		switch {
		case c == '\'':
			quoted = !quoted
		case !quoted && (c == ';' || c == '('):
			return s[:i]
		}
	}
	return s
}

// grammar keeps the words that belong to the command: the subcommand, its
// flags and their values (and the file argument of ferry statements).
func grammar(words []string) []string {
	i := 2
	for i < len(words) {
		w := words[i]
		switch name, _, hasValue := strings.Cut(strings.TrimLeft(w, "-"), "="); {
		case strings.HasPrefix(w, "-") && (hasValue || boolFlags[name]):
			i++
		case strings.HasPrefix(w, "-"):
			i += 2
		case words[1] == "statements":
			i++
		default:
			return words[:i]
		}
	}
	return words[:min(i, len(words))]
}

type ran struct {
	code        int
	out, errOut string
}

// runFerry runs ferry in-process with the words of a printed command.
func runFerry(t *testing.T, words []string) ran {
	t.Helper()
	if words[0] != "ferry" {
		t.Fatalf("not a ferry command: %q", words)
	}
	var out, errOut bytes.Buffer
	code := cli.Execute(context.Background(), words[1:], strings.NewReader(""), &out, &errOut)
	r := ran{code, out.String(), errOut.String()}
	t.Logf("$ %s\nexit %d\n%s%s", shellquote.Command(words...), code, r.out, r.errOut)
	return r
}

// pastedFiles: the up of version 2 fails at its third statement; the two
// before it stay applied where the engine runs statements one by one.
var pastedFiles = map[string]string{
	"1_users.up.sql":    "CREATE TABLE users (id integer PRIMARY KEY);\n",
	"1_users.down.sql":  "DROP TABLE users;\n",
	"2_orders.up.sql":   "CREATE TABLE orders (id integer PRIMARY KEY);\nCREATE TABLE tags (id integer PRIMARY KEY);\nINSERT INTO nosuch (id) VALUES (1);\n",
	"2_orders.down.sql": "DROP TABLE tags;\nDROP TABLE orders;\n",
}

const pastedFixed = "CREATE TABLE orders (id integer PRIMARY KEY);\nCREATE TABLE tags (id integer PRIMARY KEY);\nCREATE TABLE notes (id integer PRIMARY KEY);\n"

func pastedDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "my migrations") // a path that needs quoting
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range pastedFiles {
		writeFile(t, filepath.Join(dir, name), body)
	}
	return dir
}

// pastedURL is a database golang-migrate left dirty at version 2 with two
// statements of 2_orders.up.sql applied, under a migrations table of its
// own name, and a dev server of the same engine.
func pastedURL(t *testing.T, d, dir string) (dbURL, dev string) {
	t.Helper()
	db := testdb.New(t, d)
	kv := []string{"x-migrations-table", "legacy_versions"}
	dev = "sqlite://:memory:"
	switch d {
	case testdb.Postgres:
		kv, dev = append(kv, "x-multi-statement", "true"), testdb.PostgresServerURL()
	case testdb.SQLite:
		kv = append(kv, "x-no-tx-wrap", "true")
	case testdb.MySQL:
		dev = testdb.MySQLServerURL()
	}
	dbURL = db.URLWith(kv...)
	if err := testdb.UpExpectError(t, dir, dbURL); err == nil {
		t.Fatal("golang-migrate up succeeded; the file was meant to fail")
	}
	return dbURL, dev
}

// TestPrintedCommandsWork pastes every command ferry prints on a dirty
// database (doctor's plans, the next: lines of refusals) and runs it: each
// gets past the point that printed it, and following them recovers the
// database for golang-migrate.
func TestPrintedCommandsWork(t *testing.T) {
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, d string) {
		dir := pastedDir(t)
		dbURL, dev := pastedURL(t, d, dir)
		target := []string{"--path", dir, "--database", dbURL}

		// convert refuses the dirty row (and a folder without atlas.sum);
		// its next: commands get further each time.
		r := runFerry(t, append([]string{"ferry", "convert"}, target...))
		if r.code != 1 {
			t.Fatalf("convert on a dirty database: exit %d", r.code)
		}
		for _, c := range commandsIn(t, r.out+r.errOut) {
			if c[1] == "hash" {
				if r := runFerry(t, c); r.code != 0 {
					t.Fatalf("printed %q: exit %d", c, r.code)
				}
			}
		}
		r = runFerry(t, append([]string{"ferry", "convert"}, target...))
		cmds := commandsIn(t, r.out+r.errOut)
		if len(cmds) < 2 || cmds[0][1] != "doctor" || !slices.Contains(cmds[1], "--from-dirty") {
			t.Fatalf("convert on a dirty database prints %q, want doctor and convert --from-dirty", cmds)
		}
		for _, c := range cmds {
			if c[1] == "convert" {
				c = append(c, "--dry-run")
			}
			r := runFerry(t, c)
			if r.code == 2 || strings.Contains(r.errOut, "is dirty at version 2: a migration failed part-way") {
				t.Fatalf("printed %q goes round in a circle or is wrong: exit %d\n%s", c, r.code, r.errOut)
			}
		}

		// doctor without a replay: each plan it prints shows its plan
		// with --dry-run, whatever the verdict.
		r = runFerry(t, append([]string{"ferry", "doctor"}, target...))
		plans := commandsIn(t, r.out)
		if len(plans) == 0 {
			t.Fatalf("doctor printed no recover command:\n%s", r.out)
		}
		for _, c := range plans {
			if c[1] != "recover" || !slices.Contains(c, "--expect") || !slices.Contains(c, dbURL) {
				t.Fatalf("doctor printed %q", c)
			}
			if !strings.Contains(r.out, "PROVEN") && !slices.Contains(c, "--accept-unproven") {
				t.Errorf("the verdict is not proven, but %q lacks --accept-unproven", c)
			}
			dry := runFerry(t, append(c, "--dry-run"))
			if dry.code != 0 || !strings.Contains(dry.out, "dry run: nothing was written") {
				t.Fatalf("printed %q --dry-run: exit %d\n%s%s", c, dry.code, dry.out, dry.errOut)
			}
		}

		// recover --dry-run without any guard flag shows the plan too.
		dry := runFerry(t, append([]string{"ferry", "recover", "--forward", "--dry-run"}, target...))
		if dry.code != 0 || !strings.Contains(dry.out, "Plan --forward") {
			t.Fatalf("recover --dry-run: exit %d", dry.code)
		}

		// A refusal's next: is a doctor command with the user's values
		// (the dev server included) that diagnoses again.
		r = runFerry(t, append([]string{"ferry", "recover", "--forward", "--dev-url", dev, "--expect", "up:9:proven:0000000000000000"}, target...))
		next := commandsIn(t, r.errOut)
		if r.code != 1 || len(next) != 1 || next[0][1] != "doctor" || !slices.Contains(next[0], "--dev-url") {
			t.Fatalf("a refused recover prints next: %q", next)
		}
		r = runFerry(t, next[0])
		if !strings.Contains(r.out, "Verdict     PROVEN") {
			t.Fatalf("printed %q does not diagnose with the replay", next[0])
		}

		// The recommended plan of the proven verdict, after the fix,
		// pasted as printed (and its next: when it asks for --yes).
		var fwd []string
		for _, c := range commandsIn(t, r.out) {
			if slices.Contains(c, "--forward") {
				fwd = c
			}
		}
		if fwd == nil {
			t.Fatalf("doctor --dev-url printed no --forward command:\n%s", r.out)
		}
		writeFile(t, filepath.Join(dir, "2_orders.up.sql"), pastedFixed)
		for hop := 0; ; hop++ {
			r = runFerry(t, fwd)
			if r.code == 0 {
				break
			}
			next := commandsIn(t, r.errOut)
			if hop > 0 || len(next) != 1 || slices.Equal(next[0], fwd) {
				t.Fatalf("printed %q: exit %d, next %q", fwd, r.code, next)
			}
			fwd = next[0]
		}
		if !strings.Contains(r.out, "Ran         1 statement") {
			t.Fatalf("recover --forward ran something else:\n%s", r.out)
		}
		testdb.Up(t, dir, dbURL)
		if v, dirty, _ := testdb.Version(t, dir, dbURL); v != 2 || dirty {
			t.Fatalf("golang-migrate after recover: version %d dirty %v, want 2 clean", v, dirty)
		}
	})
}

// TestPrintedCommandsFromDatabaseURL: when the URL comes from
// $DATABASE_URL, the printed commands leave --database out, and work.
func TestPrintedCommandsFromDatabaseURL(t *testing.T) {
	dir := pastedDir(t)
	dbURL, _ := pastedURL(t, testdb.SQLite, dir)
	t.Setenv("DATABASE_URL", dbURL)
	r := runFerry(t, []string{"ferry", "doctor", "--path", dir})
	plans := commandsIn(t, r.out)
	if len(plans) == 0 {
		t.Fatalf("doctor printed no recover command:\n%s", r.out)
	}
	for _, c := range plans {
		if slices.Contains(c, "--database") {
			t.Errorf("printed %q names the database, which came from $DATABASE_URL", c)
		}
		if dry := runFerry(t, append(c, "--dry-run")); dry.code != 0 {
			t.Errorf("printed %q --dry-run: exit %d", c, dry.code)
		}
	}
}
