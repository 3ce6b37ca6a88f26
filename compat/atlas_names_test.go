package compat

import (
	"path"
	"strings"
	"testing"

	"github.com/golang-migrate/migrate/v4/source"
)

// atlasReadsUp is Atlas's rule for the up files of its golang-migrate
// directory format (and so for atlas.sum): the names fs.Glob matches with
// "*.up.sql" (ariga/atlas, cmd/atlas/internal/sqltool, GolangMigrateDir.Files).
func atlasReadsUp(name string) bool {
	ok, _ := path.Match("*.up.sql", name)
	return ok
}

// TestAtlasReadsUp: for every name golang-migrate's own parser accepts,
// AtlasReadsUp says exactly whether Atlas's pattern takes it as an up file,
// and SQLName is a name golang-migrate reads as the same version and
// direction and, for up files, Atlas reads too.
func TestAtlasReadsUp(t *testing.T) {
	names := []string{
		"1_a.up.sql", "1_a.down.sql", "2_b.up..sql", "2_b.down..sql", "2_b.up.SQL", "2_b.up.Sql",
		"2_b.up.", "2_b.up.txt", "2_b.up.psql", "2_b.up.sql.bak", "2_b.up.sql~", "2_b.up.sql.gz",
		"3_.up.sql", "3_.up.", "4_x.up.y.up.sql", "4_x.down.y.up.sql", "5_x.up.down.sql",
		"6_x.up.sql.up.txt", "7_a b.up.sql ", "8_a.up.sq", "000009_pad.up..sql", "10_a.up.sql.sql",
	}
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			m, err := source.Parse(n)
			f, status := ParseName(n)
			if err != nil {
				if status == MigrationName {
					t.Fatalf("golang-migrate rejects %q, ferry accepts it", n)
				}
				return
			}
			if status != MigrationName {
				t.Fatalf("golang-migrate accepts %q, ferry does not", n)
			}
			want := m.Direction == source.Up && atlasReadsUp(n)
			if got := f.AtlasReadsUp(); got != want {
				t.Errorf("AtlasReadsUp(%q) = %v, want %v (golang-migrate: %s; Atlas's pattern: %v)", n, got, want, m.Direction, atlasReadsUp(n))
			}
			fixed := f.SQLName()
			m2, err := source.Parse(fixed)
			if err != nil || m2.Version != m.Version || m2.Direction != m.Direction {
				t.Fatalf("SQLName(%q) = %q: golang-migrate reads %+v (%v), want version %d %s", n, fixed, m2, err, m.Version, m.Direction)
			}
			if m.Direction == source.Up && !atlasReadsUp(fixed) {
				t.Errorf("SQLName(%q) = %q: Atlas does not read it", n, fixed)
			}
		})
	}
}

// TestNearMissAtlasReads: a name golang-migrate ignores but Atlas's
// pattern reads (FM001) says that Atlas runs it; one Atlas ignores too
// does not.
func TestNearMissAtlasReads(t *testing.T) {
	d := readDir(t, files("1_a.up.sql", "3add_b.up.sql", "4_c.sql"), ".")
	for _, f := range d.Findings {
		if f.Code != CodeNearMiss {
			continue
		}
		says := strings.Contains(f.Message, "Atlas reads it as an up migration")
		if says != atlasReadsUp(f.File) {
			t.Errorf("%s: says Atlas reads it: %v, Atlas's pattern: %v (%s)", f.File, says, atlasReadsUp(f.File), f.Message)
		}
	}
}
