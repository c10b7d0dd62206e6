package snowflake

import (
	"strings"
	"testing"

	"github.com/meshc/meshc/internal/snowsql"
)

// FuzzExecuteImmediate checks that no SQL, however it quotes, can end a
// task's body early: the CREATE TASK statement around the body and the
// statement after it stay two statements.
func FuzzExecuteImmediate(f *testing.F) {
	for _, s := range []string{"select 1", "select $$x$$", "$$", "'", "\\", "select ';' -- $$", "/* $$ */", "x'$$'y", "\\'$$"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		body := executeImmediate("BEGIN\n" + sql + "\nEND;")
		stmts := snowsql.Split("CREATE OR ALTER TASK T\nAS\n" + body + ";\nSELECT 'next';\n")
		if len(stmts) != 2 || stmts[1] != "SELECT 'next'" || !strings.HasSuffix(stmts[0], body) {
			t.Fatalf("the body of %q ends early: %q", sql, stmts)
		}
	})
}
