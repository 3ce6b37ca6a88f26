package doctor

import (
	"fmt"
	"maps"
	"slices"
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
	unknowable              // nothing can be said (moved with a renamed table, or maybe made by the server)
	created                 // only as an epoch: the table was created; its children are absent unless implicit
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
	// keys caches norm; children indexes parent.
	keys     map[ddl.Ref]ddl.Ref
	children map[ddl.Ref][]ddl.Ref
}

func newSim(cat *catalog) *sim {
	return &sim{cat: cat, vals: map[ddl.Ref]value{}, parent: map[ddl.Ref]ddl.Ref{}, epoch: map[ddl.Ref]value{}, base: map[ddl.Ref]value{},
		renamed: map[ddl.Ref]rename{}, keys: map[ddl.Ref]ddl.Ref{}, children: map[ddl.Ref][]ddl.Ref{}}
}

// norm is the key of a reference: the current schema is the default one.
// It also records which table a child object belongs to.
func (s *sim) norm(r ddl.Ref) ddl.Ref {
	if k, ok := s.keys[r]; ok {
		return k
	}
	orig := r
	if r.Schema != "" && s.cat.fold(r.Schema) == s.cat.fold(s.cat.current) {
		r.Schema = ""
	}
	k := s.cat.key(r)
	s.keys[orig] = k
	if r.Kind.Child() && r.Table != "" {
		if _, known := s.parent[k]; !known {
			p := s.norm(ddl.Ref{Kind: ddl.Table, Schema: r.Schema, Name: r.Table})
			s.parent[k] = p
			s.children[p] = append(s.children[p], k)
		}
	}
	return k
}

// get returns what is known of r now.
func (s *sim) get(r ddl.Ref) value { return s.getKey(s.norm(r)) }

// getKey returns what is known of the object with key k (from norm).
func (s *sim) getKey(k ddl.Ref) value {
	if v, ok := s.vals[k]; ok {
		return v
	}
	if p, ok := s.parent[k]; ok {
		if r, ok := s.renamed[p]; ok && s.epoch[p] == unknowable {
			child := k
			if child.Table != "" {
				child.Table = r.from.Name
			}
			return r.state.getKey(child)
		}
		if e, ok := s.epoch[p]; ok {
			if e == created {
				// A new table has the children its statement lists, and
				// perhaps ones the server names itself (a primary key's
				// constraint, say): those the files never create.
				if s.cat.implicit[k] {
					return unknowable
				}
				return absent
			}
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
	createdNow := map[ddl.Ref]bool{} // tables a CREATE ... IF NOT EXISTS made now
	for _, e := range ch.Effects {
		k := s.norm(e.Ref)
		if e.Kept && e.Ref.Kind.Child() {
			// A column listed by CREATE TABLE IF NOT EXISTS exists only if
			// the table was made now; otherwise the table kept its own.
			if createdNow[s.norm(ddl.Ref{Kind: ddl.Table, Schema: e.Ref.Schema, Name: e.Ref.Table})] {
				s.vals[k] = present
			}
			continue
		}
		if e.Maybe {
			// Made, or dropped, or not: unknowable unless it already was
			// as the maybe would leave it.
			if v := s.getKey(k); v != boolValue(e.Exists) {
				s.vals[k] = unknowable
			}
			continue
		}
		if e.Kept {
			// CREATE ... IF NOT EXISTS: made now if it was absent, kept
			// as it was if it existed; unknown before, its children are
			// unknown after.
			switch s.getKey(k) {
			case present:
				continue
			case absent:
				if e.Ref.Kind == ddl.Table {
					createdNow[k] = true
				}
			default:
				if e.Ref.Kind == ddl.Table {
					delete(s.renamed, k)
					s.resetChildren(k, unknowable)
				}
				s.vals[k] = present
				continue
			}
		}
		if e.Exists && e.Ref.Kind.Child() && e.Ref.Table != "" {
			s.reparent(k, e.Ref)
		}
		if e.Ref.Kind == ddl.Table && !renamedTo[k] {
			delete(s.renamed, k)
			epoch := absent
			if e.Exists {
				epoch = created
			}
			s.resetChildren(k, epoch)
		}
		s.vals[k] = boolValue(e.Exists)
	}
}

// reparent makes the table r names the parent of the child with key k: a
// child known by name alone (a PostgreSQL or SQLite index) created on
// another table than the one that had it before (an index re-made on the
// new table of a rebuild, after the old one was renamed away).
func (s *sim) reparent(k, r ddl.Ref) {
	p := s.norm(ddl.Ref{Kind: ddl.Table, Schema: r.Schema, Name: r.Table})
	old, ok := s.parent[k]
	if !ok || old == p {
		return
	}
	s.children[old] = slices.DeleteFunc(s.children[old], func(c ddl.Ref) bool { return c == k })
	s.parent[k] = p
	s.children[p] = append(s.children[p], k)
}

// resetChildren forgets what is known of a table's children: from now on
// they are v unless set again.
func (s *sim) resetChildren(table ddl.Ref, v value) {
	for _, k := range s.children[table] {
		delete(s.vals, k)
	}
	s.epoch[table] = v
}

// moveChildren carries the children of a renamed table over to its new
// name: from now on a child of to is what the same child of from was at
// the rename, unless set again.
func (s *sim) moveChildren(from, to ddl.Ref) {
	frozen := s.clone()
	s.renamed[to] = rename{from: from, state: frozen}
	for _, k := range s.children[to] {
		delete(s.vals, k)
	}
	s.epoch[to] = unknowable
	// Children known by name alone (PostgreSQL and SQLite indexes and
	// triggers) keep their key and move to the new table.
	var stay []ddl.Ref
	for _, k := range s.children[from] {
		if k.Table == "" {
			s.parent[k] = to
			s.children[to] = append(s.children[to], k)
			continue
		}
		stay = append(stay, k)
	}
	s.children[from] = stay
}

// rename is a table renamed by a statement, and the state before it.
type rename struct {
	from  ddl.Ref
	state *sim
}

// clone copies the state (not the catalog).
func (s *sim) clone() *sim {
	c := &sim{cat: s.cat, vals: maps.Clone(s.vals), parent: maps.Clone(s.parent), epoch: maps.Clone(s.epoch), base: maps.Clone(s.base),
		renamed: maps.Clone(s.renamed), hist: s.hist, keys: maps.Clone(s.keys), children: map[ddl.Ref][]ddl.Ref{}}
	for p, ks := range s.children {
		c.children[p] = slices.Clone(ks)
	}
	return c
}

// prefixCheck is the outcome of testing one applied prefix against the live
// schema.
type prefixCheck struct {
	ok bool
	// contradictions say why the prefix cannot be the truth.
	contradictions []string
}

// maxReasons bounds the contradictions kept per prefix (the first ones
// are enough to say why it was ruled out).
const maxReasons = 8

// evaluate tests one prefix; see evaluateAll.
func evaluate(cat *catalog, c *Candidate, k int, assume bool) prefixCheck {
	return evaluateAll(cat, c, []int{k}, assume)[k]
}

// evaluateAll tests, for each k of ks, whether the first k statements of
// c (and none after) agree with the live catalog, in one pass over the
// statements. Before the first statement, the objects the file creates or
// drops are as the earlier files leave them, where those say (a table's
// columns, say); otherwise they are whatever the live schema and the
// statements that ran require (strict), or, with assume, absent: the files
// before created everything the schema holds (schemas and extensions
// excepted, which often exist beforehand).
func evaluateAll(cat *catalog, c *Candidate, ks []int, assume bool) map[int]prefixCheck {
	s := newSim(cat)
	s.hist = c.hist
	// The objects the file names, in the order it names them, observable
	// ones with their live state.
	type observed struct {
		key, ref ddl.Ref
		live     bool
	}
	var watch []observed
	seen := map[ddl.Ref]bool{}
	for _, ch := range c.changes {
		for _, group := range [][]ddl.Fact{ch.Requires, ch.Effects} {
			for _, f := range group {
				key := s.norm(f.Ref)
				if seen[key] {
					continue
				}
				seen[key] = true
				if cat.observable(f.Ref) {
					watch = append(watch, observed{key, f.Ref, cat.exists(f.Ref)})
				}
			}
		}
	}
	if assume {
		for _, ch := range c.changes {
			for _, f := range ch.Effects {
				key := s.norm(f.Ref)
				if v := s.getKey(key); v != present && v != absent && f.Ref.Kind != ddl.Schema && f.Ref.Kind != ddl.Extension && !cat.implicit[key] {
					s.base[key] = absent
				}
			}
		}
	}
	want := map[int]bool{}
	for _, k := range ks {
		want[k] = true
	}
	out := map[int]prefixCheck{}
	// Requirements of the statements that ran: contradictions found so far
	// hold for every longer prefix; constraints bind objects whose state
	// before the file is open.
	var reqReasons []string
	reqOK := true
	constraint := map[ddl.Ref]bool{}
	for k := 0; k <= len(c.changes); k++ {
		if want[k] {
			pc := prefixCheck{ok: reqOK, contradictions: slices.Clone(reqReasons)}
			reason := func(msg func() string) {
				pc.ok = false
				if len(pc.contradictions) < maxReasons {
					pc.contradictions = append(pc.contradictions, msg())
				}
			}
			for _, o := range watch {
				switch v := s.getKey(o.key); v {
				case present, absent:
					if (v == present) != o.live {
						reason(func() string {
							return fmt.Sprintf("after %d statement(s) %s would %s, but the database %s", k, o.ref, map[value]string{present: "exist", absent: "not exist"}[v], map[bool]string{true: "has it", false: "has none"}[o.live])
						})
					}
				case before:
					if prev, ok := constraint[o.key]; ok && prev != o.live {
						reason(func() string {
							return fmt.Sprintf("the statements that ran need %s, but the database %s", describeFact(ddl.Fact{Ref: o.ref, Exists: prev}), map[bool]string{true: "has it", false: "has none"}[o.live])
						})
					}
				}
			}
			out[k] = pc
		}
		if k == len(c.changes) {
			break
		}
		ch := c.changes[k]
		if why, bad := c.badFK[k]; bad {
			reqOK = false
			if len(reqReasons) < maxReasons {
				reqReasons = append(reqReasons, fmt.Sprintf("statement %d %s", k+1, why))
			}
		}
		for _, f := range ch.Requires {
			key := s.norm(f.Ref)
			switch v := s.getKey(key); v {
			case before:
				if prev, ok := constraint[key]; ok && prev != f.Exists {
					reqOK = false
					if len(reqReasons) < maxReasons {
						reqReasons = append(reqReasons, fmt.Sprintf("statement %d needs %s, which an earlier statement contradicts", k+1, describeFact(f)))
					}
				}
				constraint[key] = f.Exists
			case present, absent:
				if (v == present) != f.Exists {
					reqOK = false
					if len(reqReasons) < maxReasons {
						reqReasons = append(reqReasons, fmt.Sprintf("statement %d cannot have succeeded: it needs %s, and at that point it %s", k+1, describeFact(f), stateWord(v)))
					}
				}
			}
		}
		s.apply(ch)
	}
	return out
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
