package compat

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/golang-migrate/migrate/v4/source"
	"github.com/golang-migrate/migrate/v4/source/file"
	"github.com/golang-migrate/migrate/v4/source/iofs"
)

// The parity test runs golang-migrate's own directory reader (source/iofs,
// which source/file uses over os.DirFS) and ferry's ReadDir over the same
// folders and requires the same outcome: the same duplicate refusal, or the
// same versions in the same order with the same up and down files.

// targetedNames are the edge cases of golang-migrate's file name rule.
var targetedNames = []string{
	// plain names and leading zeros
	"1_init.up.sql", "1_init.down.sql", "001_init.up.sql", "0001_init.down.sql",
	"2_users.up.sql", "2_users.down.sql", "02_users.up.sql", "10_ten.up.sql", "010_ten.down.sql",
	"000001_create.up.sql", "000001_create.down.sql", "000002_b.up.sql", "000010_c.up.sql",
	// version 0
	"0_zero.up.sql", "0_zero.down.sql", "00_zero.up.sql", "000_zero.down.sql",
	// empty and odd titles
	"1_.up.sql", "1_.down.sql", "3_.up.sql", "3__.up.sql", "3___.down.sql",
	"4_a.b.c.up.sql", "4_a_b_c.down.sql", "5_with space.up.sql", "5_with  two  spaces.down.sql",
	"6_ünïcödé.up.sql", "6_日本語.down.sql", "7_emoji_🚀.up.sql", "7_tab\there.down.sql",
	"8_x.y.up.sql", "8_.up.down.sql", "9_up.up.sql", "9_down.down.sql", "9_.up..sql",
	// empty and odd extensions
	"11_x.up.", "11_x.down.", "12_x.up.sql.bak", "12_x.down.sql.orig", "13_x.up.sql~", "13_x.down.sql~",
	"14_x.up.txt", "14_x.down.SQL", "15_x.up.sql.sql", "15_x.down.tar.gz", "16_x.up.sql ",
	"16_x.down. sql", "17_x.up.sql.swp", "17_x.up.sql.rej",
	// near misses golang-migrate ignores
	"18_x.dow.sql", "18_x.UP.sql", "18_x.Down.sql", "18-x.up.sql", "18.up.sql", "18_x.up",
	"18_x.down", "18_x.upsql", "18_x_up.sql", "18_x.sql", "18.sql", "v18_x.up.sql", "V18_x.down.sql",
	".18_x.up.sql", ".19_x.down.sql", "_18_x.up.sql", " 18_x.up.sql", "18 _x.up.sql", "x_18.up.sql",
	"18x.up.sql", "18_x.up-sql", "18_x.ups.sql", "18_x.do.wn.sql", "+18_x.up.sql", "-18_x.up.sql",
	"١٨_arabic_digits.up.sql", "１８_fullwidth.up.sql", "README.md", ".gitkeep", "Makefile", "atlas.sum",
	"schema.sql", "18", "18_", "_", "..x", "up", "down",
	// newlines: "." never matches "\n" in golang-migrate's rule
	"19_a\nb.up.sql", "19_ab.up.sql\n", "19_ab.up\n.sql", "19_ab.up.sql\nx", "\n19_ab.up.sql",
	"19\n_ab.up.sql", "20_ab.up.s\rql", "20_a\rb.down.sql",
	// the 64-bit boundaries
	"18446744073709551615_max.up.sql", "18446744073709551615_max.down.sql",
	"18446744073709551616_overflow.up.sql", "18446744073709551616_overflow.down.sql",
	"99999999999999999999_overflow.up.sql", "184467440737095516150_overflow.up.sql",
	"9223372036854775807_maxint.up.sql", "9223372036854775807_maxint.down.sql",
	"9223372036854775808_minint.up.sql", "9223372036854775808_minint.down.sql",
	"000000000000000000001_twenty_digits.up.sql", "00000000000000000000000000000000000002_long.up.sql",
	"018446744073709551615_padded_max.down.sql", "0000000000000000000000000000018446744073709551616_padded_overflow.up.sql",
	// greedy matching: the title takes all it can
	"21_a.up.down.sql", "21_a.down.up.sql", "22_a.up.up.sql", "22_a.down.down.sql",
	"23_.up.down.up.sql", "23_x.down.sql.up.txt", "24_a_b.down.c.up.d", "24_up.down.up.",
	// timestamps and unix times
	"20240102150405_create_users.up.sql", "20240102150405_create_users.down.sql",
	"20240230150405_not_a_date.up.sql", "1704207905_unix.up.sql", "1704207905_unix.down.sql",
	"1704207905123_millis.up.sql", "1704207905123456789_nanos.up.sql",
	// characters golang-migrate does not care about
	"25_semi;colon.up.sql", "25_quote'd.down.sql", "26_back\\slash.up.sql", "26_col:on.down.sql",
	"27_percent%21.up.sql", "27_star*.down.sql", "28_question?.up.sql", "28_hash#.down.sql",
}

// invalidUTF8Names cannot be opened through io/fs (fs.ValidPath refuses
// them), but fstest.MapFS lists them, so golang-migrate and ferry both see them.
var invalidUTF8Names = []string{"29_\xff.up.sql", "29_ok.down.\xfe"}

// randomNames returns n distinct names from a seeded generator: a third are free
// sequences over golang-migrate's alphabet, the rest mutated migration names.
func randomNames(seed int64, n int) []string {
	r := rand.New(rand.NewSource(seed))
	tokens := []string{
		"0", "1", "2", "3", "9", "00", "01", "_", "_", ".", ".", ".", "up", "down", "sql", "a", "B", "z",
		"-", "~", " ", "UP", "x",
	}
	digits := func(max int) string {
		var b strings.Builder
		for range 1 + r.Intn(max) {
			b.WriteByte(byte('0' + r.Intn(10)))
		}
		return b.String()
	}
	pick := func(xs ...string) string { return xs[r.Intn(len(xs))] }
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		var name string
		if r.Intn(3) == 0 {
			var b strings.Builder
			for range 1 + r.Intn(12) {
				b.WriteString(tokens[r.Intn(len(tokens))])
			}
			name = b.String()
		} else {
			version := pick(digits(1), digits(2), digits(2), "0"+digits(2), digits(6), digits(14), digits(19), digits(21), "", "v"+digits(2))
			title := pick("", "a", "add_users", "a.b", "up", "down", "x.up", "x.down", "a_b", "é", "-x")
			dir := pick("up", "down", "up", "down", "up", "down", "UP", "dwn", "", "up.down", "down.up")
			ext := pick("sql", "sql", "sql", "sql", "", "sql.bak", "sql~", "txt", "up.sql", "SQL")
			name = version + pick("_", "_", "_", "_", "_", "-", "") + title + pick(".", ".", ".", ".", "_") + dir + pick(".", ".", ".", ".", "") + ext
		}
		if name == "" || name == "." || name == ".." || strings.Contains(name, "/") || seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, name)
	}
	return out
}

// oracleResult is what golang-migrate's iofs source makes of a folder.
type oracleResult struct {
	err      error
	versions []uint64
	up, down map[uint64]oracleFile
}

type oracleFile struct {
	identifier string
	content    string // "" with readErr set when the file cannot be read
	readErr    error
}

func readOracle(t *testing.T, open func() (source.Driver, error)) oracleResult {
	t.Helper()
	drv, err := open()
	if err != nil {
		return oracleResult{err: err}
	}
	defer drv.Close()
	res := oracleResult{up: map[uint64]oracleFile{}, down: map[uint64]oracleFile{}}
	v, err := drv.First()
	for err == nil {
		res.versions = append(res.versions, uint64(v))
		if len(res.versions) > 10000 {
			t.Fatal("golang-migrate's Next does not end")
		}
		for _, d := range []struct {
			read func(uint) (io.ReadCloser, string, error)
			into map[uint64]oracleFile
		}{{drv.ReadUp, res.up}, {drv.ReadDown, res.down}} {
			rc, id, rerr := d.read(v)
			var pe *fs.PathError
			if errors.As(rerr, &pe) && strings.HasPrefix(pe.Op, "read ") {
				continue // no file for this direction ("read up for version N")
			}
			// Otherwise there is a file; rerr is set when it cannot be opened.
			f := oracleFile{identifier: id, readErr: rerr}
			if rerr == nil {
				b, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					f.readErr = err
				} else {
					f.content = string(b)
				}
			}
			d.into[uint64(v)] = f
		}
		v, err = drv.Next(v)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("golang-migrate walk: %v", err)
	}
	return res
}

// compareWithOracle checks ferry's reading of dir in fsys against
// golang-migrate's iofs source over the same folder.
func compareWithOracle(t *testing.T, fsys fs.FS, dir string) {
	t.Helper()
	compareWith(t, fsys, dir, func() (source.Driver, error) { return iofs.New(fsys, dir) })
}

// compareWith checks ferry's reading of dir in fsys against the golang-migrate
// source that open returns.
func compareWith(t *testing.T, fsys fs.FS, dir string, open func() (source.Driver, error)) {
	t.Helper()
	want := readOracle(t, open)
	got, err := ReadDir(fsys, dir)
	if err != nil {
		t.Fatalf("ReadDir: %v", err)
	}
	if want.err != nil {
		var dup source.ErrDuplicateMigration
		if !errors.As(want.err, &dup) {
			t.Fatalf("golang-migrate failed with something else than a duplicate: %v", want.err)
		}
		var ferryDup *DuplicateError
		if !errors.As(got.Err(), &ferryDup) {
			t.Fatalf("golang-migrate refuses the folder (%v), ferry's Err() = %v", want.err, got.Err())
		}
		if ferryDup.File != dup.Name() || ferryDup.File != dup.Raw {
			t.Errorf("golang-migrate names %q (raw %q), ferry names %q", dup.Name(), dup.Raw, ferryDup.File)
		}
		if ferryDup.Version != uint64(dup.Version) || string(ferryDup.Direction) != string(dup.Direction) {
			t.Errorf("duplicate version/direction: golang-migrate %d %s, ferry %d %s", dup.Version, dup.Direction, ferryDup.Version, ferryDup.Direction)
		}
		if !strings.HasPrefix(got.Err().Error(), dup.Error()) {
			t.Errorf("ferry's error %q does not start with golang-migrate's %q", got.Err(), dup.Error())
		}
		if !IsDuplicate(got.Err()) {
			t.Errorf("IsDuplicate(%v) = false", got.Err())
		}
		return
	}
	if got.Err() != nil {
		t.Fatalf("golang-migrate reads the folder, ferry's Err() = %v", got.Err())
	}
	var gotVersions []uint64
	for _, m := range got.Migrations {
		gotVersions = append(gotVersions, m.Version)
	}
	if !slices.Equal(gotVersions, want.versions) {
		t.Fatalf("versions:\n golang-migrate %v\n ferry          %v", want.versions, gotVersions)
	}
	for _, m := range got.Migrations {
		for _, d := range []struct {
			dir  Direction
			file *File
			want map[uint64]oracleFile
		}{{Up, m.Up, want.up}, {Down, m.Down, want.down}} {
			wf, has := d.want[m.Version]
			if has != (d.file != nil) {
				t.Errorf("version %d %s: golang-migrate has a file: %v, ferry: %v", m.Version, d.dir, has, d.file != nil)
				continue
			}
			if !has {
				continue
			}
			if wf.readErr == nil && wf.identifier != d.file.Title {
				t.Errorf("version %d %s: golang-migrate identifier %q, ferry title %q", m.Version, d.dir, wf.identifier, d.file.Title)
			}
			if d.file.Direction != d.dir || d.file.Version != m.Version {
				t.Errorf("version %d %s: ferry file %+v is filed under the wrong version or direction", m.Version, d.dir, *d.file)
			}
			b, err := got.ReadFile(*d.file)
			if (err != nil) != (wf.readErr != nil) {
				t.Errorf("version %d %s: golang-migrate read error %v, ferry read error %v", m.Version, d.dir, wf.readErr, err)
				continue
			}
			if err == nil && string(b) != wf.content {
				t.Errorf("version %d %s: golang-migrate reads %q, ferry reads %q", m.Version, d.dir, wf.content, b)
			}
		}
	}
	// Files holds exactly the files golang-migrate uses, in name order.
	var files []string
	for _, f := range got.Files {
		files = append(files, f.Name)
	}
	if !slices.IsSorted(files) {
		t.Errorf("Files are not in name order: %q", files)
	}
	var used []string
	for _, m := range got.Migrations {
		if m.Up != nil {
			used = append(used, m.Up.Name)
		}
		if m.Down != nil {
			used = append(used, m.Down.Name)
		}
	}
	slices.Sort(used)
	if !slices.Equal(files, used) {
		t.Errorf("Files %q, but the migrations use %q", files, used)
	}
}

// mapFS puts each name in a MapFS under dir with the name as its content.
func mapFS(dir string, names ...string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for _, n := range names {
		fsys[path.Join(dir, n)] = &fstest.MapFile{Data: []byte(n)}
	}
	return fsys
}

// dedupe drops the names golang-migrate would refuse as duplicates of an
// earlier name (in name order), so that the folder is readable.
func dedupe(names []string) []string {
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	type key struct {
		v uint
		d source.Direction
	}
	seen := map[key]bool{}
	var out []string
	for _, n := range sorted {
		if m, err := source.Parse(n); err == nil {
			k := key{m.Version, m.Direction}
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		out = append(out, n)
	}
	return out
}

func TestParityWithGolangMigrate(t *testing.T) {
	random := randomNames(20240102, 420)
	all := map[string]bool{}
	for _, lists := range [][]string{targetedNames, invalidUTF8Names, random} {
		for _, n := range lists {
			all[n] = true
		}
	}
	pool := make([]string, 0, len(all))
	for n := range all {
		pool = append(pool, n)
	}
	slices.Sort(pool)

	type dirCase struct {
		name string
		fsys fs.FS
		dir  string
	}
	var cases []dirCase
	add := func(name string, fsys fs.FS, dir string) {
		cases = append(cases, dirCase{name, fsys, dir})
	}

	// Every name alone, and all targeted names that golang-migrate accepts together.
	for i, n := range pool {
		add(fmt.Sprintf("single/%03d", i), mapFS(".", n), ".")
	}
	add("targeted/all", mapFS(".", targetedNames...), ".")
	add("targeted/deduped", mapFS(".", dedupe(append(slices.Clone(targetedNames), invalidUTF8Names...))...), ".")
	add("random/all-deduped", mapFS(".", dedupe(random)...), ".")
	add("pool/all-deduped", mapFS(".", dedupe(pool)...), ".")

	// Duplicates: same version and direction spelled differently.
	for _, dup := range [][]string{
		{"001_a.up.sql", "1_b.up.sql"},
		{"1_a.up.sql", "001_b.up.sql"},
		{"1_a.down.sql", "01_a.down.sql", "1_a.up.sql"},
		{"1_a.up.sql", "1_a.up.txt"},
		{"1_a.up.sql", "1_a.up.sql.bak"},
		{"1_a.up.sql", "1_a.up.sql~"},
		{"1_a.up.sql", "1_a.up."},
		{"1_.up.sql", "1_a.up.sql"},
		{"0_a.up.sql", "00_a.up.sql"},
		{"2_a.up.sql", "2_a.down.sql", "3_a.up.sql", "3_b.up.sql", "4_a.up.sql", "4_b.up.sql"},
		{"18446744073709551615_a.up.sql", "018446744073709551615_b.up.sql"},
		{"000000000000000000001_a.up.sql", "1_b.up.sql"},
		{"21_a.up.down.sql", "21_b.down.sql"},
		{"21_a.down.up.sql", "21_b.up.sql"},
		{"9223372036854775808_a.up.sql", "09223372036854775808_b.up.sql"},
		// overflow files are ignored, so they never collide
		{"18446744073709551616_a.up.sql", "018446744073709551616_b.up.sql", "1_a.up.sql"},
		// a near miss does not collide with the real file
		{"1_a.up.sql", "1_a.UP.sql", "01-a.up.sql"},
	} {
		add("dup/"+strings.Join(dup, "+"), mapFS(".", dup...), ".")
	}

	// Directories named like migrations, and files below subfolders.
	add("subdir/files-below", mapFS(".", "1_a.up.sql", "sub/1_b.up.sql", "sub/2_c.up.sql", "2_c.down.sql", "a/b/3_d.up.sql"), ".")
	add("subdir/named-like-migration", fstest.MapFS{
		"1_a.up.sql":           {Data: []byte("1_a.up.sql")},
		"1_b.up.sql/inner.sql": {Data: []byte("inner")},
		"2_c.down.sql":         {Mode: fs.ModeDir},
		"2_c.up.sql":           {Data: []byte("2_c.up.sql")},
	}, ".")
	add("subdir/folder-named-like-duplicate", mapFS(".", "1_a.up.sql", "01_a.up.sql/x"), ".")
	add("nested/db-migrations", mapFS("db/migrations", dedupe(targetedNames)...), "db/migrations")
	add("nested/with-sibling", mapFS("db/migrations", "1_a.up.sql", "1_a.down.sql", "2_b.up.sql"), "db/migrations")
	nested := mapFS("db/migrations", "1_a.up.sql", "001_b.up.sql")
	nested["db/1_c.up.sql"] = &fstest.MapFile{Data: []byte("outside the folder")}
	add("nested/duplicate", nested, "db/migrations")

	// Links inside the folder: golang-migrate follows them and so does ferry.
	add("links/inside", fstest.MapFS{
		"1_a.up.sql":   {Data: []byte("target.txt"), Mode: fs.ModeSymlink},
		"target.txt":   {Data: []byte("linked content")},
		"1_a.down.sql": {Data: []byte("1_a.down.sql")},
		"2_b.up.sql":   {Data: []byte("data"), Mode: fs.ModeSymlink},
		"data/x":       {Data: []byte("x")},
		"3_c.up.sql":   {Data: []byte("missing"), Mode: fs.ModeSymlink},
		"4_d.up.sql":   {Data: []byte("1_a.down.sql"), Mode: fs.ModeSymlink},
	}, ".")

	// Random subsets of the pool, as they are (most hit a duplicate) and
	// without duplicates.
	r := rand.New(rand.NewSource(7))
	for i := range 60 {
		size := 1 + r.Intn(60)
		var names []string
		for _, j := range r.Perm(len(pool))[:size] {
			names = append(names, pool[j])
		}
		add(fmt.Sprintf("subset/%02d", i), mapFS(".", names...), ".")
		add(fmt.Sprintf("subset/%02d-deduped", i), mapFS(".", dedupe(names)...), ".")
	}
	// Random subsets of the names golang-migrate accepts, which collide often.
	var accepted []string
	for _, n := range pool {
		if _, err := source.Parse(n); err == nil {
			accepted = append(accepted, n)
		}
	}
	for i := range 40 {
		size := 1 + r.Intn(min(30, len(accepted)))
		var names []string
		for _, j := range r.Perm(len(accepted))[:size] {
			names = append(names, accepted[j])
		}
		add(fmt.Sprintf("accepted-subset/%02d", i), mapFS(".", names...), ".")
		add(fmt.Sprintf("accepted-subset/%02d-deduped", i), mapFS(".", dedupe(names)...), ".")
	}

	var refused, read int
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			compareWithOracle(t, c.fsys, c.dir)
		})
		if d, err := iofs.New(c.fsys, c.dir); err != nil {
			refused++
		} else {
			d.Close()
			read++
		}
	}
	t.Logf("parity: %d distinct file names (%d targeted, %d random; %d accepted by golang-migrate), %d folders (%d refused as duplicates by golang-migrate, %d read)",
		len(pool), len(targetedNames)+len(invalidUTF8Names), len(random), len(accepted), len(cases), refused, read)
	if len(pool) < 300 {
		t.Errorf("only %d distinct names; the parity test needs at least 300", len(pool))
	}
	if refused < 20 || read < 100 {
		t.Errorf("the folders do not exercise both outcomes: %d refused, %d read", refused, read)
	}
}

// TestParityOnDisk repeats the comparison on a real folder, against both
// golang-migrate's iofs source over os.DirFS and its file:// source, with
// names the operating system allows.
func TestParityOnDisk(t *testing.T) {
	names := []string{
		"1_init.up.sql", "1_init.down.sql", "002_b.up.sql", "2_b.down.sql", "3_.up.sql", "4_x.up.",
		"5_x.up.sql.bak", "6_x.up.sql~", "7_x.UP.sql", "8-x.up.sql", "v9_x.up.sql", "10_x.sql",
		".11_x.up.sql", "12_a\nb.up.sql", "13_ab.up.sql\n", "18446744073709551615_max.up.sql",
		"18446744073709551616_overflow.up.sql", "9223372036854775808_big.up.sql",
		"000000000000000000014_twenty.up.sql", "15_a.up.down.sql", "15_a.down.up.sql",
		"16_ünï cödé.up.sql", "17_\xff.up.sql",
	}
	tests := []struct {
		name  string
		names []string
		links map[string]string // link name -> target, inside the folder
		dirs  []string
	}{
		{name: "edge-names", names: names},
		{name: "duplicate", names: []string{"001_a.up.sql", "1_b.up.sql", "2_c.up.sql"}},
		{name: "subfolder", names: []string{"1_a.up.sql"}, dirs: []string{"2_b.up.sql", "sub"}},
		{name: "links-inside", names: []string{"1_a.up.sql", "target.txt"}, links: map[string]string{"2_b.up.sql": "target.txt", "3_c.down.sql": "./1_a.up.sql"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for _, n := range tt.names {
				if err := os.WriteFile(filepath.Join(root, n), []byte(n), 0o644); err != nil {
					t.Skipf("the file system refuses %q: %v", n, err)
				}
			}
			for _, d := range tt.dirs {
				if err := os.MkdirAll(filepath.Join(root, d, "inner"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(root, d, "9_x.up.sql"), []byte("below"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for link, target := range tt.links {
				if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
					t.Skipf("no symlinks here: %v", err)
				}
			}
			compareWithOracle(t, os.DirFS(root), ".")
			// golang-migrate's file:// source, as the CLI uses it.
			compareWith(t, os.DirFS(root), ".", func() (source.Driver, error) {
				return (&file.File{}).Open("file://" + filepath.ToSlash(root))
			})
		})
	}
}
