package compiler_test

import (
	"testing"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/lang/load"
)

// TestTestPlaceholdersFilled checks that a test's sql arguments have
// their placeholders filled with the input's table, or the product's own
// port's, in the environment compiled for, which every target runs as
// the plan holds it, whether the argument is the whole query or part of
// the kind's.
func TestTestPlaceholdersFilled(t *testing.T) {
	fsys, _ := meshtest.ArchiveFS(t, twoDomains)
	for env, want := range map[string]map[string]string{
		"prod": {
			"all_known":          "SELECT t.npi\nFROM DB.SALES.TARGETS t LEFT JOIN DB.PHYSICIAN.PRESCRIBERS p ON p.npi = t.npi\nWHERE p.npi IS NULL AND t.npi <> '{{x}}' -- {{ not one }}",
			"targets.expression": "SELECT * FROM DB.SALES.TARGETS WHERE NOT (npi IN (SELECT npi FROM DB.PHYSICIAN.PRESCRIBERS))",
		},
		"dev": {
			"all_known":          "SELECT t.npi\nFROM DB_DEV.DEV_SALES.TARGETS t LEFT JOIN DB_DEV.DEV_PHYSICIAN.PRESCRIBERS p ON p.npi = t.npi\nWHERE p.npi IS NULL AND t.npi <> '{{x}}' -- {{ not one }}",
			"targets.expression": "SELECT * FROM DB_DEV.DEV_SALES.TARGETS WHERE NOT (npi IN (SELECT npi FROM DB_DEV.DEV_PHYSICIAN.PRESCRIBERS))",
		},
	} {
		res, err := compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Env: env, Today: today})
		if err != nil {
			t.Fatal(err)
		}
		if res.Diagnostics.HasErrors() || res.Plan == nil {
			t.Fatalf("%s: %v", env, res.Diagnostics)
		}
		got := map[string]string{}
		for _, pr := range res.Plan.Products {
			for _, test := range pr.Tests {
				if pr.ID == "sales.targets" {
					got[test.ID] = test.SQL
				}
			}
		}
		for id, sql := range want {
			if got[id] != sql {
				t.Errorf("%s: test %s's SQL is\n%s\nwant\n%s", env, id, got[id], sql)
			}
		}
	}
}
