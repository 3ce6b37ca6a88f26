package rebase

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ferrymigrate/ferry/compat"
)

// scheme returns the numbering scheme new versions follow: the folder's,
// or in a mixed folder the scheme of its newest version.
func (pl *planner) scheme() compat.Scheme {
	if pl.dir.Scheme != compat.SchemeMixed {
		return pl.dir.Scheme
	}
	ms := pl.dir.Migrations
	return compat.DetectScheme([]string{ms[len(ms)-1].VersionText})
}

// width returns the width of zero-padded versions.
func (pl *planner) width() int {
	texts := make([]string, len(pl.dir.Migrations))
	for i, m := range pl.dir.Migrations {
		texts[len(texts)-1-i] = m.VersionText // newest first
	}
	return compat.PaddedWidth(texts)
}

// pad zero-pads every version to the width of the longest one, after the
// moves: moved files get the padded new version, the others a pad rename.
// A database with revision rows refuses the pad renames: its rows name the
// versions as written now.
func (pl *planner) pad(p *Plan, renames map[string]string) {
	files := slices.Clone(pl.dir.Files)
	for _, d := range pl.dir.Duplicates {
		f, _ := compat.ParseName(d.File)
		files = append(files, f)
	}
	width := 0
	for _, m := range p.Moves {
		width = max(width, len(m.NewText))
	}
	for _, f := range files {
		if _, moved := renames[f.Name]; !moved {
			width = max(width, len(f.VersionText))
		}
	}
	zeros := func(text string) string { return strings.Repeat("0", width-len(text)) + text }
	for i := range p.Moves {
		m := &p.Moves[i]
		if len(m.NewText) < width {
			m.NewText = zeros(m.NewText)
			for j := range m.Files {
				f, _ := compat.ParseName(m.Files[j].To)
				m.Files[j].To = fileName(m.NewText, f)
				renames[m.Files[j].From] = m.Files[j].To
			}
		}
	}
	for _, f := range files {
		if _, moved := renames[f.Name]; !moved && len(f.VersionText) < width {
			p.Pads = append(p.Pads, Rename{From: f.Name, To: fileName(zeros(f.VersionText), f)})
		}
	}
	if len(p.Pads) == 0 {
		return
	}
	for _, d := range pl.in.Databases {
		if len(d.Revisions) > 0 {
			first := p.Pads[0]
			pl.refuse(ErrPadRevisions, "", first.From, d.Name, fmt.Sprintf("--pad would rename %s to %s, but %s has %d revision rows that name the versions as written now (Atlas compares them as text): they would no longer match their files; pad before converting (ferry convert), or leave the versions as they are", first.From, first.To, d.Name, len(d.Revisions)))
		}
	}
	slices.SortFunc(p.Pads, func(a, b Rename) int { return cmp.Compare(a.From, b.From) })
	for _, r := range p.Pads {
		renames[r.From] = r.To
	}
}

// fileName is f's name with its version written as text.
func fileName(text string, f compat.File) string {
	return text + "_" + f.Title + "." + string(f.Direction) + "." + f.Ext
}

const timestampLayout = "20060102150405"

// numbering returns n new versions after newest in scheme: timestamps one
// second apart from max(newest+1s, now), unix seconds, milliseconds and
// nanoseconds likewise, sequences from newest+1 (zero-padded to width for
// SchemePadded).
func numbering(scheme compat.Scheme, width int, newest uint64, now time.Time, n int) ([]string, []uint64, error) {
	var start uint64
	var step func(i int) (uint64, string)
	plain := func(i int) (uint64, string) {
		v := start + uint64(i)
		return v, strconv.FormatUint(v, 10)
	}
	after := func(clock int64) uint64 {
		if clock > 0 && uint64(clock) > newest {
			return uint64(clock)
		}
		return newest + 1
	}
	switch scheme {
	case compat.SchemeTimestamp:
		t := now.UTC().Truncate(time.Second)
		if last, err := time.Parse(timestampLayout, strconv.FormatUint(newest, 10)); err == nil {
			if next := last.Add(time.Second); next.After(t) {
				t = next
			}
		} else if v, _ := strconv.ParseUint(t.Format(timestampLayout), 10, 64); v <= newest {
			return nil, nil, fmt.Errorf("the newest version %d is not a timestamp and lies after the current time: no timestamp follows it; name the versions with another scheme by hand", newest)
		}
		step = func(i int) (uint64, string) {
			s := t.Add(time.Duration(i) * time.Second).Format(timestampLayout)
			v, _ := strconv.ParseUint(s, 10, 64)
			return v, s
		}
	case compat.SchemeUnix:
		start, step = after(now.Unix()), plain
	case compat.SchemeUnixMillis:
		start, step = after(now.UnixMilli()), plain
	case compat.SchemeUnixNanos:
		start, step = after(now.UnixNano()), plain
	case compat.SchemePadded:
		start = newest + 1
		step = func(i int) (uint64, string) {
			v := start + uint64(i)
			return v, fmt.Sprintf("%0*d", width, v)
		}
	default:
		start, step = newest+1, plain
	}
	texts, versions := make([]string, n), make([]uint64, n)
	for i := range n {
		versions[i], texts[i] = step(i)
		if versions[i] > math.MaxInt64 || versions[i] <= newest {
			return nil, nil, fmt.Errorf("version %d after %d does not fit golang-migrate's signed 64-bit versions", versions[i], newest)
		}
	}
	return texts, versions, nil
}
