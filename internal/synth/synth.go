// Package synth writes synthetic meshes of any size, for benchmarks and
// scale tests: a deterministic mesh of N products that checks with no
// error and no warning, shaped like a real one (layered domains, sources,
// inputs within and across domains, public ports with tested columns,
// steps, SLAs). The same size always gives the same bytes.
//
// Benchmarks in compiler and the targets import it; nothing else does.
package synth

import (
	"fmt"
	"strings"
	"testing/fstest"
)

// Layers are the layers of every synthetic mesh, lowest first.
var Layers = []string{"raw", "mastered", "integrated", "self_service"}

// Options shape a synthetic mesh.
type Options struct {
	Products          int // how many products; at least 1
	ProductsPerDomain int // 0 means 50
	SourcesPerDomain  int // 0 means 5
}

// Mesh returns a mesh of n products with the default shape.
func Mesh(n int) fstest.MapFS { return Generate(Options{Products: n}) }

// Generate writes the mesh described by o: mesh.hcl, and one folder per
// domain with a domain.mesh.hcl (the domain and its sources) and one file
// per product.
//
// Domain d (d0, d1, ...) is in layer d*4/domains, so layers only rise with
// d. Product j of domain d reads source j%sources of its domain, product
// j-1 of its domain, and product j of domain d-1 when there is one, through
// public ports. Sources arrive daily and products run when their inputs
// publish, so every product's period is a day and no diamond drifts.
func Generate(o Options) fstest.MapFS {
	if o.Products < 1 {
		o.Products = 1
	}
	if o.ProductsPerDomain <= 0 {
		o.ProductsPerDomain = 50
	}
	if o.SourcesPerDomain <= 0 {
		o.SourcesPerDomain = 5
	}
	domains := (o.Products + o.ProductsPerDomain - 1) / o.ProductsPerDomain
	fsys := fstest.MapFS{}
	put := func(name, text string) { fsys[name] = &fstest.MapFile{Data: []byte(text), Mode: 0o644} }

	put("mesh.hcl", fmt.Sprintf(`mesh "synthetic" {
  description = "A synthetic mesh of %d products"
  layers      = [%s]
}

defaults {
  timezone = "UTC"
  retries  = 1
}

environment "prod" {
  database  = "SYNTH"
  warehouse = "SYNTH_WH"
}

environment "dev" {
  database      = "SYNTH_DEV"
  schema_prefix = "DEV_"
}
`, o.Products, quoteAll(Layers)))

	for d := range domains {
		first := d * o.ProductsPerDomain
		count := min(o.ProductsPerDomain, o.Products-first)
		var b strings.Builder
		fmt.Fprintf(&b, `domain %q {
  owner       = "team-%d@example.com"
  layer       = %q
  description = "Synthetic domain %d"
}
`, domainName(d), d, Layers[d*len(Layers)/domains], d)
		for s := range o.SourcesPerDomain {
			fmt.Fprintf(&b, `
source "s%d" {
  description = "Raw feed %d of domain %d"
  cadence     = "daily"
  table       = "RAW.%s.S%d"

  column "id" { type = integer }
  column "name" { type = string }
  column "amount" { type = number(12, 2) }
  column "email" {
    type           = string
    classification = "pii"
  }
  column "updated_at" { type = timestamp_ntz }
}
`, s, s, d, strings.ToUpper(domainName(d)), s)
		}
		put(fmt.Sprintf("domains/%s/domain.mesh.hcl", domainName(d)), b.String())
		for j := range count {
			put(fmt.Sprintf("domains/%s/p%d.mesh.hcl", domainName(d), j), product(d, j, o))
		}
	}
	return fsys
}

func domainName(d int) string { return fmt.Sprintf("d%d", d) }

func product(d, j int, o Options) string {
	var b strings.Builder
	fmt.Fprintf(&b, `product "p%d" {
  version     = "1.%d.0"
  description = "Synthetic product %d of domain %d"
  tags        = ["synthetic", "layer_%d"]

  input "raw" {
    from    = source.s%d
    columns = ["id", "name", "amount", "email", "updated_at"]
  }
`, j, j%10, j, d, d%4, j%o.SourcesPerDomain)
	if j > 0 {
		fmt.Fprintf(&b, `  input "previous" {
    from    = product.p%d.port.main
    columns = ["id", "amount"]
  }
`, j-1)
	}
	if d > 0 {
		fmt.Fprintf(&b, `  input "upstream" {
    from    = domain.%s.product.p%d.port.main
    columns = { id = integer, amount = number(38, 2) }
  }
`, domainName(d-1), j)
	}
	fmt.Fprintf(&b, `
  port "main" {
    visibility  = "public"
    description = "One row per entity of product %d"
    table       = "P%d"

    column "id" {
      type        = integer
      nullable    = false
      description = "The entity's key"
      tests       = [not_null(), unique()]
    }
    column "name" { type = string }
    column "amount" {
      type        = number(12, 2)
      description = "The amount, in US dollars"
    }
    column "email" {
      type           = string
      classification = "pii"
      masking        = "hash"
    }
    column "updated_at" {
      type = timestamp_ntz
      test "fresh" {
        check    = freshness("2d")
        severity = "warn"
      }
    }
    tests = [row_count(1)]
  }

  step "stage" {
    run = runner.sql
    sql = "CREATE OR REPLACE TABLE P%d_STAGE AS SELECT 1 AS id"
  }
  step "build" {
    run   = runner.sql
    sql   = "INSERT INTO P%d SELECT * FROM P%d_STAGE"
    after = [step.stage]
  }

  sla {
    freshness = "2d"
  }
}
`, j, j, j, j, j)
	return b.String()
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// Size returns the total size of a mesh's files, in bytes.
func Size(fsys fstest.MapFS) int {
	n := 0
	for _, f := range fsys {
		n += len(f.Data)
	}
	return n
}
