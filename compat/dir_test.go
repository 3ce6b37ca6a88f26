package compat

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ferrymigrate/ferry/finding"
)

// files builds a MapFS whose files hold their own name, so that they are not
// empty.
func files(names ...string) fstest.MapFS {
	return mapFS(".", names...)
}

func readDir(t *testing.T, fsys fs.FS, dir string) *Directory {
	t.Helper()
	d, err := ReadDir(fsys, dir)
	if err != nil {
		t.Fatalf("ReadDir: %v", err)
	}
	return d
}

func withCode(fs []finding.Finding, code string) []finding.Finding {
	var out []finding.Finding
	for _, f := range fs {
		if f.Code == code {
			out = append(out, f)
		}
	}
	return out
}

func TestReadDirFindings(t *testing.T) {
	type want struct {
		severity finding.Severity
		file     string
		version  string
		contains string // part of the message
	}
	tests := []struct {
		name string
		fsys fs.FS
		code string
		want []want
	}{
		{
			name: "FM001 near miss upper-case direction",
			fsys: files("1_a.UP.sql", "1_a.down.sql"),
			code: CodeNearMiss,
			want: []want{{finding.Warning, "1_a.UP.sql", "", "lower case"}},
		},
		{
			name: "FM001 near miss dash, v prefix, missing direction",
			fsys: files("1-a.up.sql", "v2_b.up.sql", "3_c.sql", ".4_d.up.sql", "README.md"),
			code: CodeNearMiss,
			want: []want{
				{finding.Warning, "1-a.up.sql", "", `followed by "_"`},
				{finding.Warning, "3_c.sql", "", "no .up. or .down."},
				{finding.Warning, "v2_b.up.sql", "", `without a "v"`},
			},
		},
		{
			name: "FM002 unusual extension",
			fsys: files("1_a.up.txt", "2_b.up."),
			code: CodeOddExtension,
			want: []want{
				{finding.Warning, "1_a.up.txt", "1", `"txt"`},
				{finding.Warning, "2_b.up.", "2", `""`},
			},
		},
		{
			name: "FM002 backup copies",
			fsys: files("1_a.up.sql", "1_a.down.sql.bak", "2_b.up.sql~", "3_c.up.sql.orig"),
			code: CodeOddExtension,
			want: []want{
				{finding.Error, "1_a.down.sql.bak", "1", "backup"},
				{finding.Error, "2_b.up.sql~", "2", "backup"},
				{finding.Error, "3_c.up.sql.orig", "3", "backup"},
			},
		},
		{
			name: "FM003 migration files in a subfolder",
			fsys: files("1_a.up.sql", "sub/2_b.up.sql", "sub/notes.txt", "deep/er/3_c.down.sql", "sub/18446744073709551616_x.up.sql"),
			code: CodeSubfolder,
			want: []want{
				{finding.Warning, "deep/er/3_c.down.sql", "", "never run"},
				{finding.Warning, "sub/18446744073709551616_x.up.sql", "", "never run"},
				{finding.Warning, "sub/2_b.up.sql", "", "never run"},
			},
		},
		{
			name: "FM003 relative to a nested migration folder",
			fsys: mapFS("db/migrations", "1_a.up.sql", "old/2_b.up.sql"),
			code: CodeSubfolder,
			want: []want{{finding.Warning, "old/2_b.up.sql", "", "never run"}},
		},
		{
			name: "FM004 version overflow",
			fsys: files("1_a.up.sql", "18446744073709551616_x.up.sql"),
			code: CodeVersionOverflow,
			want: []want{{finding.Error, "18446744073709551616_x.up.sql", "18446744073709551616", "64 bits"}},
		},
		{
			name: "FM005 version above the signed range",
			fsys: files("9223372036854775807_ok.up.sql", "9223372036854775808_x.up.sql", "18446744073709551615_y.down.sql"),
			code: CodeVersionSigned,
			want: []want{
				{finding.Error, "18446744073709551615_y.down.sql", "18446744073709551615", "signed"},
				{finding.Error, "9223372036854775808_x.up.sql", "9223372036854775808", "signed"},
			},
		},
		{
			name: "FM006 duplicate spelled differently",
			fsys: files("001_a.up.sql", "1_b.up.sql", "1_b.down.sql"),
			code: CodeDuplicate,
			want: []want{{finding.Error, "1_b.up.sql", "1", "001_a.up.sql and 1_b.up.sql"}},
		},
		{
			name: "FM006 every duplicate is listed",
			fsys: files("1_a.up.sql", "1_a.up.txt", "1_b.up.sql", "2_a.down.sql", "02_a.down.sql"),
			code: CodeDuplicate,
			want: []want{
				{finding.Error, "1_a.up.txt", "1", "up migration of version 1"},
				{finding.Error, "1_b.up.sql", "1", "up migration of version 1"},
				{finding.Error, "2_a.down.sql", "2", "down migration of version 2"},
			},
		},
		{
			name: "FM007 up without down",
			fsys: files("1_a.up.sql", "1_a.down.sql", "2_b.up.sql"),
			code: CodeUpWithoutDown,
			want: []want{{finding.Info, "2_b.up.sql", "2", "no down file"}},
		},
		{
			name: "FM008 down without up",
			fsys: files("1_a.up.sql", "1_a.down.sql", "02_b.down.sql"),
			code: CodeDownWithoutUp,
			want: []want{{finding.Warning, "02_b.down.sql", "02", "no up file"}},
		},
		{
			name: "FM009 mixed schemes",
			fsys: files("1704207905_a.up.sql", "20240102150405_b.up.sql", "20240103150405_c.up.sql"),
			code: CodeMixedScheme,
			want: []want{{finding.Warning, "", "", "1 unix seconds"}},
		},
		{
			name: "FM010 empty and blank files",
			fsys: fstest.MapFS{
				"1_a.up.sql":   {Data: nil},
				"1_a.down.sql": {Data: []byte(" \n\t\r\n")},
				"2_b.up.sql":   {Data: []byte("-- only a comment\n")},
			},
			code: CodeEmptyFile,
			want: []want{
				{finding.Warning, "1_a.down.sql", "1", "empty"},
				{finding.Warning, "1_a.up.sql", "1", "empty"},
			},
		},
		{
			name: "FM011 link out of the folder",
			fsys: fstest.MapFS{
				"1_a.up.sql": {Data: []byte("../secret.sql"), Mode: fs.ModeSymlink},
				"2_b.up.sql": {Data: []byte("/etc/passwd"), Mode: fs.ModeSymlink},
				"3_c.up.sql": {Data: []byte("sub/../../x.sql"), Mode: fs.ModeSymlink},
				"4_d.up.sql": {Data: []byte("sub/../real.sql"), Mode: fs.ModeSymlink},
				"real.sql":   {Data: []byte("fine")},
			},
			code: CodeLinkOutside,
			want: []want{
				{finding.Error, "1_a.up.sql", "1", "../secret.sql"},
				{finding.Error, "2_b.up.sql", "2", "/etc/passwd"},
				{finding.Error, "3_c.up.sql", "3", "sub/../../x.sql"},
			},
		},
		{
			name: "FM012 no migrations",
			fsys: files("README.md", "sub/1_a.up.sql"),
			code: CodeNoMigrations,
			want: []want{{finding.Warning, "", "", "no migration files"}},
		},
		{
			name: "FM012 empty folder",
			fsys: fstest.MapFS{},
			code: CodeNoMigrations,
			want: []want{{finding.Warning, "", "", "no migration files"}},
		},
		{
			name: "FM013 version spelled differently in up and down",
			fsys: files("001_a.up.sql", "1_a.down.sql", "2_b.up.sql", "2_b.down.sql"),
			code: CodeVersionSpelling,
			want: []want{{finding.Info, "1_a.down.sql", "001", "001, 1"}},
		},
		{
			name: "clean folder has none of them",
			fsys: files("000001_a.up.sql", "000001_a.down.sql", "000002_b.up.sql", "000002_b.down.sql", "README.md", ".gitkeep", "atlas.sum"),
			code: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := "."
			if _, err := fs.Stat(tt.fsys, "db/migrations"); err == nil {
				dir = "db/migrations"
			}
			d := readDir(t, tt.fsys, dir)
			if tt.code == "" {
				if len(d.Findings) != 0 {
					t.Fatalf("findings: %+v", d.Findings)
				}
				return
			}
			got := withCode(d.Findings, tt.code)
			if len(got) != len(tt.want) {
				t.Fatalf("%d %s findings, want %d:\n%+v", len(got), tt.code, len(tt.want), d.Findings)
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Severity != w.severity || g.File != w.file || g.Version != w.version || !strings.Contains(g.Message, w.contains) {
					t.Errorf("finding %d = %+v\nwant severity %s, file %q, version %q, message containing %q", i, g, w.severity, w.file, w.version, w.contains)
				}
			}
			if !slices.IsSortedFunc(d.Findings, func(a, b finding.Finding) int {
				return strings.Compare(a.Code+"\x00"+a.File, b.Code+"\x00"+b.File)
			}) {
				t.Errorf("findings are not sorted by code and file: %+v", d.Findings)
			}
		})
	}
}

func TestReadDirDuplicates(t *testing.T) {
	d := readDir(t, files("001_a.up.sql", "1_b.up.sql", "1_c.up.sql", "2_a.down.sql", "02_b.down.sql"), ".")
	var dup *DuplicateError
	if !errors.As(d.Err(), &dup) {
		t.Fatalf("Err() = %v, want a *DuplicateError", d.Err())
	}
	// golang-migrate names the first duplicate in name order: "02_b" sorts
	// before "1_b", and "2_a.down.sql" comes after "02_b.down.sql".
	want := DuplicateError{File: "1_b.up.sql", First: "001_a.up.sql", Version: 1, Direction: Up}
	if *dup != want {
		t.Errorf("Err() = %+v, want %+v", *dup, want)
	}
	if got := dup.Error(); !strings.HasPrefix(got, "duplicate migration file: 1_b.up.sql ") {
		t.Errorf("Error() = %q, want golang-migrate's text first", got)
	}
	if len(d.Duplicates) != 3 {
		t.Errorf("Duplicates = %+v, want 3", d.Duplicates)
	}
	if !IsDuplicate(d.Err()) || !IsDuplicate(errors.Join(errors.New("x"), d.Err())) || IsDuplicate(errors.New("duplicate migration file: x")) {
		t.Error("IsDuplicate does not follow errors.As")
	}
	// The files golang-migrate would have read before refusing stay usable.
	if len(d.Migrations) != 2 || d.Migrations[0].Up.Name != "001_a.up.sql" || d.Migrations[1].Down.Name != "02_b.down.sql" {
		t.Errorf("Migrations = %+v", d.Migrations)
	}
}

func TestReadDirMissingFolder(t *testing.T) {
	_, err := ReadDir(fstest.MapFS{}, "nope")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadDir of a missing folder: %v, want fs.ErrNotExist", err)
	}
}

func TestReadDirMigrations(t *testing.T) {
	d := readDir(t, files(
		"10_ten.up.sql", "9_nine.up.sql", "9_nine_down.down.sql", "0010_ten_down.down.sql",
		"2_only_down.down.sql", "18446744073709551615_max.up.sql", "0_zero.up.sql",
	), ".")
	type mig struct {
		version     uint64
		text, title string
		up, down    string
	}
	want := []mig{
		{0, "0", "zero", "0_zero.up.sql", ""},
		{2, "2", "only_down", "", "2_only_down.down.sql"},
		{9, "9", "nine", "9_nine.up.sql", "9_nine_down.down.sql"},
		{10, "10", "ten", "10_ten.up.sql", "0010_ten_down.down.sql"},
		{18446744073709551615, "18446744073709551615", "max", "18446744073709551615_max.up.sql", ""},
	}
	var got []mig
	for _, m := range d.Migrations {
		g := mig{version: m.Version, text: m.VersionText, title: m.Title}
		if m.Up != nil {
			g.up = m.Up.Name
		}
		if m.Down != nil {
			g.down = m.Down.Name
		}
		got = append(got, g)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Migrations:\n got %+v\nwant %+v", got, want)
	}
	var names []string
	for _, f := range d.Files {
		names = append(names, f.Name)
	}
	if want := []string{"0010_ten_down.down.sql", "0_zero.up.sql", "10_ten.up.sql", "18446744073709551615_max.up.sql", "2_only_down.down.sql", "9_nine.up.sql", "9_nine_down.down.sql"}; !slices.Equal(names, want) {
		t.Errorf("Files = %q, want %q", names, want)
	}
	b, err := d.ReadFile(*d.Migrations[3].Down)
	if err != nil || string(b) != "0010_ten_down.down.sql" {
		t.Errorf("ReadFile = %q, %v", b, err)
	}
	if _, err := d.ReadFile(File{Name: "nope.up.sql"}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile of a missing file: %v, want fs.ErrNotExist", err)
	}
}

func TestLookupAfter(t *testing.T) {
	d := readDir(t, files("1_a.up.sql", "3_c.up.sql", "3_c.down.sql", "10_j.down.sql", "18446744073709551615_max.up.sql"), ".")
	lookups := []struct {
		name    string
		version uint64
		found   bool
		title   string
	}{
		{"first", 1, true, "a"},
		{"both files", 3, true, "c"},
		{"down only", 10, true, "j"},
		{"max", 18446744073709551615, true, "max"},
		{"gap", 2, false, ""},
		{"below", 0, false, ""},
		{"above", 11, false, ""},
	}
	for _, tt := range lookups {
		t.Run("Lookup/"+tt.name, func(t *testing.T) {
			m, ok := d.Lookup(tt.version)
			if ok != tt.found || m.Title != tt.title || (ok && m.Version != tt.version) {
				t.Errorf("Lookup(%d) = %+v, %v", tt.version, m, ok)
			}
		})
	}
	afters := []struct {
		name  string
		after uint64
		want  []uint64
	}{
		{"zero", 0, []uint64{1, 3, 10, 18446744073709551615}},
		{"first", 1, []uint64{3, 10, 18446744073709551615}},
		{"gap", 2, []uint64{3, 10, 18446744073709551615}},
		{"existing", 3, []uint64{10, 18446744073709551615}},
		{"last but one", 10, []uint64{18446744073709551615}},
		{"between", 11, []uint64{18446744073709551615}},
		{"last", 18446744073709551615, nil},
	}
	for _, tt := range afters {
		t.Run("After/"+tt.name, func(t *testing.T) {
			var got []uint64
			for _, m := range d.After(tt.after) {
				got = append(got, m.Version)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("After(%d) = %v, want %v", tt.after, got, tt.want)
			}
		})
	}
	empty := readDir(t, fstest.MapFS{}, ".")
	if _, ok := empty.Lookup(0); ok {
		t.Error("Lookup(0) in an empty folder found something")
	}
	if got := empty.After(0); len(got) != 0 {
		t.Errorf("After(0) in an empty folder = %+v", got)
	}
}

func TestDetectScheme(t *testing.T) {
	tests := []struct {
		name  string
		texts []string
		want  Scheme
		width int // PaddedWidth
	}{
		{"none", nil, SchemeNone, 0},
		{"timestamp", []string{"20240102150405", "20240102150406", "20251231235959"}, SchemeTimestamp, 0},
		{"unix", []string{"1704207905", "1704207999"}, SchemeUnix, 0},
		{"unix-millis", []string{"1704207905123", "1704207905999"}, SchemeUnixMillis, 0},
		{"unix-nanos", []string{"1704207905123456789", "1704207905123456790"}, SchemeUnixNanos, 0},
		{"padded", []string{"000001", "000002", "000010"}, SchemePadded, 6},
		{"padded two digits", []string{"01", "02", "10", "99"}, SchemePadded, 2},
		{"padded with full-width unpadded numbers", []string{"000999", "001000", "100000", "999999"}, SchemePadded, 6},
		{"padded after full-width numbers", []string{"100000", "100001", "000001"}, SchemePadded, 6},
		{"padded outgrown", []string{"000999", "1000000"}, SchemeMixed, 6},
		{"padded with two widths", []string{"0001", "000002"}, SchemeMixed, 4},
		{"padded next to unpadded short", []string{"0001", "2"}, SchemeMixed, 4},
		{"sequence", []string{"1", "2", "3", "10", "100"}, SchemeSequence, 0},
		{"sequence single", []string{"0"}, SchemeSequence, 0},
		{"mixed unix and timestamp", []string{"1704207905", "20240102150405"}, SchemeMixed, 0},
		{"mixed sequence and timestamp", []string{"1", "2", "20240102150405"}, SchemeMixed, 0},
		{"14 digits that are not a date", []string{"99999999999999"}, SchemeSequence, 0},
		{"timestamp next to a non-date", []string{"20240102150405", "20241302150405"}, SchemeMixed, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectScheme(tt.texts); got != tt.want {
				t.Errorf("DetectScheme(%q) = %s, want %s", tt.texts, got, tt.want)
			}
			if got := PaddedWidth(tt.texts); got != tt.width {
				t.Errorf("PaddedWidth(%q) = %d, want %d", tt.texts, got, tt.width)
			}
			if tt.want.Describe() == "" {
				t.Errorf("%s has no description", tt.want)
			}
		})
	}
	// ReadDir detects the scheme from the versions as written.
	d := readDir(t, files("20240102150405_a.up.sql", "20240102150405_a.down.sql", "20240103150405_b.up.sql"), ".")
	if d.Scheme != SchemeTimestamp {
		t.Errorf("ReadDir Scheme = %s, want %s", d.Scheme, SchemeTimestamp)
	}
}

// TestReadDirLinks reads a real folder with os.DirFS, which follows links
// wherever they point, as golang-migrate's file source does. The folder is
// read both as the root of the fs.FS and as a subfolder of it, since a link
// to "../x" leaves the migration folder in both cases.
func TestReadDirLinks(t *testing.T) {
	root := t.TempDir()
	migrations := filepath.Join(root, "migrations")
	if err := os.MkdirAll(filepath.Join(migrations, "shared"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(migrations, name)); err != nil {
			t.Skipf("cannot create links here: %v", err)
		}
	}
	write(filepath.Join(root, "secret.sql"), "SECRET")
	write(filepath.Join(migrations, "shared", "common.sql"), "COMMON")
	write(filepath.Join(migrations, "1_a.up.sql"), "CREATE TABLE a ();")
	link("1_a.up.sql", "1_a.down.sql")
	link("../secret.sql", "2_rel.up.sql")
	link(filepath.Join(root, "secret.sql"), "3_abs.up.sql")
	link("shared/common.sql", "4_inside.up.sql")
	link("hop", "5_chain.up.sql") // hop is inside, but leads out
	link("../secret.sql", "hop")
	link("..", "parent")
	link("parent/secret.sql", "6_via_folder.up.sql") // through a linked folder
	link("shared/../../secret.sql", "7_dots.up.sql")
	link("loop_b", "8_loop.up.sql")
	link("loop_c", "loop_b")
	link("loop_b", "loop_c")
	link("inner_hop", "9_chain_inside.up.sql")
	link("shared/common.sql", "inner_hop")
	link("sharedlink/common.sql", "10_folder_inside.up.sql")
	link("shared", "sharedlink")
	link("shared/../1_a.up.sql", "11_dots_inside.up.sql")
	link("missing.sql", "12_dangling.up.sql")

	tests := []struct {
		name    string
		file    string
		outside bool
		content string // "" for a file that cannot be read
	}{
		{"plain file", "1_a.up.sql", false, "CREATE TABLE a ();"},
		{"link to a sibling", "1_a.down.sql", false, "CREATE TABLE a ();"},
		{"relative link out", "2_rel.up.sql", true, ""},
		{"absolute link out", "3_abs.up.sql", true, ""},
		{"link into a subfolder", "4_inside.up.sql", false, "COMMON"},
		{"chain of links out", "5_chain.up.sql", true, ""},
		{"through a linked parent folder", "6_via_folder.up.sql", true, ""},
		{"dots out", "7_dots.up.sql", true, ""},
		{"link loop (refused)", "8_loop.up.sql", true, ""},
		{"chain of links inside", "9_chain_inside.up.sql", false, "COMMON"},
		{"through a linked folder inside", "10_folder_inside.up.sql", false, "COMMON"},
		{"dots inside", "11_dots_inside.up.sql", false, "CREATE TABLE a ();"},
		{"dangling link inside", "12_dangling.up.sql", false, ""},
	}
	for _, form := range []struct {
		name string
		fsys fs.FS
		dir  string
	}{
		{"root", os.DirFS(migrations), "."},
		{"subfolder", os.DirFS(root), "migrations"},
	} {
		d := readDir(t, form.fsys, form.dir)
		outside := map[string]bool{}
		for _, f := range withCode(d.Findings, CodeLinkOutside) {
			if f.Severity != finding.Error {
				t.Errorf("FM011 severity %s, want error", f.Severity)
			}
			outside[f.File] = true
		}
		for _, tt := range tests {
			t.Run(form.name+"/"+tt.name, func(t *testing.T) {
				if outside[tt.file] != tt.outside {
					t.Errorf("FM011 for %s: %v, want %v (findings %+v)", tt.file, outside[tt.file], tt.outside, d.Findings)
				}
				f, status := ParseName(tt.file)
				if status != MigrationName {
					t.Fatal(status)
				}
				b, err := d.ReadFile(f)
				switch {
				case tt.outside:
					if err == nil {
						t.Fatalf("ReadFile followed %s out of the folder: %q", tt.file, b)
					}
					if strings.Contains(err.Error(), "SECRET") || !strings.Contains(err.Error(), "outside the migration folder") {
						t.Errorf("ReadFile error = %v", err)
					}
				case tt.content == "":
					if err == nil {
						t.Errorf("ReadFile = %q, want an error", b)
					}
				default:
					if err != nil || string(b) != tt.content {
						t.Errorf("ReadFile = %q, %v; want %q", b, err, tt.content)
					}
				}
			})
		}
		// golang-migrate itself runs the file behind every link.
		if len(d.Migrations) != 12 {
			t.Errorf("%s: %d versions, want 12 (links are migrations to golang-migrate)", form.name, len(d.Migrations))
		}
	}
}

func TestBefore(t *testing.T) {
	d, err := ReadDir(fstest.MapFS{
		"1_a.up.sql":  {Data: []byte("x")},
		"5_b.up.sql":  {Data: []byte("x")},
		"10_c.up.sql": {Data: []byte("x")},
	}, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		v    uint64
		want uint64
		ok   bool
	}{{1, 0, false}, {0, 0, false}, {5, 1, true}, {7, 5, true}, {10, 5, true}, {11, 10, true}} {
		m, ok := d.Before(c.v)
		if ok != c.ok || ok && m.Version != c.want {
			t.Errorf("Before(%d) = %d, %v; want %d, %v", c.v, m.Version, ok, c.want, c.ok)
		}
	}
}

func TestArchiveFolderIsQuiet(t *testing.T) {
	d, err := ReadDir(fstest.MapFS{
		"3_baseline.up.sql":         {Data: []byte("x")},
		"archive/1_a.up.sql":        {Data: []byte("x")},
		"old/2_b.up.sql":            {Data: []byte("x")},
		"archive/nested/2_b.up.sql": {Data: []byte("x")},
	}, ".")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, f := range d.Findings {
		if f.Code == CodeSubfolder {
			files = append(files, f.File)
		}
	}
	if len(files) != 1 || files[0] != "old/2_b.up.sql" {
		t.Fatalf("FM003 for %v, want only old/2_b.up.sql", files)
	}
}
