package compiler

import (
	"strings"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/credscan"
)

// fileCredentials reports the credentials found in a step's SQL file
// (credscan.FindAll), each where it is written: at its line and column in
// the file (sqlRange), as loading reports one in an inline sql argument.
// The file is committed, and the airflow and snowflake targets carry its
// text into what they generate.
func (c *compiler) fileCredentials(of sqlOf, at *plan.Arg, sql string, found []credscan.Match) {
	for _, m := range found {
		first, _, _ := strings.Cut(sql[m.Start:m.End], "\n") // a private key's block goes on
		fix := "keep it in a vault, or in a Snowflake secret created outside the mesh, which the SQL names"
		if strings.HasSuffix(m.What, " in SQL") {
			fix = "keep it in a Snowflake secret created outside the mesh, which the SQL names; a stage can take a storage integration rather than keys"
		}
		c.errorf("literal-credential", c.sqlRange(at, sql, m.Start, m.Start+len(first)), "Credential written as a literal",
			"The file %s, the SQL of %s of %s, holds %s. Credentials must never be committed, and the airflow and snowflake targets copy the file's text into what they generate: remove it from the file and %s.",
			at.String, of, of.ps.plan.ID, m.What, fix)
	}
}
