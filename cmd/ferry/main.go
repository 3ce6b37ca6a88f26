// Command ferry moves golang-migrate projects onto statement-tracked,
// checksummed revisions. See README.md and docs/.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/ferrymigrate/ferry/cmd/ferry/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Execute(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
