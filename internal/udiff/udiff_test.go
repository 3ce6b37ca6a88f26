package udiff

import "testing"

func TestUnified(t *testing.T) {
	a := []string{"table a", "  x int", "table b", "  y int", "  z int", "q", "r", "s", "t", "u", "v", "w"}
	b := []string{"table a", "  x int", "table b", "  y bigint", "  z int", "q", "r", "s", "t", "u", "v", "w", "new"}
	got := Unified("old", "new", a, b, 3, func(l string) bool { return len(l) > 0 && l[0] != ' ' })
	want := "--- old\n+++ new\n@@ -1,7 +1,7 @@\n table a\n   x int\n table b\n-  y int\n+  y bigint\n   z int\n q\n r\n@@ -10,3 +10,4 @@\n u\n v\n w\n+new\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if d := Unified("a", "b", a, a, 3, nil); d != "" {
		t.Errorf("equal lists diff: %q", d)
	}
	if d := Unified("a", "b", nil, []string{"x"}, 3, nil); d != "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n" {
		t.Errorf("from empty: %q", d)
	}
}
