package compiler

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/shell"
	"github.com/meshc/meshc/internal/snowsql"
	"github.com/meshc/meshc/internal/suggest"
	"github.com/meshc/meshc/lang/ast"
)

// optionValues lists the values a text option may take, for the options
// that take one of a few.
var optionValues = map[string][]string{
	"granularity":            {"product", "domain"},
	"trigger_strategy":       {"depend", "mirror"},
	"compute":                {"warehouse", "serverless"},
	"overlap_policy":         {"NO_OVERLAP", "ALLOW_CHILD_OVERLAP", "ALLOW_ALL_OVERLAP"},
	"initial_warehouse_size": {"XSMALL", "SMALL", "MEDIUM", "LARGE", "XLARGE", "XXLARGE"},
}

// longestDurations are the longest durations the targets take for their
// duration settings, by target.option. Snowflake's are from CREATE TASK's
// reference: USER_TASK_TIMEOUT_MS is at most 604800000 (7 days), and
// TARGET_COMPLETION_INTERVAL at most 24 hours. (Their shortest, 0 and 10
// seconds, are below a mesh's shortest duration, a minute.) GitLab refuses
// a job timeout over a month ("timeout config should not exceed the
// limit"). Airflow's execution_timeout has none. A longer one would be
// refused when the script runs or the pipeline is created.
var longestDurations = map[string]struct {
	duration             time.Duration
	summary, what, limit string
}{
	"snowflake.timeout":                    {7 * 24 * time.Hour, "Task timeout too long for Snowflake", "USER_TASK_TIMEOUT_MS of every task, which Snowflake", "7 days (604800000 ms)"},
	"snowflake.target_completion_interval": {24 * time.Hour, "Completion interval too long for Snowflake", "TARGET_COMPLETION_INTERVAL of serverless triggered roots, which Snowflake", "24 hours"},
	"gitlab.timeout":                       {30 * 24 * time.Hour, "Job timeout too long for GitLab", "timeout of every step and test job, which GitLab", "a month"},
}

var variableName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// maxScheduleLimit bounds the gitlab schedule_limit setting.
const maxScheduleLimit = 1_000_000

// MaxJobLimit bounds the gitlab job_limit setting and --job-limit.
const MaxJobLimit = 1_000_000

// targets merges each target's settings, the user's over the standard
// library's, and checks them: a setting a target reads is always valid.
func (c *compiler) targets() {
	c.plan.Targets = map[string]*plan.Target{}
	user := map[string]*ast.Target{}
	for _, t := range c.mesh.Targets {
		pt := c.plan.Targets[t.Name]
		if pt == nil {
			pt = &plan.Target{Name: t.Name, Options: map[string]*plan.Option{}, Jobs: map[string]*plan.JobTemplate{}}
			c.plan.Targets[t.Name] = pt
		}
		if !t.Stdlib {
			if first := user[t.Name]; first != nil {
				c.errorf("duplicate-block", t.NameRange, "Second target block",
					"The %s target's settings are already declared at %s; a mesh has one target %q block. Merge the two.", t.Name, first.DeclRange, t.Name)
				// Check it anyway, into settings nothing reads, so that
				// its own mistakes are reported too.
				pt = &plan.Target{Name: t.Name, Options: map[string]*plan.Option{}, Jobs: map[string]*plan.JobTemplate{}}
			} else {
				user[t.Name] = t
				pt.Range = t.DeclRange
			}
		}
		for name, o := range t.Options {
			if po := c.option(t.Name, name, o); po != nil {
				po.Default = t.Stdlib
				pt.Options[name] = po
			}
		}
		c.jobTemplates(pt, t)
	}
}

// option checks one setting of a target; it returns nil when the value is
// bad.
func (c *compiler) option(target, name string, o *ast.Option) *plan.Option {
	if o.String.Bad || o.Strings.Bad || (!o.String.Set && !o.Strings.Set && !o.Number.Set) {
		return nil // reported when loading
	}
	po := &plan.Option{String: o.String.V, Number: o.Number.V, Range: o.Range}
	if o.Strings.Set {
		po.Strings = o.Strings.Values() // nil for a setting that is no list
	}
	switch key := target + "." + name; {
	case optionValues[name] != nil:
		if !slices.Contains(optionValues[name], o.String.V) {
			c.errorf("invalid-value", o.String.Range, fmt.Sprintf("Invalid %s", name),
				"%s is one of %s, not %q.%s", name, orList(optionValues[name]), o.String.V, suggest.DidYouMean(o.String.V, optionValues[name]))
			return nil
		}
	case key == "gitlab.job_limit":
		if o.Number.V < 1 || o.Number.V > MaxJobLimit {
			c.errorf("invalid-value", o.Number.Range, "Invalid job limit",
				"job_limit is the most jobs one pipeline may have on your GitLab plan (500 on GitLab.com Free, more on paid plans), a whole number from 1 to %d, not %d.", MaxJobLimit, o.Number.V)
			return nil
		}
	case key == "gitlab.schedule_limit":
		if o.Number.V < 1 || o.Number.V > maxScheduleLimit {
			c.errorf("invalid-value", o.Number.Range, "Invalid schedule limit",
				"schedule_limit is the most pipeline schedules a project may have on your GitLab plan or instance (10 by default), a whole number from 1 to %d, not %d.", maxScheduleLimit, o.Number.V)
			return nil
		}
	case key == "gitlab.mesh_dir":
		if !ValidRepoDir(o.String.V) {
			c.errorf("invalid-value", o.String.Range, "Invalid mesh_dir",
				"mesh_dir is the mesh root's folder inside the repository, a clean relative path with slashes such as \"analytics/mesh\", or \".\" when the mesh is the repository.")
			return nil
		}
	case key == "gitlab.tags":
		for _, s := range o.Strings.V {
			if strings.TrimSpace(s.V) == "" || strings.ContainsAny(s.V, "\n\r") {
				c.errorf("invalid-value", s.Range, "Invalid tag", "A runner tag is a non-empty name on one line, such as \"snowflake\".")
				return nil
			}
		}
	case key == "airflow.tags":
		for _, s := range o.Strings.V {
			// Airflow keeps a tag in 100 characters.
			if strings.TrimSpace(s.V) == "" || strings.ContainsFunc(s.V, unicode.IsControl) || len(s.V) > 100 {
				c.errorf("invalid-value", s.Range, "Invalid tag", "A DAG tag is a non-empty name on one line of at most 100 bytes, such as \"commercial\".")
				return nil
			}
		}
	case key == "airflow.version":
		if o.Number.V != 2 && o.Number.V != 3 {
			c.errorf("invalid-value", o.Number.Range, "Invalid Airflow version",
				"version is the Airflow major version the DAGs are for: 3, or 2 for Airflow 2.9 and 2.10.")
			return nil
		}
	case key == "airflow.max_active_runs":
		if o.Number.V < 1 || o.Number.V > 1000 {
			c.errorf("invalid-value", o.Number.Range, "Invalid max_active_runs",
				"max_active_runs is how many runs of one product's DAG may run at once, a whole number from 1 to 1000; 1 keeps two runs from writing the same tables.")
			return nil
		}
	case key == "snowflake.target_completion_interval" || key == "snowflake.timeout" || key == "gitlab.timeout" || key == "airflow.timeout":
		d, ok := c.duration(o.String)
		if !ok {
			return nil
		}
		if most, ok := longestDurations[key]; ok && d > most.duration {
			c.errorf("invalid-value", o.String.Range, most.summary,
				"%s is the %s allows up to %s; %q is longer. Write at most %q.", name, most.what, most.limit, o.String.V, plan.FormatDuration(most.duration))
			return nil
		}
		po.Duration = d
	case key == "snowflake.suspend_after_failures":
		if o.Number.V < 0 || o.Number.V > 1_000_000 {
			c.errorf("invalid-value", o.Number.Range, "Invalid suspend_after_failures",
				"suspend_after_failures is how many runs of a task graph in a row may fail before Snowflake suspends it, a whole number; 0 never suspends.")
			return nil
		}
	case key == "snowflake.warehouse" || key == "snowflake.dbt_project" || key == "snowflake.secrets_schema":
		want := map[string]struct {
			parts         int
			what, example string
		}{
			"snowflake.warehouse":      {1, "a warehouse's name, one identifier that needs no quotes (a warehouse is in no database or schema, so its name has no dots)", "TRANSFORM_WH"},
			"snowflake.dbt_project":    {3, "a dbt project object's name, qualified or not: one to three identifiers that need no quotes, separated by dots", "ANALYTICS.DBT.MESH_PROJECT"},
			"snowflake.secrets_schema": {2, "a schema's name, qualified or not: one or two identifiers that need no quotes, separated by dots", "PLATFORM.SECRETS"},
		}[key]
		if fault := objectNameFault(o.String.V, want.parts); fault != "" {
			c.errorf("invalid-value", o.String.Range, fmt.Sprintf("Invalid %s", name),
				"%s is %s, such as %q: an identifier is a letter or underscore, then letters, digits, _ and $. %q is not: %s.", name, want.what, want.example, clipName(o.String.V), fault)
			return nil
		}
	case key == "airflow.conn_id":
		if !connectionID.MatchString(o.String.V) {
			c.errorf("invalid-value", o.String.Range, "Invalid conn_id", connectionIDRule, "conn_id")
			return nil
		}
	case key == "airflow.mesh_path":
		if !path.IsAbs(o.String.V) || path.Clean(o.String.V) != o.String.V || strings.ContainsFunc(o.String.V, unicode.IsControl) {
			c.errorf("invalid-value", o.String.Range, "Invalid mesh_path",
				"mesh_path is where the mesh's root folder is on the Airflow workers, a clean absolute path such as \"/opt/airflow/mesh\".")
			return nil
		}
	default:
		if strings.TrimSpace(o.String.V) == "" || strings.ContainsAny(o.String.V, "\n\r") {
			c.errorf("invalid-value", o.String.Range, fmt.Sprintf("Invalid %s", name), "%s is a non-empty value on one line.", name)
			return nil
		}
	}
	return po
}

// jobTemplates merges a target block's job templates into pt, checking
// that each names a runner and uses only that runner's parameters.
func (c *compiler) jobTemplates(pt *plan.Target, t *ast.Target) {
	seen := map[string]*ast.JobTemplate{}
	for _, j := range t.Jobs {
		r := c.runners[j.Runner]
		if r == nil {
			c.unknown("runner", j.Runner, "in the mesh or the standard library", j.NameRange, sortedKeys(c.runners))
			continue
		}
		if first := seen[j.Runner]; first != nil {
			c.duplicate("job template", j.Runner, j.NameRange, first.NameRange)
			continue
		}
		seen[j.Runner] = j
		params := make([]string, len(r.Params))
		lists := map[string]bool{}
		for i, p := range r.Params {
			params[i] = p.Name
			lists[p.Name] = strings.HasPrefix(p.Type, "list")
		}
		what := fmt.Sprintf("runner %s", j.Runner)
		job := c.jobTemplate(pt.Jobs[j.Runner], j, params, lists, what)
		switch pt.Name {
		case "gitlab":
			c.needScript(job, j, what)
		case "airflow":
			c.airflowTask(job, j, r)
		case "snowflake":
			c.snowflakeTask(job, j, r)
		}
		pt.Jobs[j.Runner] = job
	}
	if t.Test != nil {
		pt.Test = c.jobTemplate(pt.Test, t.Test, []string{"sql"}, nil, "the tests")
		c.needScript(pt.Test, t.Test, "the tests")
	}
}

// jobTemplate checks a template and lays it over base (nil when there is
// none): each setting written replaces base's.
func (c *compiler) jobTemplate(base *plan.JobTemplate, j *ast.JobTemplate, params []string, lists map[string]bool, what string) *plan.JobTemplate {
	out := &plan.JobTemplate{Runner: j.Runner, Range: j.DeclRange}
	if base != nil {
		*out = *base
	}
	if j.Image.Set {
		if strings.TrimSpace(j.Image.V) == "" || strings.ContainsAny(j.Image.V, "\n\r") {
			c.errorf("invalid-value", j.Image.Range, "Invalid image", "image names a container image on one line, such as \"python:3.12-slim\".")
		}
		out.Image = j.Image.V
	}
	if j.Script.Set {
		out.Script, out.Range = nil, j.DeclRange
		if len(j.Script.V) == 0 && !j.Script.Bad {
			c.errorf("invalid-value", j.Script.Range, "Empty script", "A job runs at least one command: list the script's lines, such as [\"python {{script}} {{args}}\"].")
		}
		for _, line := range j.Script.V {
			out.Script = append(out.Script, line.V)
		}
		// As one script: Airflow runs the lines as one command, where a
		// quote or here-document one line opens holds the next.
		templates, errs := shell.ParseScript(out.Script)
		out.Lines = templates
		for i, t := range templates {
			if errs[i] != nil {
				c.errorf("invalid-template", j.Script.V[i].Range, "Invalid script line", "%s.", strings.TrimSuffix(errs[i].Error(), "."))
				continue
			}
			c.scriptLine(t, j.Script.V[i], params, lists, what)
		}
	}
	if j.Operator.Set {
		out.Operator = j.Operator.V
	}
	if j.Kind.Set {
		out.Kind = j.Kind.V
	}
	if j.SQL.Set {
		out.SQL = j.SQL.V
	}
	if j.Variables.Set {
		out.Variables = nil
		seen := map[string]bool{}
		for _, e := range j.Variables.Entries {
			switch {
			case !variableName.MatchString(e.Key):
				c.errorf("invalid-name", e.KeyRange, "Invalid variable name", "A variable name is made of letters, digits and _, not starting with a digit, such as DBT_PROFILES_DIR.")
			case seen[e.Key]:
				c.errorf("duplicate-name", e.KeyRange, "Duplicate variable", "The variable %s is set twice in this block; remove one.", e.Key)
			case strings.HasPrefix(e.Key, "MESHC_") || meshcVariables[e.Key] != "":
				c.errorf("invalid-name", e.KeyRange, "Variable that meshc sets",
					"meshc sets %s in every job and task it generates%s, so a runner's value would replace it%s. Remove the entry.%s",
					e.Key, meshcVariables[e.Key], variableHarm(e.Key), meshcVariableFix(e.Key))
			default:
				seen[e.Key] = true
				out.Variables = append(out.Variables, plan.Variable{Name: e.Key, Value: e.Value.V, Range: e.Value.Range})
			}
		}
		slices.SortFunc(out.Variables, func(a, b plan.Variable) int { return strings.Compare(a.Name, b.Name) })
	}
	return out
}

// meshcVariables are the variables meshc sets in the jobs and tasks it
// generates, other than its own MESHC_ ones, with what they hold.
var meshcVariables = map[string]string{
	"SNOWFLAKE_DATABASE":  " (the environment's database)",
	"SNOWFLAKE_SCHEMA":    " (the domain's schema, with the environment's schema_prefix)",
	"SNOWFLAKE_WAREHOUSE": " (the environment's warehouse)",
	"SNOWFLAKE_ROLE":      " (the environment's role)",
	"DBT_TARGET":          " (the environment's dbt_target)",
}

// variableHarm says what replacing a variable meshc sets would do.
func variableHarm(name string) string {
	if strings.HasPrefix(name, "MESHC_") {
		return ": a step would be told another product, step, test or environment than its own"
	}
	return ": every environment's jobs would read and write where this value points, a dev build's as a prod build's"
}

// meshcVariableFix says where the value of a variable meshc sets comes
// from, for one a runner block sets.
func meshcVariableFix(name string) string {
	if strings.HasPrefix(name, "MESHC_") {
		return " Variables named MESHC_ are meshc's."
	}
	return " To change it, change the environment block."
}

// scriptLine checks the placeholders of a script line, parsed.
func (c *compiler) scriptLine(t *shell.Template, line ast.String, params []string, lists map[string]bool, what string) {
	for _, name := range t.Names() {
		if len(params) == 0 {
			c.errorf("invalid-template", line.Range, "Unknown placeholder",
				"{{%s}} names no parameter: %s has no parameters, so its script takes no placeholders.", name, what)
		} else if !slices.Contains(params, name) {
			c.errorf("invalid-template", line.Range, "Unknown placeholder",
				"{{%s}} names no parameter of %s, whose placeholders are: %s.%s", name, what, strings.Join(wrapEach(params), ", "), suggest.DidYouMean(name, params))
		} else if lists[name] && t.Glued(name) {
			c.errorf("invalid-template", line.Range, "List placeholder inside a word",
				"{{%s}} is a list, whose second value would start a shell word of its own: put spaces around the placeholder, such as \"cmd {{%s}}\".", name, name)
		}
	}
}

// ValidRepoDir reports whether d names a folder inside a repository as
// generated files may refer to it: a clean relative slash path, "." for
// the repository's root, without "..", backslashes or control characters.
func ValidRepoDir(d string) bool {
	return d != "" && !path.IsAbs(d) && path.Clean(d) == d && d != ".." && !strings.HasPrefix(d, "../") &&
		!strings.ContainsFunc(d, func(r rune) bool { return r == '\\' || unicode.IsControl(r) })
}

func wrapEach(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "{{" + n + "}}"
	}
	return out
}

// needScript reports a job template that runs a script but has none: a
// runner block for a runner the standard library's block does not cover.
func (c *compiler) needScript(job *plan.JobTemplate, j *ast.JobTemplate, what string) {
	if len(job.Script) == 0 && !j.Script.Set && !j.Script.Bad {
		c.errorf("missing-attribute", j.DeclRange, "Job template without a script",
			"No script says how to run %s: the standard library has none to start from. Add script = [\"...\"], the shell commands of the job, with {{param}} placeholders for the step's arguments.", what)
	}
}

// airflowOperators are the operators an Airflow runner block picks from.
var airflowOperators = []string{"bash", "sql"}

// airflowTask checks an Airflow runner block, merged into job. A bash task
// runs the script; an sql task runs the step's SQL, which comes from the
// runner's sql or file parameter, so it takes no script.
func (c *compiler) airflowTask(job *plan.JobTemplate, j *ast.JobTemplate, r *plan.Runner) {
	if j.Operator.Bad {
		return // reported when loading: what the task needs is not known
	}
	if job.Operator == "" {
		job.Operator = "bash"
	}
	if !slices.Contains(airflowOperators, job.Operator) {
		c.errorf("invalid-value", j.Operator.Range, "Unknown operator",
			"operator is bash (a BashOperator running the script) or sql (an SQLExecuteQueryOperator running the step's SQL), not %q.%s", job.Operator, suggest.DidYouMean(job.Operator, airflowOperators))
		return
	}
	if job.Operator != "sql" {
		c.needScript(job, j, "runner "+r.Name)
		if j.Variables.Set {
			c.airflowVariables(job.Variables)
		}
		return
	}
	if j.Script.Set || j.Variables.Set {
		c.errorf("invalid-value", j.DeclRange, "Script on an sql task",
			"An sql task runs the step's SQL on the environment's Snowflake connection; it has no script or variables. Remove them, or use operator = \"bash\".")
	}
	job.Script, job.Variables = nil, nil // the standard library's, for another operator
	if !slices.ContainsFunc(r.Params, func(p *plan.Param) bool {
		return (p.Name == "sql" && p.Type == "string") || (p.Name == "file" && p.Type == "file")
	}) {
		c.errorf("invalid-value", j.DeclRange, "No SQL for an sql task",
			"An sql task runs the SQL of the step's sql argument (a string) or the content of its file argument (a file), but runner %s has neither parameter. Use operator = \"bash\" with a script.", r.Name)
	}
}

// airflowVariables refuses variables that refer to others: a Bash task's
// env is passed to the process as written, so "$SNOWFLAKE_PASSWORD",
// which GitLab would fill in, reaches the task as that text, and with
// append_env it even hides the worker's own value. A $ inside a word, as
// in the Snowflake name PHARMA$PROD, is taken as written.
func (c *compiler) airflowVariables(vars []plan.Variable) {
	for _, v := range vars {
		if ref := strings.TrimLeft(variableReference.FindString(v.Value), ":=/"); ref != "" {
			c.errorf("invalid-value", v.Range, "Variable reference on Airflow",
				"Airflow passes a task's variables as written, without expanding %s: the task's %s would be the text %q. Every task keeps the worker's own environment, so to use the worker's variable leave the entry out, or set it in the script, where the shell expands it (export %s=\"%s\"); to pass a credential, give the step a secret argument.", ref, v.Name, v.Value, v.Name, v.Value)
		}
	}
}

// variableReference matches what reads as a shell variable's expansion:
// ${...} anywhere, or $NAME starting the value or a part of it after :, =
// or / (a search path, --user=$USER, $HOME/bin).
var variableReference = regexp.MustCompile(`\$\{[^}]*\}?|(^|[:=/])\$[A-Za-z_][A-Za-z0-9_]*`)

// objectNameFault says what keeps s from naming a Snowflake object by 1
// to most dot-separated identifiers that need no quotes, as a clause such
// as "it has 4 parts", or is "" when it names one.
func objectNameFault(s string, most int) string {
	parts := strings.Split(s, ".")
	if len(parts) > most {
		return fmt.Sprintf("it has %d parts", len(parts))
	}
	for _, p := range parts {
		if fault := identifierFault(p); fault != "" {
			if len(parts) > 1 {
				return fmt.Sprintf("of its parts, %q is not one, as %s", clipName(p), fault)
			}
			return fault
		}
	}
	return ""
}

// snowflakeKinds are the kinds of Snowflake task a runner block picks
// from.
var snowflakeKinds = []string{"statements", "dbt", "sql"}

// snowflakeTask checks a Snowflake runner block, merged into job: a task
// that runs the step's statements (its sql or file argument), a dbt
// project's build (its select argument), or a statement written in the
// block, such as a CALL, whose placeholders are the step's arguments.
func (c *compiler) snowflakeTask(job *plan.JobTemplate, j *ast.JobTemplate, r *plan.Runner) {
	if j.SQL.Set && !j.Kind.Set {
		job.Kind = "sql" // writing a statement picks the kind
	}
	if j.Kind.Set && j.Kind.V != "sql" && !j.SQL.Set {
		job.SQL = "" // the standard library's, for another kind
	}
	has := func(name, typ string) bool {
		return slices.ContainsFunc(r.Params, func(p *plan.Param) bool { return p.Name == name && p.Type == typ })
	}
	at := j.DeclRange
	switch job.Kind {
	case "statements":
		if !has("sql", "string") && !has("file", "file") {
			c.errorf("invalid-value", at, "No statements for the task",
				"A task of kind statements runs the step's sql argument (a string) or the content of its file argument (a file), but runner %s has neither parameter. Write the task's statement instead: sql = \"CALL ...\".", r.Name)
		}
	case "dbt":
		if !has("select", "string") {
			c.errorf("invalid-value", at, "No selection for the dbt task",
				"A task of kind dbt runs EXECUTE DBT PROJECT with the step's select argument, but runner %s has no select parameter (a string).", r.Name)
		}
	case "sql":
		if job.SQL == "" {
			if !j.SQL.Bad { // else reported when loading
				c.errorf("missing-attribute", at, "Task without a statement", "A task of kind sql runs the statement in sql = \"...\", such as sql = \"CALL PLATFORM.JOBS.RUN({{job}})\".")
			}
			return
		}
		t, err := snowsql.Parse(job.SQL)
		if err != nil {
			c.errorf("invalid-template", j.SQL.Range, "Invalid SQL template", "%s.", err)
			return
		}
		params := make([]string, len(r.Params))
		for i, p := range r.Params {
			params[i] = p.Name
		}
		for _, name := range t.Names() {
			if !slices.Contains(params, name) {
				c.errorf("invalid-template", j.SQL.Range, "Unknown placeholder",
					"{{%s}} names no parameter of runner %s, whose placeholders are: %s.%s", name, r.Name, strings.Join(wrapEach(params), ", "), suggest.DidYouMean(name, params))
			}
		}
	case "":
		if j.Kind.Bad || j.SQL.Bad {
			return // reported when loading: the kind is not known
		}
		c.errorf("missing-attribute", at, "Snowflake task without a kind",
			"Say how Snowflake runs runner %s: kind = \"statements\" (the step's SQL), kind = \"dbt\", or a statement with sql = \"CALL ...\".", r.Name)
	default:
		c.errorf("invalid-value", j.Kind.Range, "Unknown kind",
			"kind is statements, dbt or sql, not %q.%s", job.Kind, suggest.DidYouMean(job.Kind, snowflakeKinds))
	}
}
