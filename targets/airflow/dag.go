package airflow

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/credscan"
	"github.com/meshc/meshc/internal/shell"
	"github.com/meshc/meshc/internal/snowsql"
	"github.com/meshc/meshc/lang/diag"
)

// Airflow's limits on ids (validate_key): letters, digits, _, . and -, at
// most 250 characters (ID_LEN) for a DAG or a task, whose id includes its
// TaskGroup's prefix, and, in recent Airflow 3 (apache/airflow#63296), no
// two dots in a row. (TaskGroup ids have no dot and at most 200
// characters; meshc's are "steps" and "tests".) A test's task id holds
// its column's name, a Snowflake identifier of up to 255 characters that
// may hold $: testTaskID maps it into these limits.
const maxKey = 250

// maxTag is the longest DAG tag Airflow stores.
const maxTag = 100

// validKey reports whether id is a key Airflow takes, in ASCII as meshc
// emits them: ^[A-Za-z0-9_.-]+$ (Airflow's KEY_REGEX has \w), without a
// regular expression, as there is one per task (FuzzValidKey compares).
func validKey(id string) bool {
	return id != "" && !strings.ContainsFunc(id, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_' || r == '.' || r == '-')
	})
}

// The TaskGroups of a product's DAG, and its last task.
const (
	stepsGroup  = "steps"
	testsGroup  = "tests"
	publishTask = "publish"
	// warningsTask follows the warn-severity tests whatever their
	// outcome, so that they are not leaves: Airflow fails a run whose
	// leaf fails, and a warn test's failure must not fail the run.
	warningsTask = "warnings_reported"
)

// dag is a product's DAG, before rendering.
type dag struct {
	id        string
	product   *plan.Product
	schedule  schedule
	steps     []*task
	lastSteps []*task // the steps no other step runs after
	tests     []*task
	publish   *task
	warnings  *task // nil without warn-severity tests
}

// task is one operator of a DAG.
type task struct {
	id       string // within its group
	group    string // stepsGroup, testsGroup or "" for the DAG's own
	variable string // the Python variable holding it
	operator string // the class: BashOperator, SQLCheckOperator, ...
	args     []kwarg
	upstream []*task
	outlets  []*plan.Port // the ports the task publishes
	comment  string
}

// kwarg is a keyword argument of an operator: a Python expression, or the
// items of a list or dict display, which the renderer wraps when long.
type kwarg struct {
	name, expr string
	items      []string
	brackets   string // "[]" or "{}", with items
}

// fullID is the task's id as Airflow knows it, with its group's prefix.
func (t *task) fullID() string {
	if t.group == "" {
		return t.id
	}
	return t.group + "." + t.id
}

// dag models a product's DAG and checks Airflow's limits on it.
func (b *builder) dag(p *plan.Product) *dag {
	_, id := DAG(p)
	d := &dag{id: id, product: p, schedule: b.schedule(p)}
	b.checkKey("DAG id", d.id, "the domain's and the product's names", p.Range)
	for _, tag := range p.Tags {
		if len(tag) > maxTag {
			b.errorf("airflow-limit", p.Range, "Tag too long for Airflow",
				"The product's tag %q has %d bytes; Airflow keeps a DAG's tag in %d.", tag, len(tag), maxTag)
		}
	}

	byStep := map[*plan.Step]*task{}
	for _, s := range p.Steps {
		t := b.stepTask(p, s)
		for _, a := range s.After {
			t.upstream = append(t.upstream, byStep[a])
		}
		byStep[s] = t
		d.steps = append(d.steps, t)
	}
	for _, s := range p.LastSteps() {
		d.lastSteps = append(d.lastSteps, byStep[s])
	}
	sinks := d.lastSteps

	d.publish = &task{id: publishTask, variable: publishTask, operator: "EmptyOperator",
		comment: "The product's ports are published once its steps have run and its error-severity tests have passed."}
	d.publish.args = []kwarg{arg("task_id", pyString(publishTask))}
	d.publish.outlets = p.Ports

	var gate, warned []*task
	byID := map[string]*plan.Test{}
	for _, t := range p.Tests {
		tt := b.testTask(t)
		if other := byID[tt.id]; other != nil {
			b.errorf("airflow-limit", t.Range, "Two tests with one Airflow task id",
				"Tests %s and %s (%s) would both be the task %q: their columns' names are cut to fit Airflow's %d characters, and the digits that keep cut names apart are the same. Rename one of the two columns.", t.ID, other.ID, other.Range, tt.fullID(), maxKey)
		}
		byID[tt.id] = t
		tt.upstream = sinks
		d.tests = append(d.tests, tt)
		if t.Severity == "error" {
			gate = append(gate, tt)
		} else {
			warned = append(warned, tt)
		}
	}
	if len(warned) > 0 {
		d.warnings = &task{id: warningsTask, variable: warningsTask, operator: "EmptyOperator", upstream: warned,
			comment: "Runs once the warn-severity tests are done, passed or failed: their failures are reported in their tasks but do not fail the run."}
		d.warnings.args = []kwarg{arg("task_id", pyString(warningsTask)), arg("trigger_rule", pyString("all_done"))}
	}
	// Tests of severity warn report but do not hold back publication;
	// with none of severity error, publish waits for the steps.
	if len(gate) == 0 {
		gate = sinks
	}
	d.publish.upstream = gate
	b.nameVariables(d)
	return d
}

// checkKey reports an id Airflow would refuse when it imports the DAG
// file, which would then hold none of the domain's DAGs. madeOf says
// which names of the mesh the id is made of, for the fix.
func (b *builder) checkKey(what, id, madeOf string, at diag.Range) {
	switch {
	case len(id) > maxKey:
		b.errorf("airflow-limit", at, "Id too long for Airflow",
			"The %s %q is %d characters long; Airflow allows %d, including the TaskGroup's prefix. Shorten the names it is made of: %s.", what, id, len(id), maxKey, madeOf)
	case !validKey(id):
		bad := id[strings.IndexFunc(id, func(r rune) bool { return !validKey(string(r)) }):]
		r, _ := utf8.DecodeRuneInString(bad)
		b.errorf("airflow-limit", at, fmt.Sprintf("Invalid %s for Airflow", what),
			"The %s %q holds %q, which Airflow does not allow: its ids are ASCII letters, digits, _, . and -. The id is made of %s; rename the one that holds it, or build this mesh for another target.", what, id, r, madeOf)
	}
	// Two dots in a row, which Airflow 3 refuses too, take an empty name,
	// which no mesh name is.
}

// nameVariables gives each task a Python variable, unique in the DAG: its
// group and its id with dots written as "__" and hyphens as "_". Mesh
// names are snake_case, so two tasks collide only through column names
// that hold "__" or "$" (amount$usd and amount_usd); the later one, in
// the DAG's order, gets a number. Variables are not ids: Airflow never
// sees them.
func (b *builder) nameVariables(d *dag) {
	seen := map[string]bool{publishTask: true, warningsTask: true}
	for _, t := range slices.Concat(d.steps, d.tests) {
		base := t.group + "_" + strings.NewReplacer(".", "__", "-", "_").Replace(t.id)
		v := base
		for n := 2; seen[v]; n++ {
			v = base + "_" + strconv.Itoa(n)
		}
		seen[v], t.variable = true, v
	}
}

// stepTask maps a step to its runner's operator.
func (b *builder) stepTask(p *plan.Product, s *plan.Step) *task {
	t := &task{id: s.Name, group: stepsGroup}
	b.checkKey("task id", t.fullID(), "the step's name", s.Range)
	args := []kwarg{arg("task_id", pyString(s.Name))}
	tmpl := b.settings.target.Jobs[s.Runner.Name]
	switch {
	case tmpl == nil:
		b.errorf("airflow-no-runner", s.Range, "Runner without an Airflow operator",
			"The step runs on runner %s, which the airflow target does not know how to run. Add to the target \"airflow\" block a runner %q { script = [\"...\"] } (a BashOperator running the script) or runner %q { operator = \"sql\" }.", s.Runner.Name, s.Runner.Name, s.Runner.Name)
	case tmpl.Operator == "sql":
		t.operator = "SQLExecuteQueryOperator"
		args = append(args, b.snowflakeArgs()...)
		args = append(args, arg("sql", pyString(literal(b.stepSQL(p, s)))), arg("split_statements", "True"))
	default:
		t.operator = "BashOperator"
		args = append(args, b.bashArgs(p, s, tmpl)...)
	}
	if s.Description != "" {
		args = append(args, arg("doc_md", pyString(s.Description))) // a task's doc_md is Markdown only (docText)
	}
	t.args = args
	return t
}

// snowflakeArgs are the arguments of every SQL task: the environment's
// connection, and its database, warehouse and role as the Snowflake
// hook's parameters (module constants, see render.go).
func (b *builder) snowflakeArgs() []kwarg {
	return []kwarg{arg("conn_id", "CONN_ID"), arg("hook_params", "HOOK_PARAMS")}
}

// stepSQL is the SQL an sql task runs: the step's sql argument, or the
// content of its file argument, read from the mesh at build time since
// Airflow's workers do not have the repository, with its input
// placeholders naming the inputs' tables in the environment built.
func (b *builder) stepSQL(p *plan.Product, s *plan.Step) string {
	sql, ok, arg, err := s.SQL(b.plan.Root)
	switch {
	case !ok:
		b.errorf("airflow-no-runner", s.Range, "Step without SQL", "The step runs on an sql task, but has neither an sql nor a file argument to take the SQL from.")
	case err != nil:
		b.diags = append(b.diags, p.SQLReadError(s, arg, err))
	default:
		if why := snowsql.Unrunnable(sql); why != "" {
			b.errorf("airflow-no-runner", arg.Range, "Step SQL cannot run", "The step runs on an sql task, which holds its SQL (%s), but %s.", arg.String, why)
		}
		// Loading checked an inline sql; a file is read only here, and
		// the DAG would carry what it holds.
		if arg.Type == "file" {
			if detail, found := credscan.InFile(arg.String, sql); found {
				b.errorf("literal-credential", arg.Range, "Credential written as a literal", "%s", detail)
			}
		}
		if sql, err = p.FillPlaceholders(sql); err != nil { // the compiler checked the placeholders
			b.errorf("invalid-template", arg.Range, "Invalid placeholder", "The SQL of step %s of %s: %v.", s.Name, p.ID, err)
		}
	}
	return sql
}

// bashArgs render a step's script from its runner's template. Arguments
// become shell words, quoted; a secret becomes a variable of the task's
// environment, which Airflow fills from the Airflow Variable of that id
// when the task runs.
func (b *builder) bashArgs(p *plan.Product, s *plan.Step, tmpl *plan.JobTemplate) []kwarg {
	values := map[string]shell.Value{}
	// A runner that takes files or folders works relative to the mesh
	// root, even when the step leaves one unset (dbt's project folder
	// defaults to the root): its tasks must run there.
	usesPaths := false
	for _, param := range s.Runner.Params {
		values[param.Name] = nil
		usesPaths = usesPaths || param.Type == "file" || param.Type == "dir"
	}
	env := []envVar{{"MESHC_PRODUCT", p.ID, false}, {"MESHC_PRODUCT_VERSION", p.Version, false}, {"MESHC_STEP", s.Name, false}}
	for _, v := range tmpl.Variables {
		env = append(env, envVar{v.Name, v.Value, false})
	}
	for _, a := range s.Args {
		switch a.Type {
		case "secret":
			name := b.secretVariable(a.Secret)
			env = append(env, envVar{name, b.variableID(a.Secret), true})
			values[a.Name] = shell.Value{{Text: name, Variable: true}}
		case "file", "dir":
			values[a.Name] = shell.Words(a.String) // relative to the mesh root, where tasks run
		default:
			values[a.Name] = shell.Words(a.Words()...)
		}
	}
	if usesPaths && b.settings.meshPath == "" {
		b.errorf("airflow-mesh-path", s.Range, "Step files without a mesh_path",
			"The step's runner %s works with files or folders of the mesh, but Airflow's workers run commands in a temporary folder. Set mesh_path in the target \"airflow\" block to where the mesh's root folder is on the workers (where the repository is checked out or synced), such as mesh_path = \"/opt/airflow/mesh\".", s.Runner.Name)
	}
	var lines []string
	for _, t := range tmpl.Lines {
		line, err := t.Render(values)
		if err != nil { // the compiler checked the templates
			b.errorf("invalid-template", s.Range, "Invalid script template", "The runner block at %s: %s.", tmpl.Range, err)
			continue
		}
		lines = append(lines, line)
	}
	// As a GitLab job does, stop at the first command that fails, also
	// within a pipeline: bash alone would go on to the next line and
	// exit with the last one's status, so a failed command could pass.
	command := "set -eo pipefail\n" + strings.Join(lines, "\n")
	args := []kwarg{arg("bash_command", pyString(literal(command)))}
	if b.settings.meshPath != "" {
		args = append(args, arg("cwd", "MESH_PATH"))
	}
	return append(args,
		kwarg{name: "env", items: b.envItems(env), brackets: "{}"},
		// The worker's own environment (PATH, the Snowflake client's
		// settings) stays; the task's variables are added to it.
		arg("append_env", "True"),
		// By default Airflow marks a task that exits with 99 as skipped,
		// which would let a failing step count as done.
		arg("skip_on_exit_code", "None"),
	)
}

// envVar is a variable of a Bash task's environment. For a secret, value
// is the id of the Airflow Variable holding it.
type envVar struct {
	name, value string
	secret      bool
}

// envItems renders a task's environment: ENV (the environment's Snowflake
// settings, a module constant) and the task's own variables. A secret is a
// Jinja expression reading an Airflow Variable when the task runs, never
// when the DAG file is parsed, and never its value.
func (b *builder) envItems(vars []envVar) []string {
	parts := []string{"**ENV"}
	for _, v := range vars {
		value := pyString(literal(v.value))
		if v.secret {
			// variableID checked that the id needs no quoting.
			value = pyString("{{ var.value.get('" + v.value + "') }}")
		}
		parts = append(parts, pyString(v.name)+": "+value)
	}
	return parts
}

// variableID is the Airflow Variable that holds a secret: its name in the
// orchestrator's store when it has one, else its id in the mesh. Airflow
// reads Variables through its secrets backend, so a vault secret is found
// wherever the platform team's backend keeps that Variable.
func (b *builder) variableID(s *plan.Secret) string {
	id := cmp.Or(s.Named, s.ID)
	if !validKey(id) || len(id) > maxKey {
		b.errorf("airflow-secret", s.Range, "Secret name Airflow cannot read",
			"Airflow reads the secret as the Variable %q, but a Variable id meshc refers to is ASCII letters, digits, _, . and -, at most %d characters. Keep the secret under such a name in the orchestrator's store and in name, or in a vault (vault = \"path#field\").", id, maxKey)
	}
	return id
}

// checkVariables refuses two secrets that Airflow would read from one
// Variable, the id of one being the other's name in the orchestrator's
// store: the other targets read them from two places, so one would get
// the other's value on Airflow alone. Two secrets with one name read the
// same secret everywhere, which is fine.
func (b *builder) checkVariables() {
	first := map[string]*plan.Secret{}
	for _, s := range b.plan.Secrets {
		id := cmp.Or(s.Named, s.ID)
		f, seen := first[id]
		if !seen {
			first[id] = s
			continue
		}
		if f.Named == s.Named {
			continue
		}
		byID, named := s, f // the one read by its id, and the other
		if s.Named != "" {
			byID, named = f, s
		}
		b.errorf("airflow-secret", s.Range, "Two secrets read one Airflow Variable",
			"Airflow reads secret %s and secret %s (%s) from the same Variable, %q: the id of the one is the name the other has in the orchestrator's store. On GitLab they are two secrets, so on Airflow one would get the other's value. Rename secret %s, or change the name secret %s has there.",
			s.ID, f.ID, f.Range, id, byID.ID, named.ID)
	}
}

// secretVariable names the environment variable a secret is read into, as
// on GitLab.
func (b *builder) secretVariable(s *plan.Secret) string { return "MESHC_SECRET_" + s.Key() }

// testTask runs a test's query with SQLCheckOperator, which fails when a
// value of the first row is false: the query counts the failing rows the
// test's SQL returns and checks that there are none.
func (b *builder) testTask(t *plan.Test) *task {
	tt := &task{id: testTaskID(t), group: testsGroup, operator: "SQLCheckOperator"}
	b.checkKey("task id", tt.fullID(), testParts(t), t.Range)
	sql := "SELECT COUNT(*) = 0 AS passed\nFROM (\n" + strings.TrimRight(t.SQL, "\n \t;") + "\n) AS failing_rows\n"
	tt.comment = fmt.Sprintf("%s: %s, severity %s.", t.ID, t.Kind, t.Severity)
	if t.Severity == "warn" {
		tt.comment += " A failure is reported but does not hold back publication."
	}
	// A failing test is not retried: the data will not change by waiting,
	// and retries would only report the failure later (as on GitLab).
	tt.args = []kwarg{arg("task_id", pyString(tt.id))}
	if tt.id != t.ID {
		// Airflow's pages show the test's ID as the mesh writes it
		// (Airflow 2.9 and later).
		tt.args = append(tt.args, arg("task_display_name", pyString(t.ID)))
	}
	tt.args = slices.Concat(tt.args, b.snowflakeArgs(), []kwarg{arg("sql", pyString(literal(sql))), arg("retries", "0")})
	if t.Description != "" {
		tt.args = append(tt.args, arg("doc_md", pyString(t.Description)))
	}
	return tt
}

// testTaskID is a test's task id in the tests TaskGroup: its ID
// (plan.Test.ID) with each $ of its column's name written as -, which
// Airflow's ids take and no name meshc allows holds, so that amount$usd
// and amount_usd stay two tasks. A column's name that would make the id
// longer than maxKey (mesh names never do) is cut, and ends in "--" and
// 8 hex digits of the SHA-256 of the test's ID: no $ gives "--", as a
// name never holds "$$", and the id depends on the test alone, so that
// adding a test renames no other task and loses no history in Airflow.
// A test ID Airflow takes is kept as it is.
func testTaskID(t *plan.Test) string {
	id := strings.ReplaceAll(t.ID, "$", "-") // only a column's name holds $
	over := len(testsGroup) + len(".") + len(id) - maxKey
	if over <= 0 || t.Column == nil {
		return id
	}
	sum := sha256.Sum256([]byte(t.ID))
	cut := "--" + hex.EncodeToString(sum[:4])
	column := strings.ReplaceAll(t.Column.Name, "$", "-")
	// Names longer than mesh names are cut to the digits alone; the id
	// is then still too long, which checkKey reports.
	column = column[:max(0, len(column)-over-len(cut))] + cut
	return t.Port.Name + "." + column + "." + t.Name
}

// testParts says which names a test's id is made of (plan.Test.ID).
func testParts(t *plan.Test) string {
	switch {
	case t.Column != nil:
		return "the port's, the column's and the test's names"
	case t.Port != nil:
		return "the port's and the test's names"
	}
	return "the test's name"
}

func arg(name, expr string) kwarg { return kwarg{name: name, expr: expr} }
