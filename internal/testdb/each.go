package testdb

import (
	"testing"
	"time"
)

// ForEach runs fn once per dialect, each in a parallel subtest of t named
// after the dialect: the loop every multi-engine test opens with.
func ForEach(t *testing.T, dialects []string, fn func(t *testing.T, dialect string)) {
	t.Helper()
	for _, dialect := range dialects {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			fn(t, dialect)
		})
	}
}

// WaitZero polls count every interval until it returns 0, and fails the test
// when count fails or 30 seconds pass first. Tests that kill ferry mid-run
// use it to wait until the server has rolled back what the dead session left
// (count is then the busy sessions, open transactions or held locks).
func WaitZero(t testing.TB, interval time.Duration, count func() (int, error)) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := count()
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a dead ferry's session is still busy after 30s")
		}
		time.Sleep(interval)
	}
}
