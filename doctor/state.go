package doctor

import (
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/inspect"
)

// diagnosis is the working state of one diagnosis: what it read (the row,
// the folder, the live schema) and derived on the way, around the result
// it builds. Diagnose hands out only the result; Recover keeps the state
// to check and carry out a plan.
type diagnosis struct {
	*Diagnosis

	dialect engine.Dialect
	url     *compat.DatabaseURL
	legacy  *compat.LegacyState
	dir     *compat.Directory
	cat     *catalog
	live    *inspect.Schema
	opts    Options
	dbPrint string
	ups     map[uint64]*upFile // up files read and split, by version
	// assumed is the state recover --assume named; the plans' commands
	// carry it.
	assumed *Alternative
}
