package refusal_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/ferrymigrate/ferry/refusal"
)

func TestError(t *testing.T) {
	sentinel := errors.New("sentinel")
	cases := []struct {
		name string
		r    *refusal.Refusal
		want string
	}{
		{"reason only", &refusal.Refusal{Reason: "no version"}, "no version"},
		{"command", &refusal.Refusal{Reason: "dirty", Next: refusal.Run("ferry", "doctor", "--path", "db/migrations")},
			"dirty; next: ferry doctor --path db/migrations"},
		{"quoted words", &refusal.Refusal{Reason: "ahead", Next: refusal.Run("ferry", "drift", "--database", "postgres://u@h/db?sslmode=disable", "--path", "my dir")},
			"ahead; next: ferry drift --database 'postgres://u@h/db?sslmode=disable' --path 'my dir'"},
		{"text around commands", &refusal.Refusal{Reason: "gone", Next: refusal.Say("restore the file (").Run("git", "log", "--all", "--", "*3_*.up.sql").Say(") or fix --path")},
			"gone; next: restore the file (git log --all -- '*3_*.up.sql') or fix --path"},
		{"with a sentinel", &refusal.Refusal{Reason: "not empty", Next: refusal.Say("choose another folder"), Err: sentinel},
			"not empty; next: choose another folder"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.r.Error(); got != c.want {
				t.Errorf("Error() = %q, want %q", got, c.want)
			}
			if !errors.Is(c.r, sentinel) != (c.r.Err == nil) {
				t.Errorf("errors.Is(sentinel) = %v with Err %v", errors.Is(c.r, sentinel), c.r.Err)
			}
		})
	}
}

func TestNextIsAValue(t *testing.T) {
	base := refusal.Run("ferry", "doctor")
	a := base.Say(" shows the evidence")
	b := base.Run("ferry", "convert")
	if got := base.String(); got != "ferry doctor" {
		t.Errorf("base changed to %q", got)
	}
	if got := a.String(); got != "ferry doctor shows the evidence" {
		t.Errorf("a = %q", got)
	}
	if got := b.String(); got != "ferry doctorferry convert" {
		t.Errorf("b = %q", got)
	}
	words := []string{"ferry", "status"}
	n := refusal.Run(words...)
	words[1] = "changed"
	if got := n.Commands(); len(got) != 1 || !slices.Equal(got[0], refusal.Command{"ferry", "status"}) {
		t.Errorf("Commands() = %q, want the words as given", got)
	}
	if !(refusal.Next{}).IsZero() || n.IsZero() {
		t.Error("IsZero is wrong")
	}
}
