// Command meshc checks a data mesh described in .mesh.hcl files and
// compiles it to pipelines. See docs/cli.md.
package main

import (
	"os"

	"github.com/meshc/meshc/internal/cli"
)

func main() {
	cli.TuneGC()
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
