// Command meshsynth writes a synthetic mesh (internal/synth) to a folder,
// for timing meshc as a whole process:
//
//	go run ./internal/synth/meshsynth -n 10000 -seed 1 /tmp/mesh10k
//	go run ./internal/synth/meshsynth -n 10000 --mixed-cadences /tmp/mixed10k
//	go run ./internal/synth/meshsynth -n 10000 --per-domain 2000 --misspelt-inputs /tmp/misspelt10k
//	go run ./internal/synth/meshsynth -n 10000 --per-domain 1000 --dense --mixed-cadences /tmp/dense10k
//	go run ./internal/synth/meshsynth -n 10000 --hand-written /tmp/hand10k
//	go run ./internal/synth/meshsynth -n 10000 --sql-files /tmp/files10k
package main

import (
	"fmt"
	"os"

	"github.com/meshc/meshc/internal/synth"
	"github.com/spf13/pflag"
)

func main() {
	n := pflag.IntP("products", "n", 1000, "how many products")
	seed := pflag.Uint64("seed", 1, "the seed that picks inputs, steps and schedules")
	mixed := pflag.Bool("mixed-cadences", false, "make about one product in 25 run weekly, which gives diamonds of mixed cadences")
	perDomain := pflag.Int("per-domain", 50, "how many products each domain holds")
	misspelt := pflag.Bool("misspelt-inputs", false, "misspell every product an input reads, for a mesh with as many errors")
	readsBack := pflag.Int("reads-back", 0, "let products read only the products of this many domains before their own (0: any lower domain)")
	dense := pflag.Bool("dense", false, "make every product outside the first domain read 4 to 8 products of the domain before its own")
	handWritten := pflag.Bool("hand-written", false, "write files as people do: a license header comment atop each, heredoc descriptions and SQL")
	sqlFiles := pflag.Bool("sql-files", false, "keep each step's SQL in a file of its own, in a sql folder beside its domain's mesh files")
	pflag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: meshsynth [-n PRODUCTS] [--seed N] [--mixed-cadences] [--per-domain N] [--reads-back N] [--misspelt-inputs] [--dense] [--hand-written] [--sql-files] DIR")
		pflag.PrintDefaults()
	}
	pflag.Parse()
	if pflag.NArg() != 1 {
		pflag.Usage()
		os.Exit(2)
	}
	dir := pflag.Arg(0)
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		fmt.Fprintf(os.Stderr, "meshsynth: %s is not empty\n", dir)
		os.Exit(2)
	}
	fsys := synth.Generate(synth.Options{Products: *n, Seed: *seed, MixedCadences: *mixed, ProductsPerDomain: *perDomain, ReadsBack: *readsBack, MisspeltInputs: *misspelt, Dense: *dense, HandWritten: *handWritten, SQLFiles: *sqlFiles})
	if err := synth.Write(dir, fsys); err != nil {
		fmt.Fprintf(os.Stderr, "meshsynth: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d products, %d files, %.1f MB\n", dir, *n, len(fsys), float64(synth.Size(fsys))/1e6)
}
