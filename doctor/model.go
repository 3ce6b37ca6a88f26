package doctor

import (
	"fmt"
	"maps"
	"strings"

	"github.com/ferrymigrate/ferry/internal/ddl"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

// value is what a simulation knows about one object.
type value uint8

const (
	before     value = iota // as it was before the file ran: not known yet
	present                 // exists
	absent                  // does not exist
	unknowable              // moved with a renamed table: nothing can be said
)

func boolValue(b bool) value {
	if b {
		return present
	}
	return absent
}

// sim replays what statements do to the objects they name, without a
// database.
type sim struct {
	cat    *catalog
	vals   map[ddl.Ref]value
	parent map[ddl.Ref]ddl.Ref // child object -> its table
	epoch  map[ddl.Ref]value   // table -> what happened to all its children: absent (created or dropped), unknowable (renamed)
	base   map[ddl.Ref]value   // the state assumed before the first statement
	// renamed maps a table to the one it was renamed from.
	renamed map[ddl.Ref]rename
	// hist is what the earlier files leave, for objects base does not set.
	hist *sim
}

func newSim(cat *catalog) *sim {
	return &sim{cat: cat, vals: map[ddl.Ref]value{}, parent: map[ddl.Ref]ddl.Ref{}, epoch: map[ddl.Ref]value{}, base: map[ddl.Ref]value{}, renamed: map[ddl.Ref]rename{}}
}

// norm is the key of a reference: the current schema is the default one.
func (s *sim) norm(r ddl.Ref) ddl.Ref {
	if r.Schema != "" && s.cat.fold(r.Schema) == s.cat.fold(s.cat.current) {
		r.Schema = ""
	}
	k := r.Key(s.cat.d)
	if r.Kind == ddl.Index || r.Kind == ddl.Trigger || r.Kind == ddl.Column || r.Kind == ddl.Constraint {
		if r.Table != "" {
			s.parent[k] = s.norm(ddl.Ref{Kind: ddl.Table, Schema: r.Schema, Name: r.Table})
		}
	}
	return k
}

// get returns what is known of r now.
func (s *sim) get(r ddl.Ref) value {
	k := s.norm(r)
	if v, ok := s.vals[k]; ok {
		return v
	}
	if p, ok := s.parent[k]; ok {
		if r, ok := s.renamed[p]; ok && s.epoch[p] == unknowable {
			old := r
			child := k
			child.Table = old.from.Name
			return old.state.get(child)
		}
		if e, ok := s.epoch[p]; ok {
			return e
		}
	}
	if v, ok := s.base[k]; ok {
		return v
	}
	if s.hist != nil {
		if v := s.hist.get(k); v == present || v == absent {
			return v
		}
	}
	return before
}

// apply records the effects of one statement. A table dropped and another
// created right after it by the same statement is a rename: the children
// move along.
func (s *sim) apply(ch ddl.Change) {
	renamedTo := map[ddl.Ref]bool{}
	for i := 0; i+1 < len(ch.Effects); i++ {
		from, to := ch.Effects[i], ch.Effects[i+1]
		if from.Ref.Kind == ddl.Table && to.Ref.Kind == ddl.Table && !from.Exists && to.Exists {
			s.moveChildren(s.norm(from.Ref), s.norm(to.Ref))
			renamedTo[s.norm(to.Ref)] = true
		}
	}
	for _, e := range ch.Effects {
		k := s.norm(e.Ref)
		if e.Ref.Kind == ddl.Table && !renamedTo[k] {
			delete(s.renamed, k)
			s.resetChildren(k, absent)
		}
		s.vals[k] = boolValue(e.Exists)
	}
}

// resetChildren forgets what is known of a table's children: from now on
// they are v unless set again.
func (s *sim) resetChildren(table ddl.Ref, v value) {
	for k, p := range s.parent {
		if p == table {
			delete(s.vals, k)
		}
	}
	s.epoch[table] = v
}

// moveChildren carries the children of a renamed table over to its new
// name: from now on a child of to is what the same child of from was at
// the rename, unless set again.
func (s *sim) moveChildren(from, to ddl.Ref) {
	frozen := s.clone()
	s.renamed[to] = rename{from: from, state: frozen}
	for k, p := range s.parent {
		if p == to {
			delete(s.vals, k)
		}
	}
	s.epoch[to] = unknowable
}

// rename is a table renamed by a statement, and the state before it.
type rename struct {
	from  ddl.Ref
	state *sim
}

// clone copies the state (not the catalog).
func (s *sim) clone() *sim {
	c := &sim{cat: s.cat, vals: maps.Clone(s.vals), parent: maps.Clone(s.parent), epoch: maps.Clone(s.epoch), base: maps.Clone(s.base), renamed: maps.Clone(s.renamed), hist: s.hist}
	return c
}

// prefixCheck is the outcome of testing one applied prefix against the live
// schema.
type prefixCheck struct {
	ok bool
	// contradictions say why the prefix cannot be the truth.
	contradictions []string
	// support are live facts the prefix predicts correctly and that some
	// other prefix predicts differently (filled in by the caller).
	facts map[ddl.Ref]bool
}

// evaluate tests whether the first k statements of c (and none after)
// agree with the live catalog. Before the first statement, the objects the
// file creates or drops are as the earlier files leave them, where those
// say (a table's columns, say); otherwise they are whatever the live schema
// and the statements that ran require (strict), or, with assume, absent:
// the files before created everything the schema holds (schemas and
// extensions excepted, which often exist beforehand).
func evaluate(cat *catalog, c *Candidate, k int, assume bool) prefixCheck {
	s := newSim(cat)
	changed := map[ddl.Ref]ddl.Ref{}
	for _, ch := range c.changes {
		for _, f := range ch.Effects {
			changed[s.norm(f.Ref)] = f.Ref
		}
	}
	s.hist = c.hist
	for key, ref := range changed {
		if v := s.get(ref); v != present && v != absent && assume && ref.Kind != ddl.Schema && ref.Kind != ddl.Extension {
			s.base[key] = absent
		}
	}
	pc := prefixCheck{ok: true, facts: map[ddl.Ref]bool{}}
	constraint := map[ddl.Ref]bool{}
	bind := func(r ddl.Ref, exists bool, why string) {
		key := s.norm(r)
		if prev, ok := constraint[key]; ok && prev != exists {
			pc.ok = false
			pc.contradictions = append(pc.contradictions, why)
			return
		}
		constraint[key] = exists
	}
	for j := 0; j < k && j < len(c.changes); j++ {
		ch := c.changes[j]
		for _, f := range ch.Requires {
			switch v := s.get(f.Ref); v {
			case before:
				bind(f.Ref, f.Exists, fmt.Sprintf("statement %d needs %s", j+1, describeFact(f)))
			case present, absent:
				if (v == present) != f.Exists {
					pc.ok = false
					pc.contradictions = append(pc.contradictions, fmt.Sprintf("statement %d cannot have succeeded: it needs %s, and at that point it %s", j+1, describeFact(f), stateWord(v)))
				}
			}
		}
		s.apply(ch)
	}
	// Compare the predicted state with the live one, object by object, in
	// the order the file names them.
	seen := map[ddl.Ref]bool{}
	for _, ch := range c.changes {
		for _, group := range [][]ddl.Fact{ch.Requires, ch.Effects} {
			for _, f := range group {
				key := s.norm(f.Ref)
				if seen[key] || !cat.observable(f.Ref) {
					continue
				}
				seen[key] = true
				live := cat.exists(f.Ref)
				switch v := s.get(f.Ref); v {
				case present, absent:
					pc.facts[key] = live
					if (v == present) != live {
						pc.ok = false
						pc.contradictions = append(pc.contradictions, fmt.Sprintf("after %d statement(s) %s would %s, but the database %s", k, f.Ref, map[value]string{present: "exist", absent: "not exist"}[v], map[bool]string{true: "has it", false: "has none"}[live]))
					}
				case before:
					bind(f.Ref, live, fmt.Sprintf("the database %s %s", map[bool]string{true: "has", false: "has no"}[live], f.Ref))
				}
			}
		}
	}
	return pc
}

func describeFact(f ddl.Fact) string {
	if f.Exists {
		return f.Ref.String()
	}
	return "no " + f.Ref.String()
}

func stateWord(v value) string {
	if v == present {
		return "existed"
	}
	return "did not exist"
}

// allowedPrefixes are the applied prefixes an engine can leave behind when
// a golang-migrate run of a file with these statements stops: after a
// failure, or after a crash once the file ran (all of it).
func allowedPrefixes(sem semantics, stmts []sqlsplit.Statement) []int {
	n := len(stmts)
	var out []int
	switch sem {
	case perStatement:
		for k := 0; k <= n; k++ {
			out = append(out, k)
		}
	case commitBlocks:
		out = append(out, 0)
		for i, st := range stmts {
			if st.Kind.Has(sqlsplit.KindTxControl) && isCommit(st.Text) && i+1 < n {
				out = append(out, i+1)
			}
		}
		out = append(out, n)
	default:
		out = append(out, 0)
		if n > 0 {
			out = append(out, n)
		}
	}
	return out
}

func isCommit(text string) bool {
	u := strings.ToUpper(strings.TrimSpace(text))
	return strings.HasPrefix(u, "COMMIT") || strings.HasPrefix(u, "END")
}
