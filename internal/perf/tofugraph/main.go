// Command tofugraph writes an OpenTofu configuration with the graph of a
// mesh, to time `tofu validate` against meshc on a graph of the same size
// (docs/performance.md): one terraform_data resource per product and per
// source, one file per domain, and an edge wherever a product reads a
// source or another product, carrying the columns it reads.
//
//	go run ./internal/perf/tofugraph /tmp/mesh10k /tmp/tofu10k
//	cd /tmp/tofu10k && tofu init && time tofu validate
//
// It needs only OpenTofu's built-in terraform provider, so `tofu init`
// downloads nothing.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/compiler/plan"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: tofugraph MESHDIR OUTDIR")
		os.Exit(2)
	}
	res, err := compiler.CompileDir(os.Args[1], compiler.Options{})
	if err == nil && res.Plan == nil {
		err = fmt.Errorf("the mesh has errors: run meshc check %s", os.Args[1])
	}
	if err == nil {
		err = write(res.Plan, os.Args[2])
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "tofugraph: %v\n", err)
		os.Exit(1)
	}
}

func write(p *plan.Plan, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := map[string]*strings.Builder{}
	file := func(domain string) *strings.Builder {
		if files[domain] == nil {
			files[domain] = &strings.Builder{}
		}
		return files[domain]
	}
	resources, edges := 0, 0
	for _, s := range p.Sources {
		b := file(s.Domain.Name)
		fmt.Fprintf(b, "resource \"terraform_data\" %q {\n  input = {\n    table   = %q\n    columns = [%s]\n  }\n}\n\n",
			name(s.ID), s.Table.String(), quoted(columnNames(s.Columns)))
		resources++
	}
	for _, pr := range p.Products {
		b := file(pr.Domain.Name)
		fmt.Fprintf(b, "resource \"terraform_data\" %q {\n  input = {\n    version = %q\n    owner   = %q\n", name(pr.ID), pr.Version, pr.Owner)
		for _, port := range pr.Ports {
			fmt.Fprintf(b, "    port_%s = [%s]\n", port.Name, quoted(columnNames(port.Columns)))
		}
		b.WriteString("    reads = {\n")
		for _, in := range pr.Inputs {
			from := ""
			if in.Source != nil {
				from = name(in.Source.ID)
			} else {
				from = name(in.Producer.ID)
			}
			fmt.Fprintf(b, "      %s = { from = terraform_data.%s.output, columns = [%s] }\n", in.Name, from, quoted(columnNames(in.Columns)))
			edges++
		}
		b.WriteString("    }\n  }\n}\n\n")
		resources++
	}
	for domain, b := range files {
		if err := os.WriteFile(filepath.Join(dir, domain+".tf"), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("%s: %d resources, %d edges, %d files\n", dir, resources, edges, len(files))
	return nil
}

// name turns a dotted ID into a resource name.
func name(id string) string { return strings.ReplaceAll(id, ".", "__") }

func columnNames(cols []*plan.Column) []string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names
}

func quoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
