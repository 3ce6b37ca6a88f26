package rebase_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ferrymigrate/ferry/atlassum"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/internal/testdb"
	"github.com/ferrymigrate/ferry/rebase"
	"github.com/ferrymigrate/ferry/refusal"
	"github.com/ferrymigrate/ferry/revision"
)

// mapFolder builds a migration folder: each name gets its own content.
func mapFolder(names ...string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for _, n := range names {
		fsys[n] = &fstest.MapFile{Data: []byte("-- " + n + "\nSELECT 1;\n")}
	}
	return fsys
}

// pair returns the up and down file names of version_title.
func pair(stem string) []string {
	return []string{stem + ".up.sql", stem + ".down.sql"}
}

func stems(ss ...string) []string {
	var out []string
	for _, s := range ss {
		out = append(out, pair(s)...)
	}
	return out
}

// renames renders a plan's renames as "from>to", sorted.
func renames(p *rebase.Plan) []string {
	var out []string
	for _, r := range p.Renames() {
		out = append(out, r.From+">"+r.To)
	}
	slices.Sort(out)
	return out
}

func renamesOf(pairs ...string) []string {
	out := slices.Clone(pairs)
	slices.Sort(out)
	return out
}

var (
	// before is a clock before every version in the tests below.
	before = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	// later is a clock after them, with a fraction of a second.
	later = time.Date(2025, 6, 1, 12, 30, 45, 500_000_000, time.UTC)
)

func TestNumberingSchemes(t *testing.T) {
	cases := []struct {
		name     string
		files    []string
		versions []string
		now      time.Time
		scheme   compat.Scheme
		want     []string
	}{
		{
			name:     "timestamp after the newest, across midnight",
			files:    stems("20240101120000_a", "20240102120000_b", "20240103235959_c"),
			versions: []string{"20240102120000"},
			now:      before,
			scheme:   compat.SchemeTimestamp,
			want:     renamesOf("20240102120000_b.up.sql>20240104000000_b.up.sql", "20240102120000_b.down.sql>20240104000000_b.down.sql"),
		},
		{
			name:     "timestamp: two files one second apart, in their order",
			files:    stems("20240101120000_a", "20240102120000_b", "20241231235959_c"),
			versions: []string{"20240102120000", "20240101120000"},
			now:      before,
			scheme:   compat.SchemeTimestamp,
			want: renamesOf("20240101120000_a.up.sql>20250101000000_a.up.sql", "20240101120000_a.down.sql>20250101000000_a.down.sql",
				"20240102120000_b.up.sql>20250101000001_b.up.sql", "20240102120000_b.down.sql>20250101000001_b.down.sql"),
		},
		{
			name:     "timestamp: now when it is later, whole seconds",
			files:    stems("20240101120000_a", "20240102120000_b"),
			versions: []string{"20240101120000"},
			now:      later,
			scheme:   compat.SchemeTimestamp,
			want:     renamesOf("20240101120000_a.up.sql>20250601123045_a.up.sql", "20240101120000_a.down.sql>20250601123045_a.down.sql"),
		},
		{
			name:     "timestamp: a leap day",
			files:    stems("20240101120000_a", "20240228235959_b"),
			versions: []string{"20240101120000"},
			now:      before,
			scheme:   compat.SchemeTimestamp,
			want:     renamesOf("20240101120000_a.up.sql>20240229000000_a.up.sql", "20240101120000_a.down.sql>20240229000000_a.down.sql"),
		},
		{
			name:     "unix seconds after the newest",
			files:    stems("1704067200_a", "1704153600_b", "1704240000_c"),
			versions: []string{"1704067200", "1704153600"},
			now:      before,
			scheme:   compat.SchemeUnix,
			want: renamesOf("1704067200_a.up.sql>1704240001_a.up.sql", "1704067200_a.down.sql>1704240001_a.down.sql",
				"1704153600_b.up.sql>1704240002_b.up.sql", "1704153600_b.down.sql>1704240002_b.down.sql"),
		},
		{
			name:     "unix seconds: now",
			files:    stems("1704067200_a", "1704153600_b"),
			versions: []string{"1704067200"},
			now:      later,
			scheme:   compat.SchemeUnix,
			want:     renamesOf("1704067200_a.up.sql>1748781045_a.up.sql", "1704067200_a.down.sql>1748781045_a.down.sql"),
		},
		{
			name:     "unix milliseconds",
			files:    stems("1704067200000_a", "1704153600000_b"),
			versions: []string{"1704067200000"},
			now:      before,
			scheme:   compat.SchemeUnixMillis,
			want:     renamesOf("1704067200000_a.up.sql>1704153600001_a.up.sql", "1704067200000_a.down.sql>1704153600001_a.down.sql"),
		},
		{
			name:     "unix nanoseconds after the newest",
			files:    stems("1704067200000000000_a", "1704153600123456789_b"),
			versions: []string{"1704067200000000000"},
			now:      before,
			scheme:   compat.SchemeUnixNanos,
			want:     renamesOf("1704067200000000000_a.up.sql>1704153600123456790_a.up.sql", "1704067200000000000_a.down.sql>1704153600123456790_a.down.sql"),
		},
		{
			name:     "unix nanoseconds: now",
			files:    stems("1704067200000000000_a", "1704153600123456789_b"),
			versions: []string{"1704067200000000000"},
			now:      later,
			scheme:   compat.SchemeUnixNanos,
			want:     renamesOf("1704067200000000000_a.up.sql>1748781045500000000_a.up.sql", "1704067200000000000_a.down.sql>1748781045500000000_a.down.sql"),
		},
		{
			name:     "zero-padded sequence keeps its width",
			files:    stems("000001_a", "000002_b", "000003_c"),
			versions: []string{"2"},
			now:      later,
			scheme:   compat.SchemePadded,
			want:     renamesOf("000002_b.up.sql>000004_b.up.sql", "000002_b.down.sql>000004_b.down.sql"),
		},
		{
			name:     "zero-padded sequence past its width",
			files:    stems("01_x", "98_a", "99_b"),
			versions: []string{"98"},
			now:      later,
			scheme:   compat.SchemePadded,
			want:     renamesOf("98_a.up.sql>100_a.up.sql", "98_a.down.sql>100_a.down.sql"),
		},
		{
			name:     "plain sequence",
			files:    stems("1_a", "2_b", "3_c"),
			versions: []string{"1", "2"},
			now:      later,
			scheme:   compat.SchemeSequence,
			want:     renamesOf("1_a.up.sql>4_a.up.sql", "1_a.down.sql>4_a.down.sql", "2_b.up.sql>5_b.up.sql", "2_b.down.sql>5_b.down.sql"),
		},
		{
			name:     "mixed: the scheme of the newest version",
			files:    stems("1_a", "2_b", "20240101000000_c"),
			versions: []string{"2"},
			now:      before,
			scheme:   compat.SchemeTimestamp,
			want:     renamesOf("2_b.up.sql>20240101000001_b.up.sql", "2_b.down.sql>20240101000001_b.down.sql"),
		},
		{
			name:     "titles and extensions are kept; an empty title; an up file alone",
			files:    []string{"1_.up.sql", "1_.down.sql", "2_b.up.cql", "3_c.up.sql"},
			versions: []string{"1", "2"},
			now:      later,
			scheme:   compat.SchemeSequence,
			want:     renamesOf("1_.up.sql>4_.up.sql", "1_.down.sql>4_.down.sql", "2_b.up.cql>5_b.up.cql"),
		},
		{
			name:     "up and down written differently move together",
			files:    []string{"01_a.up.sql", "1_a.down.sql", "02_b.up.sql", "02_b.down.sql"},
			versions: []string{"1"},
			now:      later,
			scheme:   compat.SchemePadded,
			want:     renamesOf("01_a.up.sql>03_a.up.sql", "1_a.down.sql>03_a.down.sql"),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := rebase.NewPlan(mapFolder(c.files...), rebase.Input{Path: "m", Versions: c.versions, Now: c.now})
			if err != nil {
				t.Fatal(err)
			}
			if p.Scheme != c.scheme {
				t.Errorf("scheme %s, want %s", p.Scheme, c.scheme)
			}
			if got := renames(p); !slices.Equal(got, c.want) {
				t.Errorf("renames:\n got %q\nwant %q", got, c.want)
			}
			for _, m := range p.Moves {
				if m.NewVersion <= p.Newest {
					t.Errorf("new version %d not after the newest %d", m.NewVersion, p.Newest)
				}
				if p.Scheme == compat.SchemeTimestamp {
					if _, err := time.Parse("20060102150405", m.NewText); err != nil {
						t.Errorf("new version %s is not a valid timestamp: %v", m.NewText, err)
					}
				}
			}
		})
	}
}

// TestNewestCountsBaseAndDatabases: new versions come after the newest of
// the folder, the git base and every database.
func TestNewestCountsBaseAndDatabases(t *testing.T) {
	fsys := mapFolder(stems("000001_a", "000002_b")...)
	cases := []struct {
		name string
		in   rebase.Input
		want string
	}{
		{"folder", rebase.Input{}, "000003_a"},
		{"git base", rebase.Input{Base: &rebase.Base{Ref: "main", Names: pair("000007_x")}}, "000008_a"},
		{"legacy row", rebase.Input{Base: &rebase.Base{Ref: "main", Names: pair("000002_b")}, Databases: []rebase.Database{{Name: "db", Version: 9}}}, "000010_a"},
		{"revision rows", rebase.Input{Databases: []rebase.Database{{Name: "db", Version: -1, Revisions: []revision.Row{{Version: "000002"}, {Version: "000011"}}}}}, "000012_a"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.in.Versions = []string{"1"}
			p, err := rebase.NewPlan(fsys, c.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Moves[0].Files[0].To; got != c.want+".up.sql" {
				t.Errorf("moved to %s, want %s.up.sql", got, c.want)
			}
		})
	}
}

func TestPad(t *testing.T) {
	t.Run("unpadded sequence", func(t *testing.T) {
		p, err := rebase.NewPlan(mapFolder(stems("1_a", "2_b", "10_c")...), rebase.Input{Path: "m", Pad: true})
		if err != nil {
			t.Fatal(err)
		}
		want := renamesOf("1_a.up.sql>01_a.up.sql", "1_a.down.sql>01_a.down.sql", "2_b.up.sql>02_b.up.sql", "2_b.down.sql>02_b.down.sql")
		if got := renames(p); !slices.Equal(got, want) {
			t.Errorf("renames:\n got %q\nwant %q", got, want)
		}
		if len(p.Findings) != 0 {
			t.Errorf("findings after padding: %v", p.Findings)
		}
		if sorted := slices.Sorted(slices.Values(p.After)); !slices.Equal(sorted, p.After) {
			t.Errorf("after padding, text order %q differs from numeric order %q", sorted, p.After)
		}
	})
	t.Run("with a move the moved file gets the padded width", func(t *testing.T) {
		p, err := rebase.NewPlan(mapFolder(stems("1_a", "2_b", "99_c")...), rebase.Input{Path: "m", Pad: true, Versions: []string{"2"}})
		if err != nil {
			t.Fatal(err)
		}
		want := renamesOf("1_a.up.sql>001_a.up.sql", "1_a.down.sql>001_a.down.sql", "2_b.up.sql>100_b.up.sql", "2_b.down.sql>100_b.down.sql", "99_c.up.sql>099_c.up.sql", "99_c.down.sql>099_c.down.sql")
		if got := renames(p); !slices.Equal(got, want) {
			t.Errorf("renames:\n got %q\nwant %q", got, want)
		}
	})
	t.Run("already one width", func(t *testing.T) {
		p, err := rebase.NewPlan(mapFolder(stems("20240101000000_a", "20240102000000_b")...), rebase.Input{Path: "m", Pad: true})
		if err != nil {
			t.Fatal(err)
		}
		if !p.NoOp() {
			t.Errorf("renames %q, want none", renames(p))
		}
	})
	t.Run("a database with only golang-migrate's row", func(t *testing.T) {
		_, err := rebase.NewPlan(mapFolder(stems("1_a", "10_b")...), rebase.Input{Path: "m", Pad: true, Databases: []rebase.Database{{Name: "db", Version: 10}}})
		if err != nil {
			t.Fatalf("refused: %v", err)
		}
	})
	t.Run("refused with revisions", func(t *testing.T) {
		_, err := rebase.NewPlan(mapFolder(stems("1_a", "10_b")...), rebase.Input{Path: "m", Pad: true, Databases: []rebase.Database{{Name: "db", Version: 10, Revisions: []revision.Row{{Version: "1"}, {Version: "10"}}}}})
		if !errors.Is(err, rebase.ErrPadRevisions) {
			t.Fatalf("got %v, want ErrPadRevisions", err)
		}
		if !strings.Contains(err.Error(), "1_a.") || !strings.Contains(err.Error(), "2 revision rows") {
			t.Errorf("message does not say which file and rows: %v", err)
		}
	})
}

func TestRefusals(t *testing.T) {
	seq := stems("000001_a", "000002_b", "000003_c")
	base := &rebase.Base{Ref: "main", Names: stems("000001_a", "000003_c")} // 000002_b is new
	cases := []struct {
		name  string
		fsys  fstest.MapFS
		in    rebase.Input
		want  error
		words string
	}{
		{
			name:  "revision row",
			fsys:  mapFolder(seq...),
			in:    rebase.Input{Versions: []string{"2"}, Databases: []rebase.Database{{Name: "staging", Version: 3, Revisions: []revision.Row{{Version: "000002", Description: "b"}}}}},
			want:  rebase.ErrApplied,
			words: "staging has applied 000002_b.up.sql (revision 000002)",
		},
		{
			name:  "legacy row without a git base",
			fsys:  mapFolder(seq...),
			in:    rebase.Input{Versions: []string{"2"}, Databases: []rebase.Database{{Name: "prod", Version: 3}}},
			want:  rebase.ErrApplied,
			words: "golang-migrate is at version 3",
		},
		{
			name:  "legacy row, the file was at the git base",
			fsys:  mapFolder(seq...),
			in:    rebase.Input{Versions: []string{"1"}, Base: base, Databases: []rebase.Database{{Name: "prod", Version: 3}}},
			want:  rebase.ErrApplied,
			words: "already at main",
		},
		{
			name:  "current version",
			fsys:  mapFolder(seq...),
			in:    rebase.Input{Base: base, Databases: []rebase.Database{{Name: "dev", Version: 2}}, Versions: []string{"2"}},
			want:  rebase.ErrCurrentVersion,
			words: "no migration found for version 2",
		},
		{
			name:  "dirty current version",
			fsys:  mapFolder(seq...),
			in:    rebase.Input{Base: base, Databases: []rebase.Database{{Name: "dev", Version: 2, Dirty: true}}},
			want:  rebase.ErrCurrentVersion,
			words: "current version of dev",
		},
		{
			name:  "target exists",
			fsys:  func() fstest.MapFS { f := mapFolder(seq...); f["000004_b.up.sql/x"] = &fstest.MapFile{}; return f }(),
			in:    rebase.Input{Versions: []string{"2"}},
			want:  rebase.ErrTargetExists,
			words: "000004_b.up.sql already exists",
		},
		{
			name:  "version not in the folder",
			fsys:  mapFolder(seq...),
			in:    rebase.Input{Versions: []string{"7"}},
			want:  rebase.ErrUnknownVersion,
			words: "no migration file in m has version 7",
		},
		{
			name: "not a version",
			fsys: mapFolder(seq...),
			in:   rebase.Input{Versions: []string{"b"}},
			want: rebase.ErrUnknownVersion,
		},
		{
			name:  "duplicate version without a git base",
			fsys:  mapFolder(append(seq, pair("000002_x")...)...),
			in:    rebase.Input{},
			want:  rebase.ErrAmbiguous,
			words: "give --git-base",
		},
		{
			name:  "duplicate version that was already at the base",
			fsys:  mapFolder(append(seq, pair("000002_x")...)...),
			in:    rebase.Input{Base: &rebase.Base{Ref: "main", Names: append(seq, pair("000002_x")...)}},
			want:  rebase.ErrAmbiguous,
			words: "this merge did not make the duplicate",
		},
		{
			name:  "backup copy",
			fsys:  mapFolder(append(seq, "000002_b.up.sql.orig")...),
			in:    rebase.Input{Base: &rebase.Base{Ref: "main", Names: seq}},
			want:  rebase.ErrBackupFile,
			words: "delete it",
		},
		{
			name: "no timestamp after a non-timestamp newest in the future",
			fsys: mapFolder(stems("20240101000000_a", "20240102000000_b")...),
			in:   rebase.Input{Versions: []string{"20240101000000"}, Databases: []rebase.Database{{Name: "db", Version: -1, Revisions: []revision.Row{{Version: "99999999999999"}}}}, Now: before},
			want: rebase.ErrNumbering,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.in.Path = "m"
			p, err := rebase.NewPlan(c.fsys, c.in)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v (plan %+v), want %v", err, p, c.want)
			}
			var ref *refusal.Refusal
			if !errors.As(err, &ref) {
				t.Fatalf("%T is not a *refusal.Refusal", err)
			}
			if !strings.Contains(err.Error(), c.words) {
				t.Errorf("message %q does not say %q", err, c.words)
			}
		})
	}
}

// TestLegacyAndBase: with a git base, files new since it count as never
// deployed, so a database past them makes them late, not applied.
func TestLegacyAndBase(t *testing.T) {
	fsys := mapFolder(stems("000001_a", "000002_b", "000003_c")...)
	base := &rebase.Base{Ref: "main", Names: stems("000001_a", "000003_c")}
	p, err := rebase.NewPlan(fsys, rebase.Input{Path: "m", Base: base, Databases: []rebase.Database{{Name: "prod", Version: 3}}})
	if err != nil {
		t.Fatal(err)
	}
	want := renamesOf("000002_b.up.sql>000004_b.up.sql", "000002_b.down.sql>000004_b.down.sql")
	if got := renames(p); !slices.Equal(got, want) {
		t.Errorf("renames %q, want %q", got, want)
	}
	if len(p.Moves) != 1 || len(p.Moves[0].Why) != 2 {
		t.Fatalf("moves %+v: want one, late against git and the database", p.Moves)
	}
}

// TestLateAgainstRevisions: without a git base, a database's revisions name
// the files it never ran below its newest.
func TestLateAgainstRevisions(t *testing.T) {
	fsys := mapFolder(stems("1_a", "2_b", "3_c")...)
	db := rebase.Database{Name: "prod", Version: 3, Revisions: []revision.Row{{Version: "1"}, {Version: "3"}}}
	p, err := rebase.NewPlan(fsys, rebase.Input{Path: "m", Databases: []rebase.Database{db}})
	if err != nil {
		t.Fatal(err)
	}
	want := renamesOf("2_b.up.sql>4_b.up.sql", "2_b.down.sql>4_b.down.sql")
	if got := renames(p); !slices.Equal(got, want) {
		t.Errorf("renames %q, want %q", got, want)
	}
	if !strings.Contains(p.Moves[0].Why[0], "never applied to prod") {
		t.Errorf("why: %q", p.Moves[0].Why)
	}
}

func TestCollision(t *testing.T) {
	baseNames := stems("000041_a")
	cases := []struct {
		name   string
		files  []string
		base   []string
		dbs    []rebase.Database
		want   []string
		refuse error
	}{
		{
			name:  "the new file sorts after the old one",
			files: stems("000041_a", "000042_add_users", "000042_add_zebras"),
			base:  append(slices.Clone(baseNames), pair("000042_add_users")...),
			want:  renamesOf("000042_add_zebras.up.sql>000043_add_zebras.up.sql", "000042_add_zebras.down.sql>000043_add_zebras.down.sql"),
		},
		{
			name:  "the new file sorts first (golang-migrate keeps it)",
			files: stems("000041_a", "000042_add_orders", "000042_add_users"),
			base:  append(slices.Clone(baseNames), pair("000042_add_users")...),
			want:  renamesOf("000042_add_orders.up.sql>000043_add_orders.up.sql", "000042_add_orders.down.sql>000043_add_orders.down.sql"),
		},
		{
			name:  "the branch is not merged yet",
			files: stems("000041_a", "000042_add_orders"),
			base:  append(slices.Clone(baseNames), pair("000042_add_users")...),
			want:  renamesOf("000042_add_orders.up.sql>000043_add_orders.up.sql", "000042_add_orders.down.sql>000043_add_orders.down.sql"),
		},
		{
			name:  "both new: the first stays",
			files: stems("000041_a", "000042_add_orders", "000042_add_users"),
			base:  baseNames,
			want:  renamesOf("000042_add_users.up.sql>000043_add_users.up.sql", "000042_add_users.down.sql>000043_add_users.down.sql"),
		},
		{
			name:  "a revision row of the old file",
			files: stems("000041_a", "000042_add_orders", "000042_add_users"),
			base:  append(slices.Clone(baseNames), pair("000042_add_users")...),
			dbs:   []rebase.Database{{Name: "prod", Version: 42, Revisions: []revision.Row{{Version: "000041", Description: "a"}, {Version: "000042", Description: "add_users"}}}},
			want:  renamesOf("000042_add_orders.up.sql>000043_add_orders.up.sql", "000042_add_orders.down.sql>000043_add_orders.down.sql"),
		},
		{
			name:   "a revision row of the new file",
			files:  stems("000041_a", "000042_add_orders", "000042_add_users"),
			base:   append(slices.Clone(baseNames), pair("000042_add_users")...),
			dbs:    []rebase.Database{{Name: "dev", Version: 42, Revisions: []revision.Row{{Version: "000042", Description: "add_orders"}}}},
			refuse: rebase.ErrApplied,
		},
		{
			name:  "golang-migrate's row at the version: the old file keeps it",
			files: stems("000041_a", "000042_add_orders", "000042_add_users"),
			base:  append(slices.Clone(baseNames), pair("000042_add_users")...),
			dbs:   []rebase.Database{{Name: "prod", Version: 42}},
			want:  renamesOf("000042_add_orders.up.sql>000043_add_orders.up.sql", "000042_add_orders.down.sql>000043_add_orders.down.sql"),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := rebase.NewPlan(mapFolder(c.files...), rebase.Input{Path: "m", Base: &rebase.Base{Ref: "main", Names: c.base}, Databases: c.dbs})
			if c.refuse != nil {
				if !errors.Is(err, c.refuse) {
					t.Fatalf("got %v, want %v", err, c.refuse)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := renames(p); !slices.Equal(got, c.want) {
				t.Errorf("renames:\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	files := stems("1_a", "2_b", "3_c", "4_d", "5_e", "6_f")
	p, err := rebase.NewPlan(mapFolder(files...), rebase.Input{Path: "m", Versions: []string{"2"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `--- m (before)
+++ m (after)
@@ -1,7 +1,5 @@
 1_a.down.sql
 1_a.up.sql
-2_b.down.sql
-2_b.up.sql
 3_c.down.sql
 3_c.up.sql
 4_d.down.sql
@@ -10,3 +8,5 @@
 5_e.up.sql
 6_f.down.sql
 6_f.up.sql
+7_b.down.sql
+7_b.up.sql
`
	if got := p.Diff(); got != want {
		t.Errorf("diff:\n%s\nwant:\n%s", got, want)
	}
	p, err = rebase.NewPlan(mapFolder(files...), rebase.Input{Path: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if d := p.Diff(); d != "" {
		t.Errorf("diff of nothing: %q", d)
	}
}

// writeFolder writes a MapFS to a new directory.
func writeFolder(t *testing.T, fsys fstest.MapFS) string {
	t.Helper()
	dir := t.TempDir()
	for name, f := range fsys {
		if err := os.WriteFile(filepath.Join(dir, name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// snapshot returns every file of dir with its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		if e.IsDir() {
			out[e.Name()+"/"] = ""
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func sameSnapshot(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func validSum(t *testing.T, dir string) {
	t.Helper()
	rep, err := atlassum.Validate(os.DirFS(dir), ".", dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.State != atlassum.Valid {
		t.Errorf("atlas.sum is %s: %v", rep.State, rep.Findings)
	}
}

func TestApplyOutsideGit(t *testing.T) {
	dir := writeFolder(t, mapFolder(stems("1_a", "2_b", "3_c")...))
	testdb.Hash(t, dir)
	p, err := rebase.NewPlan(os.DirFS(dir), rebase.Input{Path: dir, Versions: []string{"1"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := rebase.Apply(t.Context(), dir, p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Renamed != 2 || res.Git || !res.SumWritten {
		t.Errorf("result %+v", res)
	}
	if _, err := os.Stat(filepath.Join(dir, "4_a.down.sql")); err != nil {
		t.Error(err)
	}
	validSum(t, dir)
}

// TestApplyUndoes: when the renamed folder does not hash to the plan (a
// file was edited after planning), the renames are undone.
func TestApplyUndoes(t *testing.T) {
	dir := writeFolder(t, mapFolder(stems("1_a", "2_b", "3_c")...))
	testdb.Hash(t, dir)
	p, err := rebase.NewPlan(os.DirFS(dir), rebase.Input{Path: dir, Versions: []string{"1", "2"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "3_c.up.sql"), []byte("edited"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	_, err = rebase.Apply(t.Context(), dir, p)
	if !errors.Is(err, rebase.ErrStale) {
		t.Fatalf("got %v, want ErrStale", err)
	}
	if after := snapshot(t, dir); !sameSnapshot(before, after) {
		t.Errorf("folder changed:\nbefore %v\nafter  %v", before, after)
	}
	if !strings.Contains(err.Error(), "undone") {
		t.Errorf("error does not say the renames were undone: %v", err)
	}
}

// TestApplyRefusesNewTarget: a new name that appeared after planning is
// never overwritten.
func TestApplyRefusesNewTarget(t *testing.T) {
	dir := writeFolder(t, mapFolder(stems("1_a", "2_b")...))
	p, err := rebase.NewPlan(os.DirFS(dir), rebase.Input{Path: dir, Versions: []string{"1"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "3_a.down.sql"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	if _, err := rebase.Apply(t.Context(), dir, p); !errors.Is(err, rebase.ErrStale) {
		t.Fatalf("got %v, want ErrStale", err)
	}
	if after := snapshot(t, dir); !sameSnapshot(before, after) {
		t.Errorf("folder changed")
	}
}

// TestNoSumNoSum: rebase does not create a sum file.
func TestNoSumNoSum(t *testing.T) {
	dir := writeFolder(t, mapFolder(stems("1_a", "2_b")...))
	p, err := rebase.NewPlan(os.DirFS(dir), rebase.Input{Path: dir, Versions: []string{"1"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Sum != nil || p.SumBefore != atlassum.Missing {
		t.Errorf("sum %v, before %s", p.Sum, p.SumBefore)
	}
	if _, err := rebase.Apply(t.Context(), dir, p); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, atlassum.FileName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("atlas.sum: %v", err)
	}
}

// TestEditedSumWarns: rebase rewrites atlas.sum, so an edit the old sum
// would have caught is reported, not silently re-hashed.
func TestEditedSumWarns(t *testing.T) {
	dir := writeFolder(t, mapFolder(stems("1_a", "2_b", "3_c")...))
	testdb.Hash(t, dir)
	if err := os.WriteFile(filepath.Join(dir, "1_a.up.sql"), []byte("CREATE TABLE edited (id int);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := rebase.NewPlan(os.DirFS(dir), rebase.Input{Path: dir, Versions: []string{"2"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Findings) != 1 || p.Findings[0].Code != atlassum.CodeEdited || p.Findings[0].File != "1_a.up.sql" {
		t.Errorf("findings %v, want FM105 for 1_a.up.sql", p.Findings)
	}
}

func TestFixNames(t *testing.T) {
	odd := []string{"1_a.up.sql", "1_a.down.sql", "2_b.up..sql", "2_b.down..sql", "3_c.up.txt", "4_d.up.sql.bak", "10_e.up.SQL"}
	for _, c := range []struct {
		name string
		in   rebase.Input
		want []string
	}{
		{"alone", rebase.Input{Path: "m", FixNames: true}, renamesOf(
			"2_b.up..sql>2_b.up.sql", "2_b.down..sql>2_b.down.sql", "3_c.up.txt>3_c.up.sql", "10_e.up.SQL>10_e.up.sql")},
		{"with --pad", rebase.Input{Path: "m", FixNames: true, Pad: true}, renamesOf(
			"1_a.up.sql>01_a.up.sql", "1_a.down.sql>01_a.down.sql", "2_b.up..sql>02_b.up.sql", "2_b.down..sql>02_b.down.sql",
			"3_c.up.txt>03_c.up.sql", "4_d.up.sql.bak>04_d.up.sql.bak", "10_e.up.SQL>10_e.up.sql")},
		{"with a move", rebase.Input{Path: "m", FixNames: true, Versions: []string{"2"}}, renamesOf(
			"2_b.up..sql>11_b.up.sql", "2_b.down..sql>11_b.down.sql", "3_c.up.txt>3_c.up.sql", "10_e.up.SQL>10_e.up.sql")},
		{"without the flag", rebase.Input{Path: "m", Versions: []string{"3"}}, renamesOf("3_c.up.txt>11_c.up.txt")},
	} {
		t.Run(c.name, func(t *testing.T) {
			fsys := mapFolder(odd...)
			fsys["atlas.sum"] = &fstest.MapFile{Data: []byte("h1:x\n")}
			p, err := rebase.NewPlan(fsys, c.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := renames(p); !slices.Equal(got, c.want) {
				t.Errorf("renames:\n got %q\nwant %q", got, c.want)
			}
			if !c.in.FixNames {
				return
			}
			var hashed []string
			for _, f := range p.Sum.Files {
				hashed = append(hashed, f.Name)
			}
			for _, f := range []string{"b.up.sql", "c.up.sql", "e.up.sql"} {
				if !slices.ContainsFunc(hashed, func(n string) bool { return strings.HasSuffix(n, "_"+f) }) {
					t.Errorf("the new atlas.sum does not cover *_%s: %q", f, hashed)
				}
			}
		})
	}
	t.Run("a duplicate version", func(t *testing.T) {
		// Two up files of version 2: golang-migrate refuses the folder, and
		// so does rebase rather than rename one onto the other.
		_, err := rebase.NewPlan(mapFolder("1_a.up.sql", "2_b.up..sql", "2_b.up.sql"), rebase.Input{Path: "m", FixNames: true})
		if !errors.Is(err, rebase.ErrAmbiguous) {
			t.Fatalf("got %v, want ErrAmbiguous", err)
		}
	})
}
