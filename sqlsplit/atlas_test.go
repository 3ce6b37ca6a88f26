package sqlsplit_test

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/internal/testdb"
)

// atlasDiffers lists the corpus files where Atlas's statement scanner
// (ariga.io/atlas/sql/{postgres,mysql,sqlite} Driver.ScanStmts) splits
// differently from sqlsplit, with the reason: each is a case where Atlas is
// wrong and the golden is right (the goldens are checked against the real
// databases by TestCorpusExecutes). The table is meant for docs/statements.md.
var atlasDiffers = map[string]string{
	"postgres/02_e_strings.sql":                         "E'' strings: \\' does not end the string for PostgreSQL, Atlas ends it there (unclosed quote error)",
	"postgres/05_params_and_dollar_identifiers.sql":     "$b$ inside the identifier a$b$c is taken for a dollar quote (unexpected ')' error)",
	"postgres/07_nested_block_comments.sql":             "block comments nest in PostgreSQL, not for Atlas: /* /* */ ends at the first */ (unclosed quote error)",
	"postgres/11_trailing_comment_no_newline.sql":       "a -- comment without a newline at the end of the file is statement text: its ' opens a quote (error)",
	"postgres/12_statement_then_comment_no_newline.sql": "a -- comment without a newline at the end of the file is statement text: its ' opens a quote (error)",
	"postgres/13_do_blocks.sql":                         "E'' string with \\' (DO E'...'): split at the ; inside the string",
	"postgres/15_explicit_transaction.sql":              "BEGIN ATOMIC matched outside CREATE FUNCTION/PROCEDURE (SELECT begin atomic ...): three statements up to END; become one",
	"postgres/16_begin_isolation_level.sql":             "bare BEGIN matched as a block: BEGIN ISOLATION LEVEL ...; ...; END; becomes one statement",
	"postgres/21_only_comments.sql":                     "nested comment /* /* */ ; */ ends early: a file of comments yields the statements \";\" and \"*/\"",
	"postgres/22_empty_lines_and_bare_semicolons.sql":   "a bare ; is kept as a statement \";\"",
	"postgres/25_arrays_and_casts.sql":                  "E'' string E'y\\'' (unclosed quote error)",
	"postgres/31_error_unclosed_dollar_quote.sql":       "an unclosed dollar quote is accepted: the rest of the file becomes one statement",
	"postgres/32_error_unclosed_nested_comment.sql":     "nested comments: /* outer /* inner */ is taken as closed, so SELECT 1; comes out instead of an error",

	"mysql/03_backticks.sql":                        "backslash escapes applied inside backquoted names (`back\\`): unclosed quote error",
	"mysql/05_dash_comments.sql":                    "\"--\" without white space after it (5--1) is taken for a comment: unclosed '(' error",
	"mysql/07_executable_comments.sql":              "/*! and /*M! executable comments are dropped as comments: those statements become \";\"",
	"mysql/10_delimiter_double_semicolon.sql":       "a statement that is one /*! executable comment (mysqldump trigger) becomes the empty text \"\"",
	"mysql/12_labels.sql":                           "END label does not close a labelled block: the procedure is split at its first ;",
	"mysql/18_begin_end_columns.sql":                "a column named begin inside a procedure body (SELECT ..., begin FROM) opens a block: the procedure is split",
	"mysql/25_no_trailing_newline.sql":              "a # comment without a newline at the end of the file is statement text: split at its ;",
	"mysql/26_trailing_dash_comment_no_newline.sql": "a -- comment without a newline at the end of the file is statement text: its ' opens a quote (error)",
	"mysql/30_delimiter_switching.sql":              "a bare custom delimiter ($$ alone on a line) becomes an empty statement \"\"",
	"mysql/34_error_unclosed_comment.sql":           "an unclosed /* is statement text instead of an error",

	"sqlite/02_bracket_identifiers.sql":             "[bracket] names are unknown: the \" inside [we;ird \"name'] opens a quote (error)",
	"sqlite/06_begin_immediate_end.sql":             "bare BEGIN matched as a block: BEGIN IMMEDIATE; ...; END; becomes one statement",
	"sqlite/14_begin_end_columns.sql":               "a column named begin in a trigger body (SET begin = begin + 1) opens a nested block: the trigger is split",
	"sqlite/18_trailing_comment_no_newline.sql":     "a -- comment without a newline at the end of the file is statement text: its ' opens a quote (error)",
	"sqlite/22_empty_lines_and_bare_semicolons.sql": "a bare ; is kept as a statement \";\"",
	"sqlite/33_error_unclosed_bracket.sql":          "[bracket] names are unknown: an unclosed [ is not reported",
	"sqlite/34_error_unclosed_comment.sql":          "an unclosed /* is statement text instead of an error",
}

// TestAtlasDifferential compares sqlsplit with Atlas's scanner on every
// corpus file. A file where they differ must be listed in atlasDiffers, and
// a listed file must still differ (so that the table stays true).
func TestAtlasDifferential(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range loadCorpus(t) {
		seen[f.Name] = true
		t.Run(f.Name, func(t *testing.T) {
			atlas, atlasErr := testdb.AtlasStatements(string(f.Dialect), f.Src)
			_, ours := splitCorpus(f.Dialect, f.Src)
			same := atlasErr != nil && ours.Error != "" ||
				atlasErr == nil && ours.Error == "" && reflect.DeepEqual(nonNil(atlas), ours.Statements)
			reason, listed := atlasDiffers[f.Name]
			switch {
			case !same && !listed:
				t.Errorf("Atlas splits differently and %s is not in atlasDiffers:\n%s", f.Name, describeAtlasDiff(atlas, atlasErr, ours))
			case same && listed:
				t.Errorf("Atlas now agrees on %s: remove it from atlasDiffers (%s)", f.Name, reason)
			}
		})
	}
	var stale []string
	for name := range atlasDiffers {
		if !seen[name] {
			stale = append(stale, name)
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("atlasDiffers names files that are not in the corpus: %q", stale)
	}
}

func describeAtlasDiff(atlas []string, atlasErr error, ours corpusGolden) string {
	var b strings.Builder
	switch {
	case atlasErr != nil:
		fmt.Fprintf(&b, "Atlas: error %v\nours: %q\n", atlasErr, ours.Statements)
	case ours.Error != "":
		fmt.Fprintf(&b, "Atlas: %q\nours: error %s\n", atlas, ours.Error)
	default:
		b.WriteString(diffLabeled(atlas, ours.Statements, "Atlas:", "ours: "))
	}
	return b.String()
}
