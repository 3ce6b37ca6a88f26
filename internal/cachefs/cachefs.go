// Package cachefs wraps an fs.FS so that each file is read from disk once:
// the folder reader, the sum and the splitter all read every migration file.
package cachefs

import (
	"errors"
	"io/fs"
	"sync"
)

// FS caches ReadFile results of the wrapped file system. It is safe for
// concurrent use. Files are assumed not to change while it is in use.
type FS struct {
	fsys  fs.FS
	mu    sync.Mutex
	files map[string][]byte
}

// New wraps fsys.
func New(fsys fs.FS) *FS { return &FS{fsys: fsys, files: map[string][]byte{}} }

// Open opens a file of the wrapped file system (uncached).
func (c *FS) Open(name string) (fs.File, error) { return c.fsys.Open(name) }

// ReadFile returns the file's bytes, reading it once. Callers must not
// modify the returned slice.
func (c *FS) ReadFile(name string) ([]byte, error) {
	c.mu.Lock()
	b, ok := c.files[name]
	c.mu.Unlock()
	if ok {
		return b, nil
	}
	b, err := fs.ReadFile(c.fsys, name)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.files[name] = b
	c.mu.Unlock()
	return b, nil
}

// ReadDir reads a directory of the wrapped file system.
func (c *FS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(c.fsys, name) }

// Stat describes a file of the wrapped file system.
func (c *FS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(c.fsys, name) }

// errNoLinks is returned when the wrapped file system cannot read links.
var errNoLinks = errors.New("the file system does not support links")

// ReadLink forwards to the wrapped file system, so that link checks keep
// working through the cache.
func (c *FS) ReadLink(name string) (string, error) {
	if rl, ok := c.fsys.(fs.ReadLinkFS); ok {
		return rl.ReadLink(name)
	}
	return "", &fs.PathError{Op: "readlink", Path: name, Err: errNoLinks}
}

// Lstat forwards to the wrapped file system.
func (c *FS) Lstat(name string) (fs.FileInfo, error) {
	if rl, ok := c.fsys.(fs.ReadLinkFS); ok {
		return rl.Lstat(name)
	}
	return fs.Stat(c.fsys, name)
}
