package apply_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/postgres"
	"ariga.io/atlas/sql/sqlite"
	"ariga.io/atlas/sql/sqltool"

	"github.com/ferrymigrate/ferry/internal/testdb"
)

// atlasOperator is the operator_version Atlas's executor writes in the
// tests, shaped like the Atlas CLI's own.
const atlasOperator = "Atlas CLI v0.32.1-test"

// atlasRevisions is a migrate.RevisionReadWriter over the revisions table
// ferry creates, written here from revisions.md and Atlas's definition of
// atlas_schema_revisions (not with ferry's package revision), so that the
// rows are the ones Atlas itself would write.
type atlasRevisions struct {
	db      *sql.DB
	dialect string
}

func (r *atlasRevisions) table() string { return testdb.RevisionsTable(r.dialect) }

func (r *atlasRevisions) ph(n int) string {
	if r.dialect == testdb.Postgres {
		return fmt.Sprintf("$%d", n)
	}
	return "?"
}

func (r *atlasRevisions) Ident() *migrate.TableIdent {
	if r.dialect == testdb.Postgres {
		return &migrate.TableIdent{Schema: "atlas_schema_revisions", Name: "atlas_schema_revisions"}
	}
	return &migrate.TableIdent{Name: "atlas_schema_revisions"}
}

func (r *atlasRevisions) ReadRevisions(ctx context.Context) ([]*migrate.Revision, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT version, description, type, applied, total, execution_time, error, error_stmt, hash, partial_hashes, operator_version FROM `+r.table())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*migrate.Revision
	for rows.Next() {
		var (
			rev            migrate.Revision
			typ            uint64
			execTime       int64
			errText, errSt sql.NullString
			partial        sql.NullString
		)
		if err := rows.Scan(&rev.Version, &rev.Description, &typ, &rev.Applied, &rev.Total, &execTime, &errText, &errSt, &rev.Hash, &partial, &rev.OperatorVersion); err != nil {
			return nil, err
		}
		rev.Type, rev.ExecutionTime, rev.Error, rev.ErrorStmt = migrate.RevisionType(typ), time.Duration(execTime), errText.String, errSt.String
		if partial.Valid && partial.String != "null" {
			if err := json.Unmarshal([]byte(partial.String), &rev.PartialHashes); err != nil {
				return nil, err
			}
		}
		out = append(out, &rev)
	}
	// Atlas compares versions as strings.
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, rows.Err()
}

func (r *atlasRevisions) ReadRevision(ctx context.Context, v string) (*migrate.Revision, error) {
	all, err := r.ReadRevisions(ctx)
	if err != nil {
		return nil, err
	}
	for _, rev := range all {
		if rev.Version == v {
			return rev, nil
		}
	}
	return nil, migrate.ErrRevisionNotExist
}

func (r *atlasRevisions) WriteRevision(ctx context.Context, rev *migrate.Revision) error {
	if err := r.DeleteRevision(ctx, rev.Version); err != nil {
		return err
	}
	partial := "null"
	if rev.PartialHashes != nil {
		b, _ := json.Marshal(rev.PartialHashes)
		partial = string(b)
	}
	var at any = rev.ExecutedAt.UTC()
	if r.dialect == testdb.MySQL {
		at = rev.ExecutedAt.UTC().Format("2006-01-02 15:04:05")
	}
	ph := make([]string, 12)
	for i := range ph {
		ph[i] = r.ph(i + 1)
	}
	_, err := r.db.ExecContext(ctx, `INSERT INTO `+r.table()+` (version, description, type, applied, total, executed_at, execution_time, error, error_stmt, hash, partial_hashes, operator_version) VALUES (`+strings.Join(ph, ", ")+`)`,
		rev.Version, rev.Description, uint64(rev.Type), rev.Applied, rev.Total, at, int64(rev.ExecutionTime), rev.Error, rev.ErrorStmt, rev.Hash, partial, rev.OperatorVersion)
	return err
}

func (r *atlasRevisions) DeleteRevision(ctx context.Context, v string) error {
	_, err := r.db.ExecContext(ctx, `DELETE FROM `+r.table()+` WHERE version = `+r.ph(1), v)
	return err
}

// atlasExecute runs Atlas's own executor (sql/migrate.Executor) over the
// golang-migrate folder dir (its *.up.sql files, as Atlas's
// GolangMigrateDir reads them, checked against atlas.sum) on db, applying
// n pending files (all when n is 0). It never touches schema_migrations.
func atlasExecute(t testing.TB, dir string, db *testdb.DB, n int) error {
	t.Helper()
	var (
		drv migrate.Driver
		err error
	)
	switch db.Dialect {
	case testdb.Postgres:
		drv, err = postgres.Open(db.SQL)
	case testdb.MySQL:
		drv, err = mysql.Open(db.SQL)
	default:
		drv, err = sqlite.Open(db.SQL)
	}
	if err != nil {
		t.Fatalf("atlas: open driver: %v", err)
	}
	ex, err := migrate.NewExecutor(drv, &sqltool.GolangMigrateDir{FS: os.DirFS(dir)}, &atlasRevisions{db: db.SQL, dialect: db.Dialect}, migrate.WithOperatorVersion(atlasOperator))
	if err != nil {
		t.Fatalf("atlas: %v", err)
	}
	err = ex.ExecuteN(context.Background(), n)
	if errors.Is(err, migrate.ErrNoPendingFiles) {
		return nil
	}
	return err
}
