package cli

import (
	"github.com/meshc/meshc/compiler/plan"
)

// runExplain prints the plan meshc compiles from: what it resolved, in the
// order targets will emit it, with every test's rendered SQL. It answers
// "what did meshc make of my mesh?" without reading generated files.
func runExplain(e *env, args []string) int {
	var cf compileFlags
	fs := flagSet(e, "explain", "explain [flags] [DIR]",
		"Checks the mesh in DIR and prints its target-neutral plan: the environment's\nnames, each product in run order with its inputs, ports, steps in order, and\ntests with the Snowflake SQL each renders to.")
	cf.register(fs)
	if code, done := parse(e, fs, args); done {
		return code
	}
	return cf.printPlan(e, "explain", fs.Args(), plan.Dump)
}
