package cli

import (
	"github.com/meshc/meshc/internal/lineage"
)

func runGraph(e *env, args []string) int {
	var cf compileFlags
	var format string
	fs := flagSet(e, "graph", "graph [flags] [DIR]",
		"Prints the lineage of the mesh in DIR: domains as clusters, their sources,\nproducts and ports, and edges labelled with the columns each input reads.")
	fs.StringVar(&format, "format", "dot", "output format: dot, mermaid or json")
	cf.register(fs)
	if code, done := parse(e, fs, args); done {
		return code
	}
	render, ok := lineage.Formats[format]
	if !ok {
		return usageError(e, "graph", "--format must be dot, mermaid or json, not %q", format)
	}
	return cf.printPlan(e, "graph", fs.Args(), render)
}
