package cli

import "github.com/spf13/pflag"

// writeFlags are the flags of every command that writes: --dry-run, --yes
// and --json. Commands embed them in their options.
type writeFlags struct {
	dryRun bool
	yes    bool
	json   bool
}

// bind adds the three flags to f with the command's own help for each.
func (w *writeFlags) bind(f *pflag.FlagSet, dryRunHelp, yesHelp, jsonHelp string) {
	f.BoolVar(&w.dryRun, "dry-run", false, dryRunHelp)
	f.BoolVar(&w.yes, "yes", false, yesHelp)
	f.BoolVar(&w.json, "json", false, jsonHelp)
}
