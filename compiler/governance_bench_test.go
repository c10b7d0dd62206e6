package compiler

import (
	"bytes"
	"testing"
	"testing/fstest"
	"time"

	"github.com/meshc/meshc/internal/synth"
	"github.com/meshc/meshc/lang/load"
)

// benchPolicies are eleven central policies that, with the nine of the
// standard library's baseline set, make the twenty of BenchmarkGovernance:
// every kind of object, conditions, for expressions and helpers.
const benchPolicies = `
policy "domains_described" {
  enforcement = "advisory"
  on          = "domain"
  assert      = domain.description != null
  message     = "Domain ${domain.name} has no description"
}

policy "sources_described" {
  enforcement = "soft_mandatory"
  on          = "source"
  assert      = source.description != null && length(source.description) > 5
  message     = "Source ${source.id} has no description"
}

policy "source_pii_is_read" {
  enforcement = "advisory"
  on          = "source"
  assert      = !contains(source.classifications, "pii") || length(source.readers) > 0
  message     = "Source ${source.id} holds pii nobody reads"
}

policy "products_released" {
  enforcement = "advisory"
  on          = "product"
  assert      = !startswith(product.version, "0.")
  message     = "Product ${product.id} is not released yet"
}

policy "products_tagged" {
  enforcement = "soft_mandatory"
  on          = "product"
  assert      = contains(product.tags, "synthetic")
  message     = "Product ${product.id} is not tagged"
}

policy "cross_domain_reads_public" {
  enforcement = "hard_mandatory"
  on          = "input"
  when        = input.cross_domain
  assert      = input.producer_visibility == "public"
  message     = "Input ${input.id} reads an internal port"
}

policy "approved_runners" {
  enforcement = "soft_mandatory"
  on          = "step"
  assert      = contains(["sql", "dbt", "python", "shell"], step.runner)
  message     = "Step ${step.id} runs on ${step.runner}"
}

policy "not_null_tests_stop" {
  enforcement = "advisory"
  on          = "test"
  when        = test.kind == "not_null"
  assert      = test.severity == "error"
  message     = "Test ${test.id} only warns"
}

policy "keys_not_nullable" {
  enforcement = "soft_mandatory"
  on          = "column"
  when        = column.name == "id"
  assert      = !column.nullable && has_test(column, "unique")
  message     = "Key ${column.id} may be null or repeated"
}

policy "ports_not_too_wide" {
  enforcement = "advisory"
  on          = "port"
  assert      = length(port.columns) <= 200 && alltrue([for c in port.columns : matches(c, "[a-z_]+")])
  message     = "Port ${port.id} has too many columns"
}

policy "few_upstream_domains" {
  enforcement = "advisory"
  on          = "product"
  assert      = length(product.upstream_domains) <= 10 && product.sla.freshness_seconds >= duration("1d")
  message     = "Product ${product.id} reads too many domains"
}
`

// BenchmarkGovernance checks a synthetic mesh of 10,000 products with and
// without twenty policies (the baseline set and benchPolicies), and
// reports the time of loading the mesh and of the governance stage
// separately (load-ms/op, governance-ms/op, and their ratio). The bar:
// governance costs well under loading. It asserts no timing.
//
//	go test ./compiler -run '^$' -bench Governance -benchtime 3x
func BenchmarkGovernance(b *testing.B) {
	governed := synth.Mesh(10000)
	plain := fstest.MapFS{}
	for name, f := range governed {
		plain[name] = f
	}
	plain["mesh.hcl"] = &fstest.MapFile{Data: bytes.Replace(governed["mesh.hcl"].Data,
		[]byte("  policy_sets = [\"baseline\"]\n"), nil, 1)}
	governed["governance/policies.mesh.hcl"] = &fstest.MapFile{Data: []byte(benchPolicies)}
	b.Logf("mesh: %d files, %.1f MB", len(plain), float64(synth.Size(plain))/1e6)
	for _, bc := range []struct {
		name string
		fsys fstest.MapFS
	}{{"policies=0", plain}, {"policies=20", governed}} {
		b.Run(bc.name, func(b *testing.B) {
			took := map[string]time.Duration{}
			trace := func(stage string, d time.Duration) { took[stage] += d }
			for b.Loop() {
				res, err := Compile(load.Tree{FS: bc.fsys}, Options{Today: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), Trace: trace})
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Diagnostics) > 0 {
					b.Fatalf("the synthetic mesh has %d diagnostics, the first: %s: %s", len(res.Diagnostics), res.Diagnostics[0].Summary, res.Diagnostics[0].Detail)
				}
			}
			ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(b.N) }
			b.ReportMetric(ms(took["load"]), "load-ms/op")
			b.ReportMetric(ms(took["governance"]), "governance-ms/op")
			b.ReportMetric(float64(took["governance"])/float64(took["load"]), "governance/load")
		})
	}
}
