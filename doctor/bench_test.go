package doctor

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/inspect"
	"github.com/ferrymigrate/ferry/internal/ddl"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// BenchmarkProbeLargeFile weighs every prefix of a 1,000-statement MySQL
// file (each statement creates a table with two columns, then adds one)
// against a catalog where the first 600 ran: the probes are quadratic in
// the statements, and must stay well under a second for such a file.
func BenchmarkProbeLargeFile(b *testing.B) {
	const n, ran = 1000, 600
	var src strings.Builder
	live := &inspect.Schema{Schemas: []string{"app"}}
	for i := range n {
		if i%2 == 0 {
			fmt.Fprintf(&src, "CREATE TABLE t%d (id int PRIMARY KEY, v text);\n", i)
		} else {
			fmt.Fprintf(&src, "ALTER TABLE t%d ADD COLUMN w int;\n", i-1)
		}
	}
	for i := 0; i < ran; i += 2 {
		lines := []string{"column id int(11) NOT NULL", "column v text"}
		if i+1 < ran {
			lines = append(lines, "column w int(11)")
		}
		live.Objects = append(live.Objects, inspect.Object{Kind: inspect.KindTable, Name: fmt.Sprintf("t%d", i), Lines: lines})
	}
	stmts, err := sqlsplit.Split(engine.MySQL, []byte(src.String()))
	if err != nil {
		b.Fatal(err)
	}
	cat := newCatalog(engine.MySQL, live, []string{"app"}, false)
	c := &Candidate{Case: Up, stmts: stmts, RuledOut: map[int][]string{}, errorRuled: map[int]bool{}, hist: newSim(cat)}
	for _, st := range stmts {
		c.changes = append(c.changes, ddl.Analyse(engine.MySQL, st.Text))
	}
	c.Possible = allowedPrefixes(perStatement, stmts)
	dg := &diagnosis{Diagnosis: &Diagnosis{}, cat: cat, dir: &compat.Directory{}}
	b.ResetTimer()
	for b.Loop() {
		c.Consistent, c.Likely = nil, nil
		dg.probe(c)
	}
	if len(c.Likely) != 1 || c.Likely[0] != ran {
		b.Fatalf("likely %v, want [%d]", c.Likely, ran)
	}
}
