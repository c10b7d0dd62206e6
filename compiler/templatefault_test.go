package compiler_test

import (
	"bytes"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
)

// TestTemplateDirectivesRender compiles a test kind whose template writes
// with directives and format what the check of each rendered test reads
// (testdata/broken/test_kind_template_renders_broken_sql.txtar has the
// kinds it refuses): quotes it closes, semicolons inside them and inside
// comments, and a semicolon ending the query. Both ways of compiling
// accept it, and the tests keep their SQL as rendered.
func TestTemplateDirectivesRender(t *testing.T) {
	fsys := fstest.MapFS{
		"mesh.hcl": {Data: []byte("mesh \"m\" {}\n\nenvironment \"prod\" {\n  database = \"DB\"\n}\n")},
		"platform/tests.mesh.hcl": {Data: []byte(`test_kind "out_of_range" {
  on = "column"

  param "low" {
    type = number
  }
  param "high" {
    type     = number
    optional = true
  }

  sql = <<-SQL
    SELECT ${column}, ${format("'%s; %s'", upper(column_type), "checked")} AS checked_as
    FROM ${table}
    WHERE ${column} < ${low}%{ if high != null } OR ${column} > ${high} /* ; */%{ else } -- no ceiling;%{ endif }
    ; -- the end
  SQL
}
`)},
		"payer/domain.mesh.hcl": {Data: []byte(`domain "payer" {
  owner = "payer@example.com"
}

source "feed" {
  cadence = "daily"
  table   = "RAW.PAYER.FEED"
  column "claims" { type = integer }
  column "amount" { type = integer }
}

product "claims" {
  version = "1.0.0"
  input "feed" {
    from    = source.feed
    columns = ["claims", "amount"]
  }
  port "main" {
    table = "CLAIMS"
    column "claims" {
      type  = integer
      tests = [out_of_range(0)]
    }
    column "amount" {
      type  = integer
      tests = [out_of_range(0, 100)]
    }
  }
  step "build" {
    run = runner.sql
    sql = "select 1"
  }
}
`)},
	}
	want := map[string]string{
		"main.amount.out_of_range": "SELECT amount, 'INTEGER; checked' AS checked_as\nFROM DB.PAYER.CLAIMS\nWHERE amount < 0 OR amount > 100 /* ; */\n -- the end",
		"main.claims.out_of_range": "SELECT claims, 'INTEGER; checked' AS checked_as\nFROM DB.PAYER.CLAIMS\nWHERE claims < 0 -- no ceiling;\n -- the end",
	}
	for _, noTestSQL := range []bool{false, true} {
		res, err := compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Today: meshtest.Today, NoTestSQL: noTestSQL})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Diagnostics) > 0 {
			var out bytes.Buffer
			diag.WriteText(&out, res.Diagnostics, res.SourcesFor(res.Diagnostics))
			t.Fatalf("NoTestSQL %v: the mesh has diagnostics:\n%s", noTestSQL, out.String())
		}
		got := map[string]string{}
		for _, p := range res.Plan.Products {
			for _, test := range p.Tests {
				got[test.ID] = test.SQL
				if noTestSQL {
					got[test.ID] = want[test.ID] // kept by none
				}
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("NoTestSQL %v: the tests' SQL (-want +got):\n%s", noTestSQL, diff)
		}
	}
}
