package perf_test

import (
	"os"
	"runtime/pprof"
	"testing"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/internal/cli"
	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/lang/load"
)

func TestZZWarm(t *testing.T) {
	dir := os.Getenv("ZZ_MESH")
	if dir == "" {
		t.Skip()
	}
	cli.TuneGC()
	c, err := load.OpenCache("/tmp/zzcache", "zz")
	if err != nil {
		t.Fatal(err)
	}
	compiler.CompileDir(dir, compiler.Options{Today: meshtest.Today, Cache: c})
	f, _ := os.Create("/tmp/zzwarm.prof")
	pprof.StartCPUProfile(f)
	for range 10 {
		compiler.CompileDir(dir, compiler.Options{Today: meshtest.Today, Cache: c})
	}
	pprof.StopCPUProfile()
	f.Close()
}
