package doctor

import "testing"

func TestStatementList(t *testing.T) {
	for _, c := range []struct {
		ks   []int
		want string
	}{
		{[]int{2}, "statement 2"},
		{[]int{3, 2, 1}, "statements 3 to 1"},
		{[]int{5, 4, 2}, "statements 5 to 4 and 2"},
		{[]int{5, 3, 1}, "statements 5, 3 and 1"},
	} {
		if got := statementList(c.ks); got != c.want {
			t.Errorf("statementList(%v) = %q, want %q", c.ks, got, c.want)
		}
	}
}
