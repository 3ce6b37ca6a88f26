package revision

import (
	"testing"

	"github.com/ferrymigrate/ferry/engine"
)

func TestProgressSQLQuotes(t *testing.T) {
	s := &Store{Dialect: engine.MySQL, Schema: "d`b"}
	got := s.ProgressSQL(`1'; DROP TABLE x; --\`, 2, []string{"h1:a", "h1:b"})
	want := "UPDATE `d``b`.`atlas_schema_revisions` SET applied = 2, partial_hashes = '[\"h1:a\",\"h1:b\"]' WHERE version = '1\\'; DROP TABLE x; --\\\\'"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
