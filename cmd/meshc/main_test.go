package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
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
			// Each script has a cache of its own (docs/cli.md, "Cache").
			e.Setenv("MESHC_CACHE", filepath.Join(e.WorkDir, ".cache", "meshc"))
			// and a user cache folder, for the builds' output indexes.
			e.Setenv("XDG_CACHE_HOME", filepath.Join(e.WorkDir, ".usercache"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"spoil": spoil,
			"crlf":  crlf,
		},
	})
}

// spoil rewrites every file under a folder with a byte flipped, to test
// what meshc does with a corrupt cache: spoil DIR.
func spoil(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: spoil DIR")
	}
	n := 0
	err := filepath.WalkDir(ts.MkAbs(args[0]), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil || len(data) == 0 {
			return err
		}
		data[len(data)/2] ^= 0xff
		n++
		return os.WriteFile(p, data, 0o644)
	})
	ts.Check(err)
	if n == 0 {
		ts.Fatalf("spoil: no file under %s", args[0])
	}
}

// crlf rewrites files with each LF line ending as CRLF, as a checkout with
// git's core.autocrlf leaves them: crlf FILE...
func crlf(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: crlf FILE...")
	}
	for _, name := range args {
		data, err := os.ReadFile(ts.MkAbs(name))
		ts.Check(err)
		data = bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
		ts.Check(os.WriteFile(ts.MkAbs(name), data, 0o644))
	}
}
