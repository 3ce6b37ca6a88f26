package compat

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/ferrymigrate/ferry/finding"
)

// Migration is one version of a project: its up file, its down file, or both.
type Migration struct {
	Version     uint64
	VersionText string // as written in the up file's name (the down file's when there is no up file)
	Title       string // from the up file (the down file's when there is no up file)
	Up          *File
	Down        *File
}

// Directory is a golang-migrate migration folder as golang-migrate reads it.
type Directory struct {
	// Migrations in numeric version order, as golang-migrate applies them.
	Migrations []Migration
	// Files golang-migrate accepts, in file name order.
	Files []File
	// Scheme is the numbering scheme of the versions.
	Scheme Scheme
	// Duplicates lists every file that golang-migrate refuses because another
	// file already has its version and direction, in file name order.
	Duplicates []DuplicateError
	// Findings about what golang-migrate silently ignores or silently accepts.
	Findings []finding.Finding

	fsys   fs.FS
	dir    string
	unsafe map[string]string // file name -> why ferry will not read it
}

// DuplicateError is golang-migrate's refusal of a folder in which two files
// have the same version and direction.
type DuplicateError struct {
	File      string // the file golang-migrate names: the later one in name order
	First     string // the file that already had the version and direction
	Version   uint64
	Direction Direction
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("duplicate migration file: %s (version %d %s is already given by %s)", e.File, e.Version, e.Direction, e.First)
}

// ArchiveFolder is where ferry baseline --replace moves the files a baseline
// replaces; like golang-migrate, the reader ignores it, without a finding.
const ArchiveFolder = "archive"

// Finding codes of the directory reader; see docs/findings.md.
const (
	CodeNearMiss        = "FM001"
	CodeOddExtension    = "FM002"
	CodeSubfolder       = "FM003"
	CodeVersionOverflow = "FM004"
	CodeVersionSigned   = "FM005"
	CodeDuplicate       = "FM006"
	CodeUpWithoutDown   = "FM007"
	CodeDownWithoutUp   = "FM008"
	CodeMixedScheme     = "FM009"
	CodeEmptyFile       = "FM010"
	CodeLinkOutside     = "FM011"
	CodeNoMigrations    = "FM012"
	CodeVersionSpelling = "FM013"
)

// ReadDir reads the migration folder dir of fsys (use "." for the root) the way
// golang-migrate's file and iofs sources do: only top-level entries, only names
// matching VERSION_TITLE.up|down.EXT, versions compared as unsigned 64-bit
// numbers. It never fails because of a duplicate: duplicates are listed in
// Duplicates and Err returns the error golang-migrate would return. The
// returned error is for I/O failures only (a missing folder, say).
func ReadDir(fsys fs.FS, dir string) (*Directory, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migration folder: %w", err)
	}
	d := &Directory{fsys: fsys, dir: dir, unsafe: map[string]string{}}
	byVersion := map[uint64]*Migration{}
	type key struct {
		v uint64
		d Direction
	}
	taken := map[key]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			if name != ArchiveFolder {
				d.checkSubfolder(name)
			}
			continue
		}
		f, status := ParseName(name)
		switch status {
		case NotMigration:
			if why := nearMiss(name); why != "" {
				if strings.HasSuffix(name, ".up.sql") {
					// Atlas's golang-migrate format reads every *.up.sql file.
					why += "; Atlas reads it as an up migration all the same (and atlas.sum covers it), so the two tools disagree"
				}
				d.add(finding.Warning, CodeNearMiss, name, "",
					fmt.Sprintf("golang-migrate ignores %s: %s", name, why))
			}
			continue
		case VersionOverflow:
			d.add(finding.Error, CodeVersionOverflow, name, f.VersionText,
				fmt.Sprintf("golang-migrate silently ignores %s: its version does not fit in 64 bits (at most %d)", name, uint64(math.MaxUint64)))
			continue
		}
		k := key{f.Version, f.Direction}
		if first, dup := taken[k]; dup {
			dupErr := DuplicateError{File: name, First: first, Version: f.Version, Direction: f.Direction}
			d.Duplicates = append(d.Duplicates, dupErr)
			fix := "renumber one of them"
			if backupExt(f.Ext) {
				fix = "delete " + name + ", which looks like a backup or editor copy"
			}
			d.add(finding.Error, CodeDuplicate, name, f.VersionText,
				fmt.Sprintf("golang-migrate refuses the whole folder: %s and %s are both the %s migration of version %d; %s", first, name, f.Direction, f.Version, fix))
			continue
		}
		taken[k] = name
		d.Files = append(d.Files, f)
		d.checkFile(e, f)

		m := byVersion[f.Version]
		if m == nil {
			m = &Migration{Version: f.Version, VersionText: f.VersionText, Title: f.Title}
			byVersion[f.Version] = m
		}
		file := f
		if f.Direction == Up {
			m.Up = &file
			m.VersionText, m.Title = f.VersionText, f.Title
		} else {
			m.Down = &file
		}
	}
	for _, m := range byVersion {
		d.Migrations = append(d.Migrations, *m)
	}
	slices.SortFunc(d.Migrations, func(a, b Migration) int { return cmp.Compare(a.Version, b.Version) })
	d.checkMigrations()
	d.Scheme = DetectScheme(d.versionTexts())
	if d.Scheme == SchemeMixed {
		d.add(finding.Warning, CodeMixedScheme, "", "",
			"versions mix numbering schemes ("+describeMix(d.versionTexts())+"); golang-migrate orders them as plain numbers, so files of the shorter scheme run first whatever their date")
	}
	finding.Sort(d.Findings)
	return d, nil
}

// Err returns the error golang-migrate returns when it opens this folder:
// the first duplicate in file name order, or nil.
func (d *Directory) Err() error {
	if len(d.Duplicates) == 0 {
		return nil
	}
	return &d.Duplicates[0]
}

func byVersion(m Migration, v uint64) int { return cmp.Compare(m.Version, v) }

// Problem describes why the folder cannot be worked with: golang-migrate's
// refusal to open it, or the first error finding. It returns "" for a folder
// without errors.
func (d *Directory) Problem() string {
	if err := d.Err(); err != nil {
		return "golang-migrate cannot open the folder: " + err.Error()
	}
	for _, f := range d.Findings {
		if f.Severity == finding.Error {
			return fmt.Sprintf("%s %s: %s", f.Code, f.File, f.Message)
		}
	}
	return ""
}

// Lookup returns the migration with version v.
func (d *Directory) Lookup(v uint64) (Migration, bool) {
	i, ok := slices.BinarySearchFunc(d.Migrations, v, byVersion)
	if !ok {
		return Migration{}, false
	}
	return d.Migrations[i], true
}

// After returns the migrations with a version above v, in order.
func (d *Directory) After(v uint64) []Migration {
	i := 0
	for i < len(d.Migrations) && d.Migrations[i].Version <= v {
		i++
	}
	return d.Migrations[i:]
}

// Before returns the migration just below version v, if any.
func (d *Directory) Before(v uint64) (Migration, bool) {
	i, _ := slices.BinarySearchFunc(d.Migrations, v, byVersion)
	if i == 0 {
		return Migration{}, false
	}
	return d.Migrations[i-1], true
}

// ReadFile returns the bytes of an accepted migration file. It refuses a file
// that is a link pointing out of the migration folder.
func (d *Directory) ReadFile(f File) ([]byte, error) {
	if why, bad := d.unsafe[f.Name]; bad {
		return nil, fmt.Errorf("read %s: %s", f.Name, why)
	}
	b, err := fs.ReadFile(d.fsys, path.Join(d.dir, f.Name))
	if err != nil {
		return nil, fmt.Errorf("read migration file: %w", err)
	}
	return b, nil
}

func (d *Directory) add(sev finding.Severity, code, file, version, msg string) {
	d.Findings = append(d.Findings, finding.Finding{Code: code, Severity: sev, Message: msg, File: file, Version: version})
}

func (d *Directory) versionTexts() []string {
	out := make([]string, len(d.Migrations))
	for i, m := range d.Migrations {
		out[i] = m.VersionText
	}
	return out
}

// checkSubfolder reports migration-like files below a subfolder, which
// golang-migrate never reads.
func (d *Directory) checkSubfolder(name string) {
	sub := path.Join(d.dir, name)
	_ = fs.WalkDir(d.fsys, sub, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return nil
		}
		if _, status := ParseName(e.Name()); status != NotMigration {
			rel := strings.TrimPrefix(p, d.dir+"/")
			if d.dir == "." {
				rel = p
			}
			d.add(finding.Warning, CodeSubfolder, rel, "",
				fmt.Sprintf("golang-migrate reads only the top level of the migration folder: %s is never run", rel))
		}
		return nil
	})
}

// checkFile reports what golang-migrate silently accepts in one file.
func (d *Directory) checkFile(e fs.DirEntry, f File) {
	if f.Version > math.MaxInt64 {
		d.add(finding.Error, CodeVersionSigned, f.Name, f.VersionText,
			fmt.Sprintf("version %d of %s is above %d: golang-migrate keeps versions in a signed 64-bit column and computes with signed integers, so it cannot apply or record it", f.Version, f.Name, int64(math.MaxInt64)))
	}
	if f.Ext != "sql" {
		if backupExt(f.Ext) {
			d.add(finding.Error, CodeOddExtension, f.Name, f.VersionText,
				fmt.Sprintf("golang-migrate runs %s as the %s migration of version %d, but it looks like a backup or editor copy; delete it or move it out of the folder", f.Name, f.Direction, f.Version))
		} else if f.Direction == Up {
			d.add(finding.Warning, CodeOddExtension, f.Name, f.VersionText,
				fmt.Sprintf("golang-migrate runs %s as the up migration of version %d although its extension is %q, not \"sql\"; Atlas reads only *.up.sql files as up migrations, so atlas.sum leaves it out, Atlas never runs it and ferry cannot record it: rename it to %s (ferry rebase --fix-names renames every such file)", f.Name, f.Version, f.Ext, f.SQLName()))
		} else {
			d.add(finding.Warning, CodeOddExtension, f.Name, f.VersionText,
				fmt.Sprintf("golang-migrate runs %s as the down migration of version %d although its extension is %q, not \"sql\"; rename it to %s (ferry rebase --fix-names renames every such file)", f.Name, f.Version, f.Ext, f.SQLName()))
		}
	}
	if e.Type()&fs.ModeSymlink != 0 {
		d.checkLink(f)
		return
	}
	info, err := e.Info()
	if err != nil {
		return
	}
	if info.Size() == 0 || (info.Size() <= 4096 && d.blank(f)) {
		d.add(finding.Warning, CodeEmptyFile, f.Name, f.VersionText,
			fmt.Sprintf("%s is empty: golang-migrate records version %d without running anything (MySQL rejects an empty query and leaves the database dirty)", f.Name, f.Version))
	}
}

func (d *Directory) blank(f File) bool {
	b, err := fs.ReadFile(d.fsys, path.Join(d.dir, f.Name))
	return err == nil && strings.TrimFunc(string(b), unicode.IsSpace) == ""
}

// checkLink refuses links that lead out of the migration folder: directly,
// through further links, or through a linked folder on the way.
func (d *Directory) checkLink(f File) {
	rl, ok := d.fsys.(fs.ReadLinkFS)
	if !ok {
		return
	}
	target, err := rl.ReadLink(path.Join(d.dir, f.Name))
	if err != nil {
		d.unsafe[f.Name] = "cannot read the link: " + err.Error()
		return
	}
	if !d.staysInside(rl, f.Name) {
		why := fmt.Sprintf("it is a link to %s, which leads outside the migration folder", target)
		d.unsafe[f.Name] = why
		d.add(finding.Error, CodeLinkOutside, f.Name, f.VersionText,
			fmt.Sprintf("golang-migrate follows %s (a link to %s) outside the migration folder; ferry will not read it: copy the file into the folder", f.Name, target))
	}
}

// staysInside reports whether resolving name, relative to the migration
// folder, never leaves the folder: every link met on the way (the file itself,
// links it points to, linked folders) must stay inside. Absolute targets count
// as outside.
func (d *Directory) staysInside(rl fs.ReadLinkFS, name string) bool {
	pending := strings.Split(name, "/") // components still to resolve
	var done []string                   // resolved components below d.dir
	for hops := 0; len(pending) > 0; {
		c := pending[0]
		pending = pending[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(done) == 0 {
				return false
			}
			done = done[:len(done)-1]
			continue
		}
		p := path.Join(d.dir, path.Join(append(done, c)...))
		info, err := rl.Lstat(p)
		if err != nil || info.Mode()&fs.ModeSymlink == 0 {
			done = append(done, c) // a plain entry, or nothing: no link to follow
			continue
		}
		if hops++; hops > 40 {
			return false // a loop, or a longer chain than any OS follows: refuse it
		}
		raw, err := rl.ReadLink(p)
		if err != nil {
			return false
		}
		target := filepath.ToSlash(raw)
		if path.IsAbs(target) || filepath.IsAbs(raw) || filepath.VolumeName(raw) != "" {
			return false
		}
		pending = append(strings.Split(target, "/"), pending...)
	}
	return true
}

// checkMigrations reports per-version findings.
func (d *Directory) checkMigrations() {
	if len(d.Migrations) == 0 {
		d.add(finding.Warning, CodeNoMigrations, "", "", "the folder has no migration files (VERSION_TITLE.up.sql / VERSION_TITLE.down.sql)")
		return
	}
	for _, m := range d.Migrations {
		switch {
		case m.Up == nil:
			d.add(finding.Warning, CodeDownWithoutUp, m.Down.Name, m.VersionText,
				fmt.Sprintf("version %d has a down file but no up file: golang-migrate records version %d on the way up without running anything", m.Version, m.Version))
		case m.Down == nil:
			d.add(finding.Info, CodeUpWithoutDown, m.Up.Name, m.VersionText,
				fmt.Sprintf("version %d has no down file: golang-migrate steps down through it without running anything", m.Version))
		case m.Up.VersionText != m.Down.VersionText:
			d.add(finding.Info, CodeVersionSpelling, m.Down.Name, m.VersionText,
				fmt.Sprintf("%s and %s write version %d differently (%s, %s); golang-migrate treats them as one version", m.Up.Name, m.Down.Name, m.Version, m.Up.VersionText, m.Down.VersionText))
		}
	}
}

// IsDuplicate reports whether err is golang-migrate's duplicate-file refusal.
func IsDuplicate(err error) bool {
	var d *DuplicateError
	return errors.As(err, &d)
}

func describeMix(texts []string) string {
	counts := map[Scheme]int{}
	for _, t := range texts {
		counts[classify(t)]++
	}
	var parts []string
	for _, s := range []Scheme{SchemeTimestamp, SchemeUnix, SchemeUnixMillis, SchemeUnixNanos, SchemePadded, SchemeSequence} {
		if n := counts[s]; n > 0 {
			parts = append(parts, strconv.Itoa(n)+" "+s.Describe())
		}
	}
	return strings.Join(parts, ", ")
}
