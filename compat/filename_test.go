package compat

import (
	"errors"
	"strconv"
	"testing"

	"github.com/golang-migrate/migrate/v4/source"
)

func TestParseName(t *testing.T) {
	tests := []struct {
		name   string
		status NameStatus
		want   File // Name is filled in from name
	}{
		{"1_init.up.sql", MigrationName, File{Version: 1, VersionText: "1", Title: "init", Direction: Up, Ext: "sql"}},
		{"1_init.down.sql", MigrationName, File{Version: 1, VersionText: "1", Title: "init", Direction: Down, Ext: "sql"}},
		{"001_init.up.sql", MigrationName, File{Version: 1, VersionText: "001", Title: "init", Direction: Up, Ext: "sql"}},
		{"0_zero.up.sql", MigrationName, File{Version: 0, VersionText: "0", Title: "zero", Direction: Up, Ext: "sql"}},
		{"000_zero.down.sql", MigrationName, File{Version: 0, VersionText: "000", Title: "zero", Direction: Down, Ext: "sql"}},
		{"1_.up.sql", MigrationName, File{Version: 1, VersionText: "1", Title: "", Direction: Up, Ext: "sql"}},
		{"1_x.up.", MigrationName, File{Version: 1, VersionText: "1", Title: "x", Direction: Up, Ext: ""}},
		{"1_.up.", MigrationName, File{Version: 1, VersionText: "1", Direction: Up}},
		{"1_x.up.sql.bak", MigrationName, File{Version: 1, VersionText: "1", Title: "x", Direction: Up, Ext: "sql.bak"}},
		{"1_x.up.sql~", MigrationName, File{Version: 1, VersionText: "1", Title: "x", Direction: Up, Ext: "sql~"}},
		{"1_x.down.txt", MigrationName, File{Version: 1, VersionText: "1", Title: "x", Direction: Down, Ext: "txt"}},
		{"1_a.b.c.up.sql", MigrationName, File{Version: 1, VersionText: "1", Title: "a.b.c", Direction: Up, Ext: "sql"}},
		{"1_with space.up.sql", MigrationName, File{Version: 1, VersionText: "1", Title: "with space", Direction: Up, Ext: "sql"}},
		{"1_ünïcödé_日本.up.sql", MigrationName, File{Version: 1, VersionText: "1", Title: "ünïcödé_日本", Direction: Up, Ext: "sql"}},
		{"1__.down.sql", MigrationName, File{Version: 1, VersionText: "1", Title: "_", Direction: Down, Ext: "sql"}},
		// greedy: the title takes as much as it can, so the last .up./.down. wins
		{"1_a.up.down.sql", MigrationName, File{Version: 1, VersionText: "1", Title: "a.up", Direction: Down, Ext: "sql"}},
		{"1_a.down.up.sql", MigrationName, File{Version: 1, VersionText: "1", Title: "a.down", Direction: Up, Ext: "sql"}},
		{"1_a.up.sql.down.txt", MigrationName, File{Version: 1, VersionText: "1", Title: "a.up.sql", Direction: Down, Ext: "txt"}},
		{"1_a.up.up.", MigrationName, File{Version: 1, VersionText: "1", Title: "a.up", Direction: Up}},
		// the 64-bit boundaries
		{"18446744073709551615_max.up.sql", MigrationName, File{Version: 18446744073709551615, VersionText: "18446744073709551615", Title: "max", Direction: Up, Ext: "sql"}},
		{"018446744073709551615_max.up.sql", MigrationName, File{Version: 18446744073709551615, VersionText: "018446744073709551615", Title: "max", Direction: Up, Ext: "sql"}},
		{"9223372036854775807_x.up.sql", MigrationName, File{Version: 9223372036854775807, VersionText: "9223372036854775807", Title: "x", Direction: Up, Ext: "sql"}},
		{"9223372036854775808_x.up.sql", MigrationName, File{Version: 9223372036854775808, VersionText: "9223372036854775808", Title: "x", Direction: Up, Ext: "sql"}},
		{"000000000000000000001_x.up.sql", MigrationName, File{Version: 1, VersionText: "000000000000000000001", Title: "x", Direction: Up, Ext: "sql"}},
		{"18446744073709551616_x.up.sql", VersionOverflow, File{VersionText: "18446744073709551616", Title: "x", Direction: Up, Ext: "sql"}},
		{"99999999999999999999999_x.down.sql", VersionOverflow, File{VersionText: "99999999999999999999999", Title: "x", Direction: Down, Ext: "sql"}},
		// not migrations
		{"1_x.dow.sql", NotMigration, File{}},
		{"1_x.UP.sql", NotMigration, File{}},
		{"1-x.up.sql", NotMigration, File{}},
		{"v1_x.up.sql", NotMigration, File{}},
		{"1_x.sql", NotMigration, File{}},
		{".1_x.up.sql", NotMigration, File{}},
		{"1.up.sql", NotMigration, File{}},
		{"1_x.up", NotMigration, File{}},
		{"1_x.upsql", NotMigration, File{}},
		{"_1_x.up.sql", NotMigration, File{}},
		{"１_fullwidth.up.sql", NotMigration, File{}},
		{"1_a\nb.up.sql", NotMigration, File{}},
		{"1_ab.up.sql\n", NotMigration, File{}},
		{"1_ab.up.\n", NotMigration, File{}},
		{"", NotMigration, File{}},
		{"README.md", NotMigration, File{}},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.name), func(t *testing.T) {
			got, status := ParseName(tt.name)
			if status != tt.status {
				t.Fatalf("status = %v, want %v", status, tt.status)
			}
			want := tt.want
			want.Name = tt.name
			if got != want {
				t.Errorf("ParseName = %+v\nwant         %+v", got, want)
			}
			// golang-migrate agrees.
			m, err := source.Parse(tt.name)
			if (err == nil) != (status == MigrationName) {
				t.Errorf("golang-migrate source.Parse error = %v, ferry status %v", err, status)
			}
			if err == nil && (uint64(m.Version) != got.Version || m.Identifier != got.Title || string(m.Direction) != string(got.Direction)) {
				t.Errorf("golang-migrate parses %+v, ferry %+v", *m, got)
			}
			if status == VersionOverflow && errors.Is(err, source.ErrParse) {
				t.Errorf("golang-migrate does not match %q at all, ferry says the version overflows", tt.name)
			}
		})
	}
}

func TestNearMiss(t *testing.T) {
	const (
		lower     = "the direction must be written in lower case: .up. or .down."
		noV       = "the name must start with the version digits, without a \"v\""
		underline = "the version must be followed by \"_\""
		ending    = "the name must end in .up.EXT or .down.EXT"
		noDir     = "the name has no .up. or .down. part (expected VERSION_TITLE.up.sql / VERSION_TITLE.down.sql)"
		noDigits  = "the name must start with the version digits"
	)
	tests := []struct {
		name, want string
	}{
		{"1_x.UP.sql", lower},
		{"1_x.Down.sql", lower},
		{"1_X.DOWN.SQL", lower},
		{"v1_x.up.sql", noV},
		{"V20240102150405_x.down.sql", noV},
		{"1-x.up.sql", underline},
		{"1.up.sql", underline},
		{"1x.down.sql", underline},
		{"20240102150405-create.up.sql", underline},
		{"1_x.up", ending},
		{"1_x.down", ending},
		{"1_x.sql", noDir},
		{"1.sql", noDir},
		{"1_x.dow.sql", noDir},
		{"1_x_up.sql", noDir},
		{"x_1.up.sql", noDigits},
		{"create_users.down.sql", noDigits},
		// hidden files and unrelated files get no hint
		{".1_x.up.sql", ""},
		{".gitkeep", ""},
		{"", ""},
		{"README.md", ""},
		{"atlas.sum", ""},
		{"Makefile", ""},
		{"1", ""},
		{"notes.txt", ""},
		{"schema.sql", ""},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.name), func(t *testing.T) {
			if _, status := ParseName(tt.name); status != NotMigration {
				t.Fatalf("%q is not a near miss: golang-migrate reads it (status %v)", tt.name, status)
			}
			if got := nearMiss(tt.name); got != tt.want {
				t.Errorf("nearMiss(%q) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}

func TestBackupExt(t *testing.T) {
	tests := []struct {
		ext  string
		want bool
	}{
		{"sql", false},
		{"SQL", false},
		{"", false},
		{"txt", false},
		{"sql.gz", false},
		{"psql", false},
		{"sql~", true},
		{"~", true},
		{"sql.bak", true},
		{"bak", true},
		{"SQL.BAK", true},
		{"sql.orig", true},
		{"sql.old", true},
		{"sql.swp", true},
		{"sql.tmp", true},
		{"sql.rej", true},
		{"sql.backup", true},
		{"sql.copy", true},
		{"sqlbak", false},
		{"bak.sql", false},
		{"oldsql", false},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.ext), func(t *testing.T) {
			if got := backupExt(tt.ext); got != tt.want {
				t.Errorf("backupExt(%q) = %v, want %v", tt.ext, got, tt.want)
			}
		})
	}
}

// FuzzParseName checks ferry's file name rule against golang-migrate's own
// source.Parse: ferry reads a name as a migration exactly when golang-migrate
// does, with the same version, identifier and direction.
func FuzzParseName(f *testing.F) {
	for _, seed := range []string{
		"1_init.up.sql", "1_init.down.sql", "001_a.up.sql", "0_zero.up.sql", "1_.up.sql", "1_x.up.",
		"1_x.up.sql.bak", "1_x.up.sql~", "1_x.dow.sql", "1_x.UP.sql", "1-x.up.sql", "v1_x.up.sql",
		"1_x.sql", ".1_x.up.sql", "1_a\nb.up.sql", "1_ab.up.sql\n", "18446744073709551615_max.up.sql",
		"18446744073709551616_overflow.up.sql", "9223372036854775807_x.up.sql", "9223372036854775808_x.down.sql",
		"000000000000000000001_x.up.sql", "1_a.up.down.sql", "1_a.down.up.sql", "20240102150405_create.up.sql",
		"1_ünï cödé.down.sql", "1_\xff.up.sql", "", "_", "1", "１_x.up.sql", "1_x.up\r.sql",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got, status := ParseName(name)
		if got.Name != name {
			t.Fatalf("ParseName(%q).Name = %q", name, got.Name)
		}
		m, err := source.Parse(name)
		switch status {
		case MigrationName:
			if err != nil {
				t.Fatalf("ferry reads %q as a migration, golang-migrate refuses it: %v", name, err)
			}
			if uint64(m.Version) != got.Version || m.Identifier != got.Title || string(m.Direction) != string(got.Direction) || m.Raw != name {
				t.Fatalf("%q: golang-migrate %+v, ferry %+v", name, *m, got)
			}
			if v, err := strconv.ParseUint(got.VersionText, 10, 64); err != nil || v != got.Version {
				t.Fatalf("%q: VersionText %q does not spell version %d", name, got.VersionText, got.Version)
			}
			if want := got.VersionText + "_" + got.Title + "." + string(got.Direction) + "." + got.Ext; want != name {
				t.Fatalf("%q: the fields do not rebuild the name: %q", name, want)
			}
		case VersionOverflow:
			if err == nil || errors.Is(err, source.ErrParse) {
				t.Fatalf("ferry says the version of %q overflows, golang-migrate says %v", name, err)
			}
			if !source.Regex.MatchString(name) {
				t.Fatalf("ferry says the version of %q overflows, but golang-migrate's rule does not match it", name)
			}
		case NotMigration:
			if err == nil {
				t.Fatalf("golang-migrate reads %q as version %d %s, ferry ignores it", name, m.Version, m.Direction)
			}
			if got != (File{Name: name}) {
				t.Fatalf("ParseName(%q) = %+v for a name that is not a migration", name, got)
			}
		default:
			t.Fatalf("ParseName(%q) status %v", name, status)
		}
		// The hints never panic.
		_ = nearMiss(name)
		_ = backupExt(got.Ext)
	})
}
