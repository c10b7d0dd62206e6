package main

import (
	"os"
	"testing"

	"github.com/meshc/meshc/internal/cli"
	"github.com/meshc/meshc/internal/golden"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the scripts run meshc as a command, in-process.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"meshc": func() { os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script: each is a
// txtar archive of files and meshc commands with their expected output.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: golden.Updating(),
		Setup: func(e *testscript.Env) error {
			e.Setenv("EXAMPLES", golden.Root()+"/examples")
			return nil
		},
	})
}
