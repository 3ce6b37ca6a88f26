package finding

import (
	"slices"
	"testing"
)

// TestSortOrdersVersionsAsNumbers: findings of one code list their files in
// the order golang-migrate runs them (1, 2, 10), not as text (1, 10, 2);
// findings without a version keep the file order.
func TestSortOrdersVersionsAsNumbers(t *testing.T) {
	fs := []Finding{
		{Code: "FM007", File: "10_j.up.sql", Version: "10"},
		{Code: "FM007", File: "2_b.up.sql", Version: "2"},
		{Code: "FM002", File: "b.sql"},
		{Code: "FM007", File: "1_a.up.sql", Version: "1"},
		{Code: "FM002", File: "a.sql"},
	}
	Sort(fs)
	var got []string
	for _, f := range fs {
		got = append(got, f.File)
	}
	if want := []string{"a.sql", "b.sql", "1_a.up.sql", "2_b.up.sql", "10_j.up.sql"}; !slices.Equal(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
}
