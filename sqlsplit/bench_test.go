package sqlsplit_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// benchSize is the amount of generated migration SQL per dialect.
const benchSize = 50 << 20

var (
	benchOnce sync.Once
	benchSrc  map[engine.Dialect][]byte
)

// generated returns about benchSize bytes of realistic migrations for d:
// tables with comments, defaults with quotes and semicolons, indexes, DML,
// and each dialect's bodies (PostgreSQL dollar-quoted functions, MySQL
// procedures without DELIMITER, SQLite triggers).
func generated(d engine.Dialect) []byte {
	benchOnce.Do(func() {
		benchSrc = map[engine.Dialect][]byte{}
		for _, d := range []engine.Dialect{engine.Postgres, engine.MySQL, engine.SQLite} {
			var b strings.Builder
			for i := 0; b.Len() < benchSize; i++ {
				b.WriteString(chunk(d, i))
			}
			benchSrc[d] = []byte(b.String())
		}
	})
	return benchSrc[d]
}

func chunk(d engine.Dialect, i int) string {
	common := fmt.Sprintf(`-- migration %[1]d: orders for tenant %[1]d
CREATE TABLE orders_%[1]d (
  id bigint PRIMARY KEY,
  note varchar(200) DEFAULT 'it''s; fine', -- a comment with ; in it
  total numeric(12, 2) NOT NULL DEFAULT 0,
  created_at timestamp NOT NULL
);
/* a block comment; with a semicolon */
CREATE INDEX orders_%[1]d_created ON orders_%[1]d (created_at);
INSERT INTO orders_%[1]d (id, note, total, created_at) VALUES (1, 'first; order', 10.50, '2024-01-01 00:00:00'), (2, 'second', 20, '2024-01-02 00:00:00');
UPDATE orders_%[1]d SET note = 'x' WHERE id IN (SELECT id FROM orders_%[1]d WHERE total > 15);
`, i)
	switch d {
	case engine.Postgres:
		return common + fmt.Sprintf(`CREATE FUNCTION touch_%[1]d() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  NEW.note := E'tab\there; \'quoted\'';
  RETURN NEW;
END;
$fn$;
`, i)
	case engine.MySQL:
		return common + fmt.Sprintf(`CREATE PROCEDURE bump_%[1]d(IN n int)
BEGIN
  IF n > 0 THEN
    UPDATE orders_%[1]d SET total = total + n WHERE note <> 'a\'b;c';
  END IF;
END;
`, i)
	default:
		return common + fmt.Sprintf(`CREATE TRIGGER orders_%[1]d_touch AFTER INSERT ON orders_%[1]d
BEGIN
  UPDATE orders_%[1]d SET note = CASE WHEN NEW.total < 0 THEN 'neg;' ELSE note END WHERE id = NEW.id;
END;
`, i)
	}
}

// BenchmarkSplit reports the splitter's throughput per dialect (MB/s) on
// about 50 MB of generated migrations.
func BenchmarkSplit(b *testing.B) {
	for _, d := range []engine.Dialect{engine.Postgres, engine.MySQL, engine.SQLite} {
		src := generated(d)
		b.Run(string(d), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			var n int
			for b.Loop() {
				stmts, err := sqlsplit.Split(d, src)
				if err != nil {
					b.Fatal(err)
				}
				n = len(stmts)
			}
			b.ReportMetric(float64(n), "stmts")
		})
	}
}

// TestGeneratedSplits keeps the benchmark honest: the generated SQL splits
// into the expected number of statements and verifies.
func TestGeneratedSplits(t *testing.T) {
	for _, d := range []engine.Dialect{engine.Postgres, engine.MySQL, engine.SQLite} {
		src := []byte(chunk(d, 1) + chunk(d, 2))
		stmts, err := sqlsplit.Split(d, src)
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		if len(stmts) != 10 {
			for _, s := range stmts {
				t.Logf("%q", s.Text)
			}
			t.Fatalf("%s: %d statements, want 10", d, len(stmts))
		}
		if err := sqlsplit.Verify(d, src, stmts); err != nil {
			t.Fatalf("%s: %v", d, err)
		}
	}
}
