// Package compat reads golang-migrate projects exactly as golang-migrate does:
// migration directories, database URLs, the schema_migrations table and the
// advisory lock keys. It never writes and never prints.
package compat

import (
	"regexp"
	"strconv"
	"strings"
)

// Direction is the direction of a migration file.
type Direction string

// Directions, spelled as in file names.
const (
	Up   Direction = "up"
	Down Direction = "down"
)

// migrationName is golang-migrate's file name rule (source.Regex):
// VERSION_TITLE.DIRECTION.EXT, where the title and extension may be empty and
// neither may contain a newline.
var migrationName = regexp.MustCompile(`^([0-9]+)_(.*)\.(down|up)\.(.*)$`)

// File is one migration file as golang-migrate sees it.
type File struct {
	Name        string    // base name, e.g. "000042_add_users.up.sql"
	Version     uint64    // numeric version, leading zeros dropped
	VersionText string    // version exactly as written, e.g. "000042"
	Title       string    // golang-migrate's "identifier": the part between "_" and the direction
	Direction   Direction // Up or Down
	Ext         string    // everything after the direction, e.g. "sql" or "sql.bak"
}

// NameStatus tells what golang-migrate makes of a file name.
type NameStatus int

// Name statuses.
const (
	// NotMigration: the name does not match the rule; golang-migrate ignores it.
	NotMigration NameStatus = iota
	// MigrationName: golang-migrate reads the file as a migration.
	MigrationName
	// VersionOverflow: the name matches but the version does not fit in 64
	// bits; golang-migrate silently ignores the file.
	VersionOverflow
)

// ParseName applies golang-migrate's file name rule to a base name. It accepts
// and rejects exactly what golang-migrate's source.Parse accepts and rejects;
// for NotMigration and VersionOverflow the returned File is zero except for
// Name (and, for VersionOverflow, VersionText, Title, Direction and Ext).
func ParseName(name string) (File, NameStatus) {
	m := migrationName.FindStringSubmatch(name)
	if m == nil {
		return File{Name: name}, NotMigration
	}
	f := File{Name: name, VersionText: m[1], Title: m[2], Direction: Direction(m[3]), Ext: m[4]}
	v, err := strconv.ParseUint(m[1], 10, 64)
	if err != nil {
		return f, VersionOverflow
	}
	f.Version = v
	return f, MigrationName
}

// AtlasReadsUp reports whether Atlas reads the file as an up migration.
// Atlas's golang-migrate directory format takes exactly the files matching
// *.up.sql, and its atlas.sum covers only those; golang-migrate reads any
// extension. Since golang-migrate's title is greedy, an accepted up file
// ends in ".up.sql" exactly when its extension is "sql": every up file
// with another extension ("2_b.up..sql", "2_b.up.SQL", "2_b.up.txt",
// "2_b.up.", "2_b.up.sql.bak") is run by golang-migrate and skipped by
// Atlas. Down files are never read by Atlas's format.
func (f File) AtlasReadsUp() bool { return f.Direction == Up && f.Ext == "sql" }

// SQLName is the file's name with the extension "sql": golang-migrate reads
// it as the same version, title and direction, and, for an up file, Atlas
// reads it too (AtlasReadsUp).
func (f File) SQLName() string {
	return f.VersionText + "_" + f.Title + "." + string(f.Direction) + ".sql"
}

// LooksLikeBackup reports whether an extension looks like an editor or
// merge-tool copy ("sql.bak", "sql.orig", "sql~"): such a file is deleted,
// not renamed.
func LooksLikeBackup(ext string) bool { return backupExt(ext) }

// nearMiss explains why a name that golang-migrate ignores was probably meant
// to be a migration, or returns "" when it does not look like one.
func nearMiss(name string) string {
	if name == "" || name[0] == '.' {
		return "" // hidden files: editor swap files, .gitkeep
	}
	lower := strings.ToLower(name)
	if migrationName.MatchString(lower) {
		return "the direction must be written in lower case: .up. or .down."
	}
	if len(lower) > 1 && lower[0] == 'v' && migrationName.MatchString(lower[1:]) {
		return "the name must start with the version digits, without a \"v\""
	}
	digits := len(lower) - len(strings.TrimLeft(lower, "0123456789"))
	rest := lower[digits:]
	hasDirection := strings.Contains(lower, ".up.") || strings.Contains(lower, ".down.") ||
		strings.HasSuffix(lower, ".up") || strings.HasSuffix(lower, ".down")
	switch {
	case digits > 0 && rest != "" && rest[0] != '_' && hasDirection:
		return "the version must be followed by \"_\""
	case digits > 0 && hasDirection:
		return "the name must end in .up.EXT or .down.EXT"
	case digits > 0 && strings.HasSuffix(lower, ".sql"):
		return "the name has no .up. or .down. part (expected VERSION_TITLE.up.sql / VERSION_TITLE.down.sql)"
	case digits == 0 && hasDirection && strings.HasSuffix(lower, ".sql"):
		return "the name must start with the version digits"
	}
	return ""
}

// backupExt reports whether an accepted file's extension looks like an
// editor or merge-tool copy rather than a migration.
func backupExt(ext string) bool {
	lower := strings.ToLower(ext)
	if strings.HasSuffix(lower, "~") {
		return true
	}
	for _, s := range []string{".bak", ".orig", ".old", ".swp", ".tmp", ".rej", ".backup", ".copy"} {
		if strings.HasSuffix("."+lower, s) {
			return true
		}
	}
	return false
}
