// Package archtest enforces the project's layering: library packages never
// import the CLI libraries, never print and never exit; only cmd/ does.
package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// forbiddenImports may only be imported under cmd/.
var forbiddenImports = []string{"github.com/spf13/cobra", "github.com/spf13/pflag", "log"}

// forbiddenCalls print or exit; library code returns values and errors.
var forbiddenCalls = map[string][]string{
	"fmt": {"Print", "Printf", "Println"},
	"os":  {"Exit"},
}

func TestLibraryCodeDoesNotPrintOrExit(t *testing.T) {
	root := filepath.Join("..", "..")
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() && rel != "." {
			switch {
			case rel == "cmd", rel == "examples", rel == "bench", strings.HasPrefix(d.Name(), "."), d.Name() == "testdata":
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		checked++
		checkFile(t, path, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 10 {
		t.Fatalf("only %d library files checked; is the walk rooted right?", checked)
	}
}

func checkFile(t *testing.T, path, rel string) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	local := map[string]string{} // local name -> import path
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		for _, bad := range forbiddenImports {
			if p == bad {
				t.Errorf("%s imports %s: only cmd/ may", rel, p)
			}
		}
		name := filepath.Base(p)
		if imp.Name != nil {
			name = imp.Name.Name
		}
		local[name] = p
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			pkg, ok := x.X.(*ast.Ident)
			if !ok {
				return true
			}
			p := local[pkg.Name]
			for _, fn := range forbiddenCalls[p] {
				if x.Sel.Name == fn {
					t.Errorf("%s calls %s.%s: library code returns values and errors; printing and exiting belong to cmd/", rel, p, fn)
				}
			}
			if p == "os" && (x.Sel.Name == "Stdout" || x.Sel.Name == "Stderr") {
				t.Errorf("%s uses os.%s: library code never writes to the terminal", rel, x.Sel.Name)
			}
		}
		return true
	})
}
