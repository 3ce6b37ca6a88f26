package atlassum_test

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/atlassum"
)

// tenThousand writes a folder of 10,000 up and 10,000 down files of about
// 600 bytes each.
func tenThousand(b *testing.B) (string, int64) {
	b.Helper()
	dir := b.TempDir()
	var size int64
	for i := 1; i <= 10000; i++ {
		up := fmt.Sprintf("CREATE TABLE t_%06d (\n  id bigint PRIMARY KEY,\n  note text NOT NULL DEFAULT 'x'\n);\n%s", i, strings.Repeat("-- padding line to make the file realistic\n", 12))
		name := fmt.Sprintf("%06d_create_t_%d", i, i)
		if err := os.WriteFile(filepath.Join(dir, name+".up.sql"), []byte(up), 0o644); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".down.sql"), []byte("DROP TABLE t;\n"), 0o644); err != nil {
			b.Fatal(err)
		}
		size += int64(len(up))
	}
	return dir, size
}

// BenchmarkComputeSum hashes a 10,000-file folder; BenchmarkReadAndHash is
// the floor: reading the same files and hashing their bytes, nothing else.
func BenchmarkComputeSum(b *testing.B) {
	dir, size := tenThousand(b)
	fsys := os.DirFS(dir)
	b.Run("ferry", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			s, err := atlassum.Compute(fsys, ".")
			if err != nil || len(s.Files) != 10000 {
				b.Fatalf("%v, %d files", err, len(s.Files))
			}
		}
	})
	b.Run("read+sha256 floor", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			entries, err := os.ReadDir(dir)
			if err != nil {
				b.Fatal(err)
			}
			h := sha256.New()
			for _, e := range entries {
				if !strings.HasSuffix(e.Name(), ".up.sql") {
					continue
				}
				data, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err != nil {
					b.Fatal(err)
				}
				h.Write(data)
			}
		}
	})
}
