package cachefs

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestReadsOnceAndForwardsLinks(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "1_a.up.sql")
	if err := os.WriteFile(p, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("1_a.up.sql", filepath.Join(dir, "link.sql")); err != nil {
		t.Fatal(err)
	}
	c := New(os.DirFS(dir))
	if b, err := fs.ReadFile(c, "1_a.up.sql"); err != nil || string(b) != "one" {
		t.Fatalf("first read: %q %v", b, err)
	}
	if err := os.WriteFile(p, []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, _ := fs.ReadFile(c, "1_a.up.sql"); string(b) != "one" {
		t.Fatalf("second read went to disk: %q", b)
	}
	if target, err := fs.ReadLink(c, "link.sql"); err != nil || target != "1_a.up.sql" {
		t.Fatalf("ReadLink = %q, %v", target, err)
	}
	if info, err := fs.Lstat(c, "link.sql"); err != nil || info.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("Lstat = %v, %v", info, err)
	}
	if entries, err := fs.ReadDir(c, "."); err != nil || len(entries) != 2 {
		t.Fatalf("ReadDir = %v, %v", entries, err)
	}
}
