package testdb

import (
	"database/sql"
	"os"
	"testing"
	"time"

	"github.com/ferrymigrate/ferry/atlassum"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/convert"
	"github.com/ferrymigrate/ferry/database"
	"github.com/ferrymigrate/ferry/folder"
)

// Convert turns golang-migrate's history in the database behind h into
// revision rows with ferry's library, as ferry convert does: folder.Load of
// dir (which must hold atlas.sum), convert.Prepare, then convert.Write,
// waiting up to lockWait for golang-migrate's lock. operator is recorded in
// the rows. Any error fails the test.
func Convert(t testing.TB, h *sql.DB, u *compat.DatabaseURL, dir, operator string, lockWait time.Duration) {
	t.Helper()
	p, err := folder.Load(os.DirFS(dir), dir)
	if err != nil {
		t.Fatalf("convert: load %s: %v", dir, err)
	}
	on := database.Wrap(h, u)
	plan, err := convert.Prepare(t.Context(), on, p, convert.Options{Now: time.Now(), OperatorVersion: operator})
	if err != nil {
		t.Fatalf("convert: %v", err)
	}
	if err := convert.Write(t.Context(), on, plan, lockWait); err != nil {
		t.Fatalf("convert: %v", err)
	}
}

// Hash writes dir's atlas.sum with ferry's own atlassum package, as ferry
// hash does (WriteSum, by contrast, computes it independently of ferry).
// Any error fails the test.
func Hash(t testing.TB, dir string) {
	t.Helper()
	sum, err := atlassum.Compute(os.DirFS(dir), ".")
	if err != nil {
		t.Fatalf("hash %s: %v", dir, err)
	}
	if _, err := atlassum.WriteFile(dir, sum); err != nil {
		t.Fatalf("hash %s: %v", dir, err)
	}
}
