// Package fleet runs one operation over many databases concurrently, each
// independently: one failure never stops the others.
package fleet

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/ferrymigrate/ferry/compat"
)

// Result is the outcome for one database, in the order the targets were given.
type Result[T any] struct {
	URL   *compat.DatabaseURL
	Value T
	Err   error
}

// Run calls fn for every target with at most limit calls at once, and
// reports each completion to done (called from one goroutine at a time).
// Errors are collected per target; Run itself fails only when ctx ends
// before every target started.
func Run[T any](ctx context.Context, targets []*compat.DatabaseURL, limit int, fn func(context.Context, *compat.DatabaseURL) (T, error), done func(finished, total int)) []Result[T] {
	results := make([]Result[T], len(targets))
	var g errgroup.Group
	g.SetLimit(max(1, limit))
	var mu sync.Mutex
	finished := 0
	for i, u := range targets {
		g.Go(func() error {
			results[i].URL = u
			if err := ctx.Err(); err != nil {
				results[i].Err = err
			} else {
				results[i].Value, results[i].Err = fn(ctx, u)
			}
			if done != nil {
				mu.Lock()
				finished++
				done(finished, len(targets))
				mu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait()
	return results
}

// ReadTargets parses a databases file: one URL per line; blank lines and
// lines starting with # are skipped. Errors name the line; they never
// contain a password.
func ReadTargets(r io.Reader, name string) ([]*compat.DatabaseURL, error) {
	var out []*compat.DatabaseURL
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		u, err := compat.ParseDatabaseURL(s)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, line, err)
		}
		out = append(out, u)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return out, nil
}
