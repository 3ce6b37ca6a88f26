package lint

import (
	"fmt"
	"slices"
	"testing"

	"github.com/ferrymigrate/ferry/engine"
)

func TestDirectiveArgs(t *testing.T) {
	for _, tc := range []struct {
		comment string
		ok      bool
		args    []string
	}{
		{"-- ferry:nolint", true, nil},
		{"--atlas:nolint DS101", true, []string{"DS101"}},
		{"# atlas:nolint destructive", true, []string{"destructive"}},
		{"/* ferry:nolint DS103, MF103 */", true, []string{"DS103", "MF103"}},
		{"/* ferry:nolint DS103\n more text */", true, []string{"DS103"}},
		{"-- ferry:nolintx", false, nil},
		{"-- see ferry:nolint", false, nil},
		{"-- atlas:lint", false, nil},
	} {
		t.Run(tc.comment, func(t *testing.T) {
			args, ok := directiveArgs(tc.comment)
			if ok != tc.ok || !slices.Equal(args, tc.args) {
				t.Errorf("directiveArgs(%q) = %q, %v; want %q, %v", tc.comment, args, ok, tc.args, tc.ok)
			}
		})
	}
}

func TestFileComments(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []string
	}{
		{"-- atlas:nolint\n\nDROP TABLE t;", []string{"-- atlas:nolint"}},
		{"-- atlas:nolint\r\n\r\nDROP TABLE t;", []string{"-- atlas:nolint"}},
		{"-- a\n-- ferry:nolint DS102\n  \nDROP TABLE t;", []string{"-- a", "-- ferry:nolint DS102"}},
		{"-- ferry:nolint\nDROP TABLE t;", nil},
		{"\n-- ferry:nolint\n\nDROP TABLE t;", nil},
		{"DROP TABLE t;", nil},
	} {
		t.Run(fmt.Sprintf("%q", tc.src), func(t *testing.T) {
			if got := fileComments(engine.Postgres, tc.src); !slices.Equal(got, tc.want) {
				t.Errorf("fileComments = %q, want %q", got, tc.want)
			}
		})
	}
}
