package compiler_test

import (
	"testing"
	"testing/fstest"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/lang/load"
)

// TestTestPlaceholdersFilled checks that a test's sql arguments have
// their input placeholders filled with the input's table in the
// environment compiled for, which every target runs as the plan holds
// it, whether the argument is the whole query or part of the kind's.
func TestTestPlaceholdersFilled(t *testing.T) {
	fsys := fstest.MapFS{
		"mesh.hcl": {Data: []byte(`mesh "m" {}

environment "prod" {
  database = "DB"
}

environment "dev" {
  database      = "DB_DEV"
  schema_prefix = "DEV_"
}
`)},
		"physician/domain.mesh.hcl": {Data: []byte(`domain "physician" {
  owner = "physician@example.com"
}

product "prescribers" {
  version = "1.0.0"
  port "prescribers" {
    visibility = "public"
    table      = "PRESCRIBERS"
    column "npi" { type = string(10) }
  }
  step "build" {
    run = runner.sql
    sql = "select 1"
  }
  schedule { cadence = "daily" }
}
`)},
		"sales/domain.mesh.hcl": {Data: []byte(`domain "sales" {
  owner = "sales@example.com"
}

product "targets" {
  version = "1.0.0"
  input "doctors" {
    from    = domain.physician.product.prescribers.port.prescribers
    columns = ["npi"]
  }
  port "targets" {
    table = "TARGETS"
    column "npi" { type = string(10) }
    tests = [expression("npi IN (SELECT npi FROM {{input.doctors}})")]
  }
  step "build" {
    run = runner.sql
    sql = "CREATE OR REPLACE TABLE TARGETS AS SELECT npi FROM {{ input.doctors }}"
  }
  test "all_known" {
    check = custom_sql(<<-SQL
      SELECT t.npi
      FROM TARGETS t LEFT JOIN {{ input.doctors }} p ON p.npi = t.npi
      WHERE p.npi IS NULL AND t.npi <> '{{x}}' -- {{ not one }}
    SQL
    )
  }
}
`)},
	}
	for env, want := range map[string]map[string]string{
		"prod": {
			"all_known":          "SELECT t.npi\nFROM TARGETS t LEFT JOIN DB.PHYSICIAN.PRESCRIBERS p ON p.npi = t.npi\nWHERE p.npi IS NULL AND t.npi <> '{{x}}' -- {{ not one }}",
			"targets.expression": "SELECT * FROM DB.SALES.TARGETS WHERE NOT (npi IN (SELECT npi FROM DB.PHYSICIAN.PRESCRIBERS))",
		},
		"dev": {
			"all_known":          "SELECT t.npi\nFROM TARGETS t LEFT JOIN DB_DEV.DEV_PHYSICIAN.PRESCRIBERS p ON p.npi = t.npi\nWHERE p.npi IS NULL AND t.npi <> '{{x}}' -- {{ not one }}",
			"targets.expression": "SELECT * FROM DB_DEV.DEV_SALES.TARGETS WHERE NOT (npi IN (SELECT npi FROM DB_DEV.DEV_PHYSICIAN.PRESCRIBERS))",
		},
	} {
		res, err := compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Env: env, Today: today})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Diagnostics) > 0 || res.Plan == nil {
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
