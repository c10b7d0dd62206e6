package plan

import (
	"time"

	"github.com/meshc/meshc/internal/shell"
	"github.com/meshc/meshc/lang/diag"
)

// Target holds one target's settings: the standard library's defaults with
// the user's target block over them, setting by setting. The compiler has
// checked every value; a target reads them as they are.
type Target struct {
	Name    string
	Options map[string]*Option
	Jobs    map[string]*JobTemplate // by runner name
	Test    *JobTemplate            // nil when the target has none
	Range   diag.Range              // the user's target block; zero without one
}

// Option is one target setting. Range is where it was set, in the user's
// files or the standard library's.
type Option struct {
	String   string
	Strings  []string // nil unless the setting is a list
	Number   int64
	Duration time.Duration // for duration settings, such as timeout = "1h"
	Default  bool          // set by the standard library, not the mesh
	Range    diag.Range
}

// Text returns a text option's value, or "" when it is not set.
func (t *Target) Text(name string) string {
	if o := t.Options[name]; o != nil {
		return o.String
	}
	return ""
}

// JobTemplate says how a target runs a runner's steps, or the tests.
type JobTemplate struct {
	Runner   string // empty for the test template
	Image    string
	Operator string   // Airflow: bash or sql
	Kind     string   // Snowflake: statements, dbt or sql
	SQL      string   // Snowflake: the statement of kind sql, with {{param}} placeholders (see internal/snowsql)
	Script   []string // lines with {{param}} placeholders (see internal/shell)
	// Lines is Script parsed as one script, a template per line. The
	// targets render these rather than parsing lines again, so that they
	// fill in exactly what the compiler checked.
	Lines     []*shell.Template
	Variables []Variable
	Range     diag.Range // the block that set the script
}

// Variable is an environment variable of a job.
type Variable struct {
	Name  string
	Value string
	Range diag.Range
}
