package snowflake_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/meshc/meshc/internal/meshtest"
)

var stringLiteral = regexp.MustCompile(`'(?:[^'\\]|''|\\.)*'`)

// unquote reads a Snowflake single-quoted literal back: ” and \' are a
// quote, \\ a backslash, \xhh the character of that code.
func unquote(t *testing.T, lit string) string {
	t.Helper()
	if len(lit) < 2 || lit[0] != '\'' || lit[len(lit)-1] != '\'' {
		t.Fatalf("not a string literal: %s", lit)
	}
	var b strings.Builder
	body := lit[1 : len(lit)-1]
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case c == '\\' && i+3 < len(body) && body[i+1] == 'x':
			n, err := strconv.ParseUint(body[i+2:i+4], 16, 8)
			if err != nil {
				t.Fatalf("a bad \\x escape in %s", lit)
			}
			b.WriteByte(byte(n))
			i += 3
		case c == '\\' && i+1 < len(body):
			i++
			b.WriteByte(body[i])
		case c == '\'' && i+1 < len(body) && body[i+1] == '\'':
			i++
			b.WriteByte('\'')
		case c == '\'':
			t.Fatalf("a lone quote ends the literal early: %s", lit)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// TestHostile builds testdata/cases/hostile.txtar, whose strings hold
// quotes, backslashes, $$, comments and semicolons, and reads every
// statement back: the script must hold exactly the statements meshc
// writes, and every string must come back as the mesh wrote it.
func TestHostile(t *testing.T) {
	res, _ := meshtest.CompileArchive(t, "testdata/cases/hostile.txtar")
	if res.Plan == nil {
		t.Fatalf("compile: %v", res.Diagnostics)
	}
	s := readBack(t, build(t, res.Plan))
	// The domain's script, then retired-graphs.sql.
	want := "table suspend task cleanup task task task task enable retire retire"
	if got := strings.Join(s.kinds, " "); got != want {
		t.Fatalf("statements %q, want %q", got, want)
	}
	p := res.Plan.Products[0]
	task := func(name string) *readTask {
		rt := s.tasks["DB.D.P$"+name]
		if rt == nil {
			t.Fatalf("no task %s", name)
		}
		return rt
	}

	// The product's description holds a NUL, which its root's COMMENT
	// drops, and an escape, which it keeps.
	marker := "[meshc " + res.Plan.Name + "/" + res.Plan.Environment.Name + "] "
	if got, want := unquote(t, task("START").comment), marker+"d.p: "+strings.ReplaceAll(p.Description, "\x00", ""); got != want {
		t.Errorf("the root's comment reads back as %q, want %q", got, want)
	}

	// The step whose SQL holds $$ is quoted as a string, and reads back
	// as the block meshc wrapped around the step's SQL.
	var sql string
	var name string
	var options []string
	for _, st := range p.Steps {
		for _, a := range st.Args {
			switch a.Name {
			case "sql":
				sql = a.String
			case "name":
				name = a.String
			case "options":
				options = a.List
			}
		}
	}
	body, ok := strings.CutPrefix(task("STEP$DOLLAR").body, "EXECUTE IMMEDIATE ")
	if !ok {
		t.Fatalf("the step's body is %q", task("STEP$DOLLAR").body)
	}
	// The SQL ends with a terminated statement and a comment: the block
	// ends on the next line.
	if got, want := unquote(t, body), "BEGIN\n"+sql+"\nEND;"; got != want {
		t.Errorf("the step's block reads back as\n%q\nwant\n%q", got, want)
	}

	// The procedure's arguments are literals that read back as written.
	call := task("STEP$JOB").body
	args, ok := strings.CutPrefix(call, "CALL PLATFORM.RUNNERS.RUN_JOB(")
	if !ok {
		t.Fatalf("the job's body is %q", call)
	}
	lits := stringLiteral.FindAllString(args, -1)
	if len(lits) != 1+len(options) {
		t.Fatalf("the call %q has %d string literals, want %d", call, len(lits), 1+len(options))
	}
	if got := unquote(t, lits[0]); got != name {
		t.Errorf("name reads back as %q, want %q", got, name)
	}
	var got []string
	for _, lit := range lits[1:] {
		got = append(got, unquote(t, lit))
	}
	if strings.Join(got, "\x00") != strings.Join(options, "\x00") {
		t.Errorf("options read back as %q, want %q", got, options)
	}
}
