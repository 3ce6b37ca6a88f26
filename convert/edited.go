package convert

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/ferrymigrate/ferry/baseline"
	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/refusal"
	"github.com/ferrymigrate/ferry/revision"
)

// editedLine returns the line of atlas.sum that lists an edited file.
func editedLine(changes []baseline.Change, name string) int {
	for _, c := range changes {
		if c.Kind == baseline.Edited && c.File == name {
			return c.Line
		}
	}
	return 0
}

// ExplainEdits tailors a refusal of LoadProject over up files edited since
// atlas.sum was written (HasEdits) to the database db, opened on u. The
// generic advice, re-hash "if no database has applied it", is not true of a
// database whose revisions table holds a row for the file's version: for
// each such row the message names it (version, the tool that wrote it and
// when) and says whether it records the file as it is now (then the edited
// file is the one that ran there, as after ferry recover --forward ran a
// fixed file, and re-hashing is right) or other hashes (then the text that
// ran there is not this one: restore the file, and re-hash only if the
// edited file is the one that ran there). It reads only. It returns r
// itself when r has no edits or the database has no row for them.
func ExplainEdits(ctx context.Context, db *sql.DB, u *compat.DatabaseURL, revisionsSchema string, r *refusal.Refusal) (*refusal.Refusal, error) {
	var sr *sumMismatch
	if !errors.As(r, &sr) || len(sr.edited) == 0 {
		return r, nil
	}
	store, err := revision.Locate(ctx, db, u, revisionsSchema)
	if err != nil {
		return r, nil // no schema to hold the table: nothing converted here
	}
	exists, err := store.Exists(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("look for the revisions table: %w", err)
	}
	if !exists {
		return r, nil
	}
	rows, err := store.Read(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", store, err)
	}
	byVersion := map[string]revision.Row{}
	for _, row := range rows {
		byVersion[row.Version] = row
	}
	msgs := append([]string(nil), sr.messages...)
	rehash := refusal.Command{"ferry", "hash", "--path", sr.dirPath}
	var restore []refusal.Command
	named := false
	for _, f := range sr.edited {
		row, ok := byVersion[f.version]
		if !ok {
			continue
		}
		named = true
		diff := refusal.Command{"git", "diff", "--", path.Join(sr.dirPath, f.name)}
		head := fmt.Sprintf("%s changed since it was hashed (%s line %d), and %s has a revision row for version %s (%s)", f.name, baseline.SumFileName, f.line, store, row.Version, writtenBy(row))
		if row.Hash == f.hash {
			msgs[f.finding] = head + fmt.Sprintf(" that records the file as it is now: the edited file is the one that ran there (as after ferry recover --forward ran the fixed file), so re-hashing is right for this database: run `%s`", rehash)
			continue
		}
		restore = append(restore, diff)
		msgs[f.finding] = head + fmt.Sprintf(" that records other hashes than the file has now: the text that ran there is not this one; restore the file (%s) and put the change in a new migration; re-hash (`%s`) only if the edited file is the one that ran there (as after ferry recover --forward ran the fixed file)", diff, rehash)
	}
	if !named {
		return r, nil
	}
	next := refusal.Run(rehash...).Say(" (the edited files are the ones that ran there)")
	if len(restore) > 0 {
		next = refusal.Next{}
		for i, c := range restore {
			if i > 0 {
				next = next.Say("; ")
			}
			next = next.Run(c...)
		}
	}
	return &refusal.Refusal{Reason: sr.prefix + ": " + strings.Join(msgs, "; "), Next: next, Err: sr}, nil
}

// writtenBy names who wrote a revision row and when.
func writtenBy(row revision.Row) string {
	who := "written by " + row.OperatorVersion
	if row.OperatorVersion == "" {
		who = "written by a tool that left operator_version empty"
	}
	if !row.ExecutedAt.IsZero() {
		who += ", executed_at " + row.ExecutedAt.UTC().Format(time.RFC3339)
	}
	return who
}
