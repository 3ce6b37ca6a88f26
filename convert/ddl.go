package convert

import (
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/internal/ddl"
)

// Object is a schema object that the migrations create.
type Object struct {
	Kind   string `json:"kind"`             // table, view, materialized view, index, sequence, function, procedure, type, trigger, schema, extension
	Schema string `json:"schema,omitempty"` // as written; empty means the default schema
	Name   string `json:"name"`
	Table  string `json:"table,omitempty"` // for indexes and triggers on MySQL
	File   string `json:"file"`            // the file that created it
	Line   int    `json:"line"`
}

// probed are the kinds of object the live catalog is asked about;
// columns and constraints are not.
var probed = map[ddl.Kind]bool{
	ddl.Table: true, ddl.View: true, ddl.MaterializedView: true, ddl.Index: true, ddl.Sequence: true,
	ddl.Function: true, ddl.Procedure: true, ddl.Type: true, ddl.Trigger: true, ddl.Schema: true, ddl.Extension: true,
}

// key identifies an object in dialect d: its reference normalised as the
// dialect compares names, without its table.
func key(d engine.Dialect, r ddl.Ref) ddl.Ref {
	r = r.Key(d)
	r.Table = ""
	return r
}

// step is one object a statement creates, drops or renames, as ddl reads
// it.
type step struct {
	from, to *ddl.Ref // drop: from only; create: to only; rename: both
}

// steps returns what a statement does to the objects the catalog is asked
// about, in order: the facts of its change (with what the server did on
// its own, as ddl.Engine adds it) and the objects it creates without
// listing their contents. An index or trigger the server drops on its own
// is dropped; what it may create is not evidence.
func steps(ch ddl.Change) []step {
	var out []step
	fx := ch.Effects
	for i := 0; i < len(fx); i++ {
		f := fx[i]
		if !probed[f.Ref.Kind] || f.Maybe || f.Implicit && (f.Exists || f.Ref.Kind != ddl.Index && f.Ref.Kind != ddl.Trigger) {
			continue
		}
		switch {
		case f.Exists:
			out = append(out, step{to: &fx[i].Ref})
		case !f.Implicit && i+1 < len(fx) && fx[i+1].Exists && fx[i+1].Ref.Kind == f.Ref.Kind && !fx[i+1].Maybe && !fx[i+1].Kept && !fx[i+1].Implicit:
			out = append(out, step{from: &fx[i].Ref, to: &fx[i+1].Ref})
			i++
		default:
			out = append(out, step{from: &fx[i].Ref})
		}
	}
	for i := range ch.Opaque {
		out = append(out, step{to: &ch.Opaque[i]})
	}
	return out
}
