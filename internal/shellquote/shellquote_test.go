package shellquote

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

var words = map[string]string{
	"":                              "''",
	"migrations":                    "migrations",
	"/tmp/a b":                      "'/tmp/a b'",
	"it's":                          `'it'\''s'`,
	"postgres://u:xxxxx@h/db?x=1&y": "'postgres://u:xxxxx@h/db?x=1&y'",
	"sqlite:///tmp/app.db":          "sqlite:///tmp/app.db",
	"mysql://root@tcp(h:3306)/db":   "'mysql://root@tcp(h:3306)/db'",
	"$HOME \"x\" `y` \\ *":          "'$HOME \"x\" `y` \\ *'",
	"line\nbreak":                   "'line\nbreak'",
}

func TestQuote(t *testing.T) {
	for in, want := range words {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestCommandRoundTrip checks Command against Split and against a real
// POSIX shell: each word comes back exactly.
func TestCommandRoundTrip(t *testing.T) {
	var in []string
	for w := range words {
		in = append(in, w)
	}
	slices.Sort(in)
	line := Command(append([]string{"ferry", "doctor"}, in...)...)
	got, err := Split(line)
	if err != nil {
		t.Fatal(err)
	}
	if want := append([]string{"ferry", "doctor"}, in...); !slices.Equal(got, want) {
		t.Errorf("Split(Command(...)) = %q, want %q", got, want)
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	out, err := exec.Command(sh, "-c", "set -- "+line+`; for w in "$@"; do printf '%s\0' "$w"; done`).Output()
	if err != nil {
		t.Fatal(err)
	}
	shWords := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if !slices.Equal(shWords, got) {
		t.Errorf("sh reads %q, Split reads %q", shWords, got)
	}
}

func TestSplit(t *testing.T) {
	for _, c := range []struct {
		line string
		want []string
	}{
		{`ferry doctor --path migrations`, []string{"ferry", "doctor", "--path", "migrations"}},
		{`a "b c" 'd e'f\ g`, []string{"a", "b c", "d ef g"}},
		{`a "x\"y\\z\q"`, []string{"a", `x"y\z\q`}},
		{`a ''`, []string{"a", ""}},
	} {
		got, err := Split(c.line)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("Split(%q) = %q, %v; want %q", c.line, got, err, c.want)
		}
	}
	for _, bad := range []string{`a 'b`, `a "b`, `a $HOME`, `a b&`, `a (b)`, `a "$x"`, `a \`} {
		if _, err := Split(bad); err == nil {
			t.Errorf("Split(%q) succeeded", bad)
		}
	}
}
