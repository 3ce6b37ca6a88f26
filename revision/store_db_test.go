package revision_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/revision"
)

// catalog describes the table's columns as the engine's catalog shows them.
func catalog(t *testing.T, db *testdb.DB, schema string) []string {
	t.Helper()
	var q string
	var args []any
	switch db.Dialect {
	case testdb.Postgres:
		q = `SELECT column_name || ' ' || data_type || ' ' || is_nullable || ' ' || COALESCE(column_default, '-')
			FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'atlas_schema_revisions' ORDER BY ordinal_position`
		args = []any{schema}
	case testdb.MySQL:
		q = `SELECT CONCAT_WS(' ', column_name, column_type, is_nullable, COALESCE(column_default, '-'), COALESCE(collation_name, '-'))
			FROM information_schema.columns WHERE table_schema = ? AND table_name = 'atlas_schema_revisions' ORDER BY ordinal_position`
		args = []any{schema}
	default:
		q = `SELECT name || ' ' || type || ' ' || "notnull" || ' ' || COALESCE(dflt_value, '-') || ' ' || pk FROM pragma_table_info('atlas_schema_revisions') ORDER BY cid`
	}
	return db.Strings(t, q, args...)
}

// wantCatalog is ../shared/formats/revisions.md as each catalog shows it.
var wantCatalog = map[string][]string{
	testdb.Postgres: {
		"version character varying NO -",
		"description character varying NO -",
		"type bigint NO 2",
		"applied bigint NO 0",
		"total bigint NO 0",
		"executed_at timestamp with time zone NO -",
		"execution_time bigint NO -",
		"error text YES -",
		"error_stmt text YES -",
		"hash character varying NO -",
		"partial_hashes jsonb YES -",
		"operator_version character varying NO -",
	},
	testdb.MySQL: { // MariaDB 10.11
		"version varchar(255) NO - utf8mb4_bin",
		"description varchar(255) NO - utf8mb4_bin",
		"type bigint(20) unsigned NO 2 -",
		"applied bigint(20) NO 0 -",
		"total bigint(20) NO 0 -",
		"executed_at timestamp YES NULL -",
		"execution_time bigint(20) NO - -",
		"error longtext YES NULL utf8mb4_bin",
		"error_stmt longtext YES NULL utf8mb4_bin",
		"hash varchar(255) NO - utf8mb4_bin",
		"partial_hashes longtext YES NULL utf8mb4_bin",
		"operator_version varchar(255) NO - utf8mb4_bin",
	},
	testdb.SQLite: {
		"version text 1 - 1",
		"description text 1 - 0",
		"type integer 1 2 0",
		"applied integer 1 0 0",
		"total integer 1 0 0",
		"executed_at datetime 1 - 0",
		"execution_time integer 1 - 0",
		"error text 0 - 0",
		"error_stmt text 0 - 0",
		"hash text 1 - 0",
		"partial_hashes json 0 - 0",
		"operator_version text 1 - 0",
	},
}

func TestStore(t *testing.T) {
	testdb.ForEach(t, testdb.Dialects(), func(t *testing.T, dialect string) {
		ctx := context.Background()
		db := testdb.New(t, dialect)
		s := db.Store(t)
		if exists, err := s.Exists(ctx, db.SQL); err != nil || exists {
			t.Fatalf("exists before create: %v %v", exists, err)
		}
		rows, err := s.Read(ctx, db.SQL)
		if err != nil || rows != nil {
			t.Fatalf("read of a missing table: %v %v", rows, err)
		}
		if err := s.Create(ctx, db.SQL); err != nil {
			t.Fatal(err)
		}
		if err := s.Create(ctx, db.SQL); err != nil {
			t.Fatalf("second create: %v", err)
		}
		want := wantCatalog[dialect]
		for i := range want {
			// The catalog shows the default with engine-specific quoting.
			want[i] = strings.ReplaceAll(want[i], "'", "")
		}
		got := catalog(t, db, s.Schema)
		for i := range got {
			got[i] = strings.NewReplacer("'", "", "(", "", ")", "").Replace(got[i])
			want[i] = strings.NewReplacer("(", "", ")", "").Replace(want[i])
		}
		if dialect == testdb.SQLite {
			// pragma table_info upper-cases the built-in type names.
			for i := range got {
				got[i], want[i] = strings.ToLower(got[i]), strings.ToLower(want[i])
			}
			var ddl string
			if err := db.SQL.QueryRow(`SELECT sql FROM sqlite_master WHERE name = 'atlas_schema_revisions'`).Scan(&ddl); err != nil {
				t.Fatal(err)
			}
			if ddl != s.CreateStatements()[0] {
				t.Errorf("stored DDL %q", ddl)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("catalog:\n got %q\nwant %q", got, want)
		}
		if dialect == testdb.Postgres {
			var pk string
			if err := db.SQL.QueryRow(`SELECT conname FROM pg_constraint WHERE contype = 'p' AND conrelid = 'atlas_schema_revisions.atlas_schema_revisions'::regclass`).Scan(&pk); err != nil || pk != "atlas_schema_revisions_pkey" {
				t.Errorf("primary key %q, %v", pk, err)
			}
		}

		at := time.Date(2026, 11, 21, 12, 30, 45, 0, time.UTC)
		in := []revision.Row{
			{Version: "000001", Description: "init", Type: revision.TypeResolved, Applied: 2, Total: 2, ExecutedAt: at, Hash: "abc=", OperatorVersion: "ferry test"},
			{Version: "000002", Description: "", Type: revision.TypeExecute, Applied: 1, Total: 3, ExecutedAt: at, ExecutionTime: 1500 * time.Millisecond, Error: "boom", ErrorStmt: "SELECT 'x';", Hash: "def=", PartialHashes: []string{"h1:a", "h1:b"}, OperatorVersion: "ferry test"},
		}
		// Many rows, to cross a batch boundary.
		for i := 3; i <= 2500; i++ {
			in = append(in, revision.Row{Version: fmt.Sprintf("%06d", i), Description: "x", Type: revision.TypeResolved, Applied: 1, Total: 1, ExecutedAt: at, Hash: "h=", OperatorVersion: "ferry test"})
		}
		tx, err := db.SQL.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Insert(ctx, tx, in); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		out, err := s.Read(ctx, db.SQL)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != len(in) {
			t.Fatalf("read %d rows, wrote %d", len(out), len(in))
		}
		for i := range in {
			if !reflect.DeepEqual(in[i], out[i]) {
				t.Fatalf("row %d:\n got %+v\nwant %+v", i, out[i], in[i])
			}
		}
		var partialNull int
		if err := db.SQL.QueryRow(`SELECT COUNT(*) FROM ` + s.Table() + ` WHERE partial_hashes IS NULL`).Scan(&partialNull); err != nil || partialNull != 0 {
			t.Errorf("complete rows must hold JSON null, not SQL NULL: %d rows with SQL NULL (%v)", partialNull, err)
		}
	})
}
