package perf_test

import (
	"os"
	"runtime/pprof"
	"testing"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/internal/cli"
	"github.com/meshc/meshc/internal/meshtest"
)

func TestZZCPU(t *testing.T) {
	dir := os.Getenv("ZZ_MESH")
	if dir == "" {
		t.Skip()
	}
	cli.TuneGC()
	f, _ := os.Create("/tmp/zzcpu.prof")
	pprof.StartCPUProfile(f)
	_, err := compiler.CompileDir(dir, compiler.Options{Today: meshtest.Today})
	pprof.StopCPUProfile()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
}
