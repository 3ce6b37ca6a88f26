package cli_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/golang-migrate/migrate/v4"
	_ "github.com/golang-migrate/migrate/v4/database/sqlite"
	_ "github.com/golang-migrate/migrate/v4/source/file"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ferrymigrate/ferry/cmd/ferry/cli"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata/script")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"ferry": func() {
			os.Exit(cli.Execute(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// TestScripts runs the CLI end to end on the txtar scripts in
// testdata/script. The custom command "golang-migrate DIR URL up|steps N|down"
// drives golang-migrate's own library to make legacy states.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Cmds:          map[string]func(ts *testscript.TestScript, neg bool, args []string){"golang-migrate": golangMigrate},
		Setup: func(e *testscript.Env) error {
			e.Setenv("DATABASE_URL", "")
			return nil
		},
	})
}

func golangMigrate(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 3 {
		ts.Fatalf("usage: golang-migrate DIR URL up|steps N")
	}
	dbURL := args[1]
	// Custom commands run in the test process: make relative SQLite paths
	// relative to the script's work directory, as ferry's are.
	if rest, ok := strings.CutPrefix(dbURL, "sqlite://"); ok && !strings.HasPrefix(rest, "/") {
		dbURL = "sqlite://" + ts.MkAbs(rest)
	}
	m, err := migrate.New("file://"+ts.MkAbs(args[0]), dbURL)
	if err != nil {
		ts.Fatalf("golang-migrate: %v", err)
	}
	defer m.Close()
	switch args[2] {
	case "up":
		err = m.Up()
	case "steps":
		n, convErr := strconv.Atoi(args[3])
		ts.Check(convErr)
		err = m.Steps(n)
	default:
		ts.Fatalf("unknown golang-migrate action %s", args[2])
	}
	if errors.Is(err, migrate.ErrNoChange) {
		err = nil
	}
	switch {
	case neg && err == nil:
		ts.Fatalf("golang-migrate succeeded unexpectedly")
	case !neg && err != nil:
		ts.Fatalf("golang-migrate: %v", err)
	}
}

// TestExitCodes checks the exit code contract: 0 fine, 1 findings or failure,
// 2 usage.
func TestExitCodes(t *testing.T) {
	clean := t.TempDir()
	writeFile(t, clean+"/1_a.up.sql", "CREATE TABLE a (id int);\n")
	writeFile(t, clean+"/1_a.down.sql", "DROP TABLE a;\n")
	broken := t.TempDir()
	writeFile(t, broken+"/1_a.up.sql", "CREATE TABLE a (id int);\n")
	writeFile(t, broken+"/01_b.up.sql", "CREATE TABLE b (id int);\n")
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"clean folder", []string{"status", "--path", clean}, 0},
		{"golang-migrate spelling", []string{"status", "-path", clean}, 0},
		{"golang-migrate spelling with =", []string{"status", "-path=" + clean}, 0},
		{"source URL", []string{"status", "-source", "file://" + clean}, 0},
		{"duplicate versions", []string{"status", "--path", broken}, 1},
		{"missing folder", []string{"status", "--path", clean + "/nope"}, 1},
		{"no folder", []string{"status"}, 2},
		{"path and source", []string{"status", "--path", clean, "--source", "file://" + clean}, 2},
		{"unknown flag", []string{"status", "--nope"}, 2},
		{"unknown command", []string{"nope"}, 2},
		{"unknown x- option", []string{"status", "-path", clean, "-database", "sqlite://x.db?x-nope=1"}, 2},
		{"bad option value", []string{"status", "-path", clean, "-database", "postgres://h/db?x-multi-statement=maybe"}, 2},
		{"unknown scheme", []string{"status", "-path", clean, "-database", "oracle://h/db"}, 2},
		{"non-file source", []string{"status", "-source", "github://o/r"}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := cli.Execute(context.Background(), c.args, nil, &out, &errOut)
			if code != c.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, out.String(), errOut.String())
			}
		})
	}
	t.Run("usage error names the option", func(t *testing.T) {
		var out, errOut bytes.Buffer
		cli.Execute(context.Background(), []string{"status", "-path", clean, "-database", "sqlite://x.db?x-nope=1"}, nil, &out, &errOut)
		if !bytes.Contains(errOut.Bytes(), []byte("unknown option x-nope")) {
			t.Errorf("stderr does not name the option:\n%s", errOut.String())
		}
	})
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
