package cli

import (
	"encoding/json"
	"io"
)

// writeJSON writes v to w as indented JSON, then returns then: the
// command's outcome (an *exitError, say) once its result is out.
func writeJSON(w io.Writer, v any, then error) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	return then
}

// writeResult writes a command's result: v as JSON with --json, else what
// render prints for people.
func writeResult(w io.Writer, asJSON bool, v any, render func()) error {
	if asJSON {
		return writeJSON(w, v, nil)
	}
	render()
	return nil
}
