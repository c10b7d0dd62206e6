package load_test

import (
	"testing"
	"testing/fstest"

	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/load"
)

// TestColumnGovernance checks what a column's Classification and Masking
// give, written or not, in a file the quick parser reads and one HCL's
// parser reads (a template): an absent attribute is unset, at the column
// block's range, as every absent attribute is (Column.Governed is nil
// only when both are absent).
func TestColumnGovernance(t *testing.T) {
	const columns = `
    column "none" { type = integer }
    column "masked" {
      type    = string
      masking = "hash"
    }
    column "classified" {
      type           = string
      classification = "pii"
    }
    column "bad" {
      type           = string
      classification = 5
    }
`
	for name, description := range map[string]string{"quick": `"d"`, "hcl": `"${"d"}"`} {
		fsys := fstest.MapFS{
			"mesh.hcl": {Data: []byte("mesh \"m\" {}\n")},
			"a/domain.mesh.hcl": {Data: []byte(`domain "a" {
  owner = "a@example.com"
}

product "p" {
  description = ` + description + `
  port "main" {` + columns + `  }
}
`)},
		}
		m, _, _ := load.Load(load.Tree{FS: fsys}, load.Tree{})
		cols := map[string]*ast.Column{}
		for _, c := range m.Domains[0].Products[0].Ports[0].Columns {
			cols[c.Name] = c
		}
		absent := func(c *ast.Column, s ast.String, what string) {
			if s != (ast.String{Range: c.DeclRange}) {
				t.Errorf("%s: column %s's %s is %+v, not absent at the block", name, c.Name, what, s)
			}
		}
		if c := cols["none"]; c.Governed != nil {
			t.Errorf("%s: column none has %+v", name, c.Governed)
		} else {
			absent(c, c.Classification(), "classification")
			absent(c, c.Masking(), "masking")
		}
		if c := cols["masked"]; c.Masking().V != "hash" || !c.Masking().Set {
			t.Errorf("%s: column masked's masking is %+v", name, c.Masking())
		} else {
			absent(c, c.Classification(), "classification")
		}
		if c := cols["classified"]; c.Classification().V != "pii" || !c.Classification().Set {
			t.Errorf("%s: column classified's classification is %+v", name, c.Classification())
		} else {
			absent(c, c.Masking(), "masking")
		}
		if c := cols["bad"]; !c.Classification().Bad {
			t.Errorf("%s: column bad's classification is %+v, not bad", name, c.Classification())
		}
	}
}
