package shellquote

import "testing"

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"":                              "''",
		"migrations":                    "migrations",
		"/tmp/a b":                      "'/tmp/a b'",
		"it's":                          `'it'\''s'`,
		"postgres://u:xxxxx@h/db?x=1&y": "'postgres://u:xxxxx@h/db?x=1&y'",
		"sqlite:///tmp/app.db":          "sqlite:///tmp/app.db",
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}
