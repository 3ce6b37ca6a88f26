package engine

import (
	"strings"
	"testing"
)

func TestPGObjectName(t *testing.T) {
	for _, tc := range []struct{ name1, name2, label, want string }{
		{"users", "org_id", "fkey", "users_org_id_fkey"},
		{"t", "", "pkey", "t_pkey"},
		{strings.Repeat("a", 40), strings.Repeat("b", 40), "fkey", strings.Repeat("a", 29) + "_" + strings.Repeat("b", 28) + "_fkey"},
		{strings.Repeat("a", 60), "b", "fkey", strings.Repeat("a", 56) + "_b_fkey"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			got := objectName(63, tc.name1, tc.name2, tc.label)
			if got != tc.want || len(got) > 63 {
				t.Errorf("pgObjectName(%q, %q, %q) = %q (%d bytes), want %q", tc.name1, tc.name2, tc.label, got, len(got), tc.want)
			}
		})
	}
}
