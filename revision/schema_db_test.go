package revision_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/revision"
)

func randomName(t *testing.T, prefix string) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return prefix + hex.EncodeToString(b)
}

// TestRevisionsSchemaCreated: a --revisions-schema that does not exist is
// created (MySQL: a database).
func TestRevisionsSchemaCreated(t *testing.T) {
	ctx := context.Background()
	db := testdb.NewMySQL(t)
	name := randomName(t, "ferry_rev_")
	t.Cleanup(func() { _, _ = db.SQL.Exec("DROP DATABASE IF EXISTS `" + name + "`") })
	u := db.ParsedURL(t)
	s, err := revision.Locate(ctx, db.SQL, u, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, db.SQL); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Exists(ctx, db.SQL); err != nil || !ok {
		t.Fatalf("table in the new database: %v %v", ok, err)
	}
}

// TestNoCreatePrivilegeOnDatabase: a role that may create tables in public
// but not schemas in the database still gets its revisions table there.
func TestNoCreatePrivilegeOnDatabase(t *testing.T) {
	ctx := context.Background()
	db := testdb.NewPostgres(t)
	role := randomName(t, "ferry_app_")
	db.Exec(t, `CREATE ROLE `+role, `GRANT ALL ON SCHEMA public TO `+role, `REVOKE CREATE ON DATABASE "`+db.Name+`" FROM PUBLIC`)
	t.Cleanup(func() {
		_, _ = db.SQL.Exec(`DROP OWNED BY ` + role)
		_, _ = db.SQL.Exec(`DROP ROLE IF EXISTS ` + role)
	})
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SET ROLE `+role); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = conn.ExecContext(ctx, `RESET ROLE`) }()
	u, err := compat.ParseDatabaseURL(db.URLWith("search_path", "public"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := revision.Locate(ctx, conn, u, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, conn); err != nil {
		t.Fatalf("create without CREATE on the database: %v", err)
	}
}
