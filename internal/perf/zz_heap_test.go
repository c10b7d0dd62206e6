package perf_test

import (
	"os"
	"runtime"
	"runtime/pprof"
	"testing"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/internal/meshtest"
)

func TestZZHeap(t *testing.T) {
	dir := os.Getenv("ZZ_MESH")
	if dir == "" {
		t.Skip()
	}
	res, err := compiler.CompileDir(dir, compiler.Options{Today: meshtest.Today})
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	f, _ := os.Create("/tmp/zzheap.prof")
	pprof.WriteHeapProfile(f)
	f.Close()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("live %d MB, diags %d", ms.HeapAlloc>>20, len(res.Diagnostics))
	runtime.KeepAlive(res)
}
