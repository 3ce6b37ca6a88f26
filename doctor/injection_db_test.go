package doctor_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/doctor"
	"github.com/ferrymigrate/ferry/drift"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// injection is a failure placed after statement j of one file of a
// realistic history.
type injection struct {
	h    testdb.History
	file string // the up file
	j    int    // statements of the file before the failing one
	n    int    // statements of the file without the failure
}

// injections lists, for each multi-statement up file of h, a failure after
// every statement j from 1 to n-1, except next to the file's own
// transaction control (a failure right after BEGIN leaves states that only
// differ in an open transaction).
func injections(t *testing.T, h testdb.History) []injection {
	var out []injection
	names := slices.Sorted(func(yield func(string) bool) {
		for name := range h.Files {
			if strings.HasSuffix(name, ".up.sql") && !yield(name) {
				return
			}
		}
	})
	for _, name := range names {
		stmts, err := sqlsplit.Split(engine.Dialect(h.Dialect), []byte(h.Files[name]))
		if err != nil {
			t.Fatal(err)
		}
		for j := 1; j < len(stmts); j++ {
			if stmts[j-1].Kind.Has(sqlsplit.KindTxControl) || stmts[j].Kind.Has(sqlsplit.KindTxControl) {
				continue
			}
			out = append(out, injection{h: h, file: name, j: j, n: len(stmts)})
		}
	}
	return out
}

// truth is the number of statements golang-migrate left applied when the
// statement after j failed: on PostgreSQL (one query, one implicit
// transaction) those up to the file's last own COMMIT before the failure;
// on SQLite (wrapped) none; with x-multi-statement, x-no-tx-wrap and on
// MySQL (statement by statement) all j.
func (in injection) truth(t *testing.T) int {
	perStatement := in.h.Dialect == testdb.MySQL
	for i := 0; i+1 < len(in.h.Options); i += 2 {
		if (in.h.Options[i] == "x-multi-statement" || in.h.Options[i] == "x-no-tx-wrap") && in.h.Options[i+1] == "true" {
			perStatement = true
		}
	}
	if perStatement {
		return in.j
	}
	if in.h.Dialect == testdb.SQLite {
		return 0
	}
	k, _ := in.lastCommitAndOpenBegin(t)
	return k
}

// lastCommitAndOpenBegin returns the number of statements up to the file's
// last own COMMIT before the failure, and the 1-based position of a BEGIN
// still open at the failure (0 when none).
func (in injection) lastCommitAndOpenBegin(t *testing.T) (commit, begin int) {
	stmts, err := sqlsplit.Split(engine.Dialect(in.h.Dialect), []byte(in.h.Files[in.file]))
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range stmts[:in.j] {
		w := strings.Fields(strings.ToUpper(strings.TrimRight(st.Text, "; \n")))
		if len(w) == 0 {
			continue
		}
		switch w[0] {
		case "COMMIT", "END", "ROLLBACK":
			commit, begin = i+1, 0
		case "BEGIN", "START":
			begin = i + 1
		}
	}
	return commit, begin
}

// acceptable are the prefixes whose schema is the truth: on an engine that
// runs statements one by one, a failure inside the file's own open
// transaction leaves it rolled back (golang-migrate never commits it), so
// the prefix before its BEGIN and the one with it describe the state too.
func (in injection) acceptable(t *testing.T) []int {
	k := in.truth(t)
	if k != in.j || in.h.Dialect == testdb.MySQL {
		return []int{k}
	}
	if _, begin := in.lastCommitAndOpenBegin(t); begin > 0 {
		return []int{begin - 1, begin, k}
	}
	return []int{k}
}

// broken is the history with the failing statement inserted.
func (in injection) broken(t *testing.T) testdb.History {
	stmts, err := sqlsplit.Split(engine.Dialect(in.h.Dialect), []byte(in.h.Files[in.file]))
	if err != nil {
		t.Fatal(err)
	}
	body := in.h.Files[in.file]
	cut := stmts[in.j-1].End
	h := in.h
	h.Files = withFile(in.h.Files, in.file, body[:cut]+"\n"+fail+body[cut:])
	return h
}

func withFile(m map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(m))
	for a, b := range m {
		out[a] = b
	}
	out[k] = v
	return out
}

// TestFailureInjection: for each realistic history, golang-migrate's own
// library fails after statement j of every multi-statement file. doctor,
// given golang-migrate's error, is never wrong: a proven or consistent
// verdict is the truth; with --dev-url it proves it whenever the states
// differ. Each proven diagnosis is then acted on: the file is fixed,
// recover --forward runs the rest, golang-migrate's row is clean, its Up
// completes and drift is empty.
func TestFailureInjection(t *testing.T) {
	var mu sync.Mutex
	tally := map[string][3]int{} // history: cases, proven blind, proven with --dev-url
	for _, dialect := range testdb.Dialects() {
		hs := testdb.Histories(dialect)
		if dialect != testdb.SQLite {
			hs = hs[:1]
		}
		for _, h := range hs {
			for _, in := range injections(t, h) {
				t.Run(fmt.Sprintf("%s/%s/after-%d", h.Name, in.file, in.j), func(t *testing.T) {
					t.Parallel()
					blind, dev := injectAndDiagnose(t, in)
					if t.Failed() {
						return
					}
					mu.Lock()
					defer mu.Unlock()
					c := tally[h.Name]
					c[0]++
					if blind {
						c[1]++
					}
					if dev {
						c[2]++
					}
					tally[h.Name] = c
				})
			}
		}
	}
	t.Cleanup(func() {
		names := make([]string, 0, len(tally))
		for n := range tally {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			c := tally[n]
			t.Logf("INJECTION %s: %d failures injected and passed; proven without --dev-url %d, with --dev-url %d; never wrong", n, c[0], c[1], c[2])
		}
	})
}

// injectAndDiagnose builds one injected failure, checks doctor's verdicts
// and acts on the proven one. It reports which runs proved the truth.
func injectAndDiagnose(t *testing.T, in injection) (provenBlind, provenDev bool) {
	t.Helper()
	h := in.broken(t)
	dir := h.Folder(t)
	db, url := h.Prepare(t)
	errText := testdb.UpExpectError(t, dir, url).Error()
	want := in.truth(t)
	ok := in.acceptable(t)
	u, err := compat.ParseDatabaseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	var fingerprint string
	for _, withDev := range []bool{false, true} {
		o := doctor.Options{Path: dir, Error: errText}
		if withDev {
			o.DevURL = devURL(t, h.Dialect)
		}
		dg, err := diagnoseDB(t, dir, db, u, o)
		if err != nil {
			t.Fatalf("dev %v: %v", withDev, err)
		}
		v := dg.Verdict
		right := v.Case == doctor.Up && v.File == in.file && slices.Contains(ok, v.Applied)
		switch {
		case (v.Certainty == doctor.Proven || v.Certainty == doctor.Consistent) && !right:
			t.Fatalf("dev %v: %s %s %s k=%d, truth up %s k=%d (or %v): %s\n%s", withDev, v.Certainty, v.Case, v.File, v.Applied, in.file, want, ok, v.Summary, dump(dg))
		case v.Certainty != doctor.Proven && v.Summary == "":
			t.Fatalf("dev %v: %s without saying why", withDev, v.Certainty)
		case v.Certainty == doctor.Proven && withDev:
			provenDev, fingerprint = true, dg.Fingerprint
		case v.Certainty == doctor.Proven:
			provenBlind = true
		default:
			t.Logf("dev %v: %s: %s", withDev, v.Certainty, v.Summary)
		}
		if withDev && dg.Replay != nil && dg.Replay.Error != "" {
			t.Errorf("the replay did not run: %s", dg.Replay.Error)
		}
	}
	if !provenDev {
		return provenBlind, provenDev
	}
	// The fix: the failing statement goes; recover --forward runs the rest.
	for name, body := range in.h.Files {
		if name == in.file {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.ReplaceAll(body, "{{table}}", tableOf(in.h))), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	res, err := recoverDB(t, dir, db, u, doctor.RecoverOptions{
		Plan: doctor.Forward, Expect: fingerprint, Confirm: func(*doctor.Diagnosis, *doctor.Plan) bool { return true },
		Operator: "test", OperatorVersion: "ferry test", Diagnose: doctor.Options{Path: dir, DevURL: devURL(t, h.Dialect)},
	})
	if err != nil {
		t.Fatalf("recover --forward after the fix: %v", err)
	}
	if len(res.Verified) == 0 {
		t.Errorf("recover --forward was not verified")
	}
	if _, dirty := legacyRow(t, db, url); dirty {
		t.Fatalf("golang-migrate's row is dirty after recover")
	}
	testdb.Up(t, dir, url)
	r, err := drift.Run(context.Background(), drift.Options{Dir: os.DirFS(dir), DirPath: dir, Database: u, Dev: devURL(t, h.Dialect)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Drifted {
		t.Errorf("drift after recover and golang-migrate's Up:\n%s", r.Diff)
	}
	return provenBlind, provenDev
}

// tableOf is golang-migrate's table of a history.
func tableOf(h testdb.History) string {
	for i := 0; i+1 < len(h.Options); i += 2 {
		if h.Options[i] == "x-migrations-table" {
			return h.Options[i+1]
		}
	}
	return "schema_migrations"
}
