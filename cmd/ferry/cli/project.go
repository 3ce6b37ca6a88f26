package cli

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
)

// projectFlags are the flags every command takes to find a project.
type projectFlags struct {
	path     string
	source   string
	database string
	// databaseSet is true when --database was given, even empty: an empty
	// --database turns $DATABASE_URL off.
	databaseSet bool
}

func (p *projectFlags) bind(fs *pflag.FlagSet) {
	p.bindFolder(fs)
	fs.StringVar(&p.database, "database", "", "database URL in golang-migrate's spelling (default $DATABASE_URL)")
}

// bindFolder binds only the folder flags, for commands without a database.
func (p *projectFlags) bindFolder(fs *pflag.FlagSet) {
	fs.StringVar(&p.path, "path", "", "migration folder (golang-migrate's -path)")
	fs.StringVar(&p.source, "source", "", "migration source as file://DIR (golang-migrate's -source)")
}

// resolve records which flags were given; call it from the command's RunE.
func (p *projectFlags) resolve(fs *pflag.FlagSet) {
	p.databaseSet = fs.Changed("database")
}

// dir returns the migration folder the flags name; it must exist.
func (p *projectFlags) dir() (string, error) {
	var dir, flag string
	switch {
	case p.path != "" && p.source != "":
		return "", &UsageError{"give --path or --source, not both"}
	case p.path != "":
		dir, flag = p.path, "--path"
	case p.source != "":
		d, err := sourcePath(p.source)
		if err != nil {
			return "", err
		}
		dir, flag = d, "--source"
	default:
		return "", &UsageError{"no migration folder: pass --path DIR (or -path DIR, or --source file://DIR)"}
	}
	switch info, err := os.Stat(dir); {
	case err != nil:
		return "", fmt.Errorf("migration folder %s (%s) cannot be read: %w", dir, flag, err)
	case !info.IsDir():
		return "", fmt.Errorf("migration folder %s (%s) is a file, not a folder", dir, flag)
	}
	return dir, nil
}

// sourcePath turns a file:// source URL into a folder, as golang-migrate's
// file source does (relative paths are relative to the working directory).
func sourcePath(source string) (string, error) {
	if !strings.HasPrefix(source, "file://") {
		return "", &UsageError{"ferry reads only file:// sources (got " + source + "); use --path DIR"}
	}
	u, err := url.Parse(source)
	if err != nil {
		return "", &UsageError{"cannot parse --source: " + err.Error()}
	}
	p := u.Opaque
	if p == "" {
		p = u.Host + u.Path
	}
	if p == "" {
		return os.Getwd()
	}
	return filepath.Clean(p), nil
}

// databaseURL parses --database, or $DATABASE_URL when the flag is absent.
// It returns nil when neither is set.
func (p *projectFlags) databaseURL(e *env) (*compat.DatabaseURL, error) {
	raw := p.database
	if !p.databaseSet {
		raw = e.getenv("DATABASE_URL")
	}
	if raw == "" {
		return nil, nil
	}
	u, err := compat.ParseDatabaseURL(raw)
	if err != nil {
		return nil, err
	}
	u.FromEnv = !p.databaseSet
	e.urls = append(e.urls, u)
	return u, nil
}

// dialectOf returns the SQL dialect named by --dialect, or else the
// database's, or "" when neither is given.
func dialectOf(flag string, u *compat.DatabaseURL) (engine.Dialect, error) {
	if flag != "" {
		d, err := engine.ParseDialect(flag)
		if err != nil {
			return "", &UsageError{err.Error()}
		}
		return d, nil
	}
	if u != nil {
		return u.Dialect, nil
	}
	return "", nil
}
