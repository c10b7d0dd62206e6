package airflow

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/output"
)

// imports are the names a DAG file may use, per Airflow version, with the
// module each comes from: Airflow 3's Task SDK and standard provider, or
// Airflow 2.9 and 2.10's core modules.
var imports = map[int]map[string]string{
	3: {
		"DAG":                 "airflow.sdk",
		"TaskGroup":           "airflow.sdk",
		"Asset":               "airflow.sdk",
		"BashOperator":        "airflow.providers.standard.operators.bash",
		"EmptyOperator":       "airflow.providers.standard.operators.empty",
		"AssetOrTimeSchedule": "airflow.timetables.assets",
	},
	2: {
		"DAG":                   "airflow",
		"TaskGroup":             "airflow.utils.task_group",
		"Dataset":               "airflow.datasets",
		"BashOperator":          "airflow.operators.bash",
		"EmptyOperator":         "airflow.operators.empty",
		"DatasetOrTimeSchedule": "airflow.timetables.datasets",
	},
}

// Names every version imports from the same module.
var commonImports = map[string]string{
	"SQLExecuteQueryOperator": "airflow.providers.common.sql.operators.sql",
	"SQLCheckOperator":        "airflow.providers.common.sql.operators.sql",
	// CronTriggerTimetable runs at the cron's times on both versions; a
	// cron string means the end of a data interval on Airflow 2.
	"CronTriggerTimetable": "airflow.timetables.trigger",
}

// bytesPerDAG is about what a product's DAG takes, to size a file's buffer
// once (a DAG of five tests and three steps is about 5 KB).
const bytesPerDAG = 6 << 10

// writer accumulates a Python file and the names it uses.
type writer struct {
	strings.Builder
	version int
	used    map[string]bool
}

// use returns a name and records that the file imports it.
func (w *writer) use(name string) string {
	w.used[name] = true
	return name
}

func (w *writer) line(indent int, format string, args ...any) {
	w.indent(indent)
	fmt.Fprintf(w, format, args...)
	w.WriteByte('\n')
}

// writeLine writes a line of parts at indent: line without a format, for the
// lines every task has.
func (w *writer) writeLine(indent int, parts ...string) {
	w.indent(indent)
	for _, p := range parts {
		w.WriteString(p)
	}
	w.WriteByte('\n')
}

func (w *writer) indent(n int) {
	for range n {
		w.WriteString("    ")
	}
}

// importLines renders the imports of the names used, one line per module,
// sorted.
func (w *writer) importLines() string {
	byModule := map[string][]string{}
	for name := range w.used {
		module := imports[w.version][name]
		if module == "" {
			module = commonImports[name]
		}
		byModule[module] = append(byModule[module], name)
	}
	var b strings.Builder
	b.WriteString("import pendulum\n")
	for _, module := range slices.Sorted(maps.Keys(byModule)) {
		names := byModule[module]
		slices.Sort(names)
		fmt.Fprintf(&b, "from %s import %s\n", module, strings.Join(names, ", "))
	}
	return b.String()
}

// render appends a domain's file to dst: its DAGs, after the header, a
// docstring, the imports and the environment's constants.
func (b *builder) render(dst []byte, d *plan.Domain, dags []*dag) []byte {
	w := &writer{version: b.settings.version, used: map[string]bool{}}
	w.Grow(bytesPerDAG * len(dags)) // rather than doubling into place
	for _, g := range dags {
		w.WriteString("\n\n")
		b.renderDAG(w, g)
	}

	var head strings.Builder
	head.Write(output.Header("# ", b.command(), b.sources(d.Products)))
	doc := fmt.Sprintf("The %s domain of the %s mesh, environment %s: one DAG per data product, for Airflow %d.\n", d.Name, b.plan.Name, b.plan.Environment.Name, b.settings.version)
	if d.Description != "" {
		doc += "\n" + strings.TrimSpace(d.Description) + "\n"
	}
	head.WriteString(pyString(doc) + "\n\n")
	head.WriteString(w.importLines())
	head.WriteString("\n" + b.constants(d))
	dst = slices.Grow(dst, head.Len()+w.Len())
	return append(append(dst, head.String()...), w.String()...)
}

// command is how to rebuild the files: the owner, and the flag that shaped
// them.
func (b *builder) command() string {
	if b.opts.Version != 0 {
		return fmt.Sprintf("%s --airflow-version %d", Owner(b.plan), b.opts.Version)
	}
	return Owner(b.plan)
}

// constants are the environment's settings that every DAG of the file
// shares: the Snowflake connection and session of SQL tasks, the
// environment of Bash tasks, and where the mesh is on the workers.
func (b *builder) constants(d *plan.Domain) string {
	env := b.plan.Environment
	// The domain's schema is the session's, so that SQL naming tables
	// without a schema reads and writes the domain's in every environment.
	session := []struct{ hook, variable, value string }{
		{"database", "SNOWFLAKE_DATABASE", env.Database},
		{"schema", "SNOWFLAKE_SCHEMA", env.SchemaPrefix + d.Schema},
		{"warehouse", "SNOWFLAKE_WAREHOUSE", env.Warehouse},
		{"role", "SNOWFLAKE_ROLE", env.Role},
	}
	var hook, vars []string
	for _, s := range session {
		if s.value != "" {
			hook = append(hook, pyString(s.hook)+": "+pyString(literal(s.value)))
			vars = append(vars, pyString(s.variable)+": "+pyString(literal(s.value)))
		}
	}
	vars = append(vars, pyString("MESHC_ENVIRONMENT")+": "+pyString(env.Name))
	if env.SchemaPrefix != "" {
		// Scripts prefix the schemas they name, as the tests do.
		vars = append(vars, pyString("MESHC_SCHEMA_PREFIX")+": "+pyString(literal(env.SchemaPrefix)))
	}
	if env.DbtTarget != "" {
		vars = append(vars, pyString("DBT_TARGET")+": "+pyString(literal(env.DbtTarget))) // the dbt runner's --target
	}
	var c strings.Builder
	fmt.Fprintf(&c, "# The %s environment's Snowflake connection (an Airflow connection id) and session, in the domain's schema.\n", env.Name)
	fmt.Fprintf(&c, "CONN_ID = %s\n", pyString(literal(b.settings.connID)))
	fmt.Fprintf(&c, "HOOK_PARAMS = %s\n", wrap(0, "{}", hook))
	c.WriteString("# Added to the environment of every Bash task.\n")
	fmt.Fprintf(&c, "ENV = %s\n", wrap(0, "{}", vars))
	if b.settings.meshPath != "" {
		c.WriteString("# Where the mesh's root folder is on the workers: Bash tasks run there.\n")
		fmt.Fprintf(&c, "MESH_PATH = %s\n", pyString(literal(b.settings.meshPath)))
	}
	return c.String()
}

// renderDAG writes one product's DAG.
func (b *builder) renderDAG(w *writer, d *dag) {
	p := d.product
	w.line(0, "# %s", d.id)
	w.line(0, "with %s(", w.use("DAG"))
	w.line(1, "dag_id=%s,", pyString(d.id))
	if p.Description != "" {
		w.line(1, "description=%s,", pyString(firstParagraph(p.Description)))
	}
	w.line(1, "doc_md=%s,", pyString(b.docText(b.docMD(d))))
	w.line(1, "schedule=%s,", b.scheduleExpr(w, d.schedule))
	w.line(1, "start_date=%s,", startDate(b.plan.Defaults.StartDate, p.Schedule.Timezone))
	w.line(1, "catchup=False,")
	w.line(1, "max_active_runs=%d,", b.settings.maxActiveRuns)
	w.line(1, "tags=%s,", wrap(1, "[]", pyStrings(b.tags(p))))
	w.line(1, "default_args={")
	if p.Owner != "" {
		w.line(2, "\"owner\": %s,", pyString(p.Owner))
	}
	w.line(2, "\"retries\": %d,", b.plan.Defaults.Retries)
	if b.plan.Defaults.RetryDelay > 0 { // else Airflow's own, 5 minutes, not none
		w.line(2, "\"retry_delay\": %s,", duration(b.plan.Defaults.RetryDelay))
	}
	if b.settings.timeout > 0 {
		w.line(2, "\"execution_timeout\": %s,", duration(b.settings.timeout))
	}
	w.line(1, "},")
	w.line(0, "):")
	b.renderGroup(w, stepsGroup, d.steps)
	b.renderGroup(w, testsGroup, d.tests)
	b.renderTask(w, 1, d.publish)
	if d.warnings != nil {
		b.renderTask(w, 1, d.warnings)
	}

	// Dependencies, after the tasks: the step DAG, then the groups.
	w.WriteByte('\n')
	for _, t := range d.steps {
		if len(t.upstream) > 0 {
			w.line(1, "%s >> %s", variables(t.upstream), t.variable)
		}
	}
	if len(d.tests) > 0 {
		// A TaskGroup's >> links its last tasks to the next's first ones:
		// every test runs after the steps no other step runs after.
		w.line(1, "%s >> %s", stepsGroup, testsGroup)
	}
	if slices.Equal(d.publish.upstream, d.lastSteps) {
		w.line(1, "%s >> %s", stepsGroup, publishTask)
	} else {
		w.line(1, "%s >> %s", variables(d.publish.upstream), publishTask)
	}
	if d.warnings != nil {
		w.line(1, "%s >> %s", variables(d.warnings.upstream), warningsTask)
	}
}

// variables renders tasks as the left side of >>: one variable, or a list.
func variables(tasks []*task) string {
	if len(tasks) == 1 {
		return tasks[0].variable
	}
	names := make([]string, len(tasks))
	for i, t := range tasks {
		names[i] = t.variable
	}
	return wrap(1, "[]", names)
}

func (b *builder) renderGroup(w *writer, group string, tasks []*task) {
	if len(tasks) == 0 {
		return
	}
	w.line(1, "with %s(%s) as %s:", w.use("TaskGroup"), pyString(group), group)
	for i, t := range tasks {
		if i > 0 {
			w.WriteByte('\n')
		}
		b.renderTask(w, 2, t)
	}
	w.WriteByte('\n')
}

func (b *builder) renderTask(w *writer, indent int, t *task) {
	if t.comment != "" && !strings.ContainsFunc(t.comment, isLineBreak) {
		w.writeLine(indent, "# ", t.comment)
	}
	w.writeLine(indent, t.variable, " = ", w.use(t.operator), "(")
	for _, a := range t.args {
		if a.brackets != "" {
			a.expr = wrap(indent+1, a.brackets, a.items)
		}
		w.writeLine(indent+1, a.name, "=", a.expr, ",")
	}
	if t.outlets != nil {
		var assets []string
		for _, port := range t.outlets {
			assets = append(assets, b.assetExpr(w, port))
		}
		w.writeLine(indent+1, "outlets=", wrap(indent+1, "[]", assets), ",")
	}
	w.writeLine(indent, ")")
}

// isLineBreak reports the characters that end a Python comment's line.
func isLineBreak(r rune) bool { return r == '\n' || r == '\r' || r == '\f' || r == '\v' || r == 0 }

// scheduleExpr renders a DAG's schedule: a cron timetable, its inputs'
// assets (all of them), both, or None.
func (b *builder) scheduleExpr(w *writer, s schedule) string {
	var cron, assets string
	if s.cadence != nil {
		cron = fmt.Sprintf("%s(%s, timezone=%s)", w.use("CronTriggerTimetable"), pyString(s.cadence.Cron), pyString(s.timezone))
	}
	if len(s.ports) > 0 {
		var parts []string
		for _, port := range s.ports {
			parts = append(parts, b.assetExpr(w, port))
		}
		assets = wrap(1, "[]", parts)
	}
	switch {
	case cron != "" && assets != "":
		if b.settings.version == 2 {
			return fmt.Sprintf("%s(timetable=%s, datasets=%s)", w.use("DatasetOrTimeSchedule"), cron, assets)
		}
		return fmt.Sprintf("%s(timetable=%s, assets=%s)", w.use("AssetOrTimeSchedule"), cron, assets)
	case cron != "":
		return cron
	case assets != "":
		return assets
	}
	return "None"
}

// assetExpr renders a port as the Asset (Airflow 3) or Dataset (Airflow 2)
// that its product's publish task updates. The URI names the environment,
// so that a development run never triggers production.
func (b *builder) assetExpr(w *writer, port *plan.Port) string {
	uri := pyString(assetURI(b.plan.Environment.Name, port))
	if b.settings.version == 2 {
		return fmt.Sprintf("%s(%s)", w.use("Dataset"), uri)
	}
	return fmt.Sprintf("%s(name=%s, uri=%s)", w.use("Asset"), pyString(port.ID), uri)
}

// assetURI identifies a port in Airflow. The x- scheme is one Airflow
// leaves as written, without a provider's normalisation.
func assetURI(env string, port *plan.Port) string {
	return "x-meshc://" + env + "/" + strings.ReplaceAll(port.ID, ".", "/")
}

// tags are a DAG's tags: its domain, layer, environment, the product's own
// tags and the target block's.
func (b *builder) tags(p *plan.Product) []string {
	tags := []string{"domain:" + p.Domain.Name, "env:" + b.plan.Environment.Name}
	if p.Domain.Layer != "" {
		tags = append(tags, "layer:"+p.Domain.Layer)
	}
	tags = append(tags, p.Tags...)
	tags = append(tags, b.settings.tags...)
	slices.Sort(tags)
	return slices.Compact(tags)
}

func pyStrings(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = pyString(s)
	}
	return out
}

// maxLine is the length of line past which a display is wrapped.
const maxLine = 100

// wrap renders a list or dict display on a line at indent: on that line
// when it fits, else one item per line.
func wrap(indent int, brackets string, items []string) string {
	line := brackets[:1] + strings.Join(items, ", ") + brackets[1:]
	if 4*indent+len(line) <= maxLine-20 && !strings.Contains(line, "\n") {
		return line
	}
	pad := strings.Repeat("    ", indent)
	var b strings.Builder
	b.WriteString(brackets[:1] + "\n")
	for _, item := range items {
		b.WriteString(pad + "    " + item + ",\n")
	}
	b.WriteString(pad + brackets[1:])
	return b.String()
}

// startDate renders the mesh's start date (YYYY-MM-DD, checked by the
// compiler) at midnight in the product's time zone: a fixed date, so that
// the file does not change from one build to the next.
func startDate(date, tz string) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		t = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return fmt.Sprintf("pendulum.datetime(%d, %d, %d, tz=%s)", t.Year(), t.Month(), t.Day(), pyString(tz))
}

// duration renders a duration in the largest unit that divides it.
func duration(d time.Duration) string {
	for _, u := range []struct {
		name string
		d    time.Duration
	}{{"days", 24 * time.Hour}, {"hours", time.Hour}, {"minutes", time.Minute}} {
		if d%u.d == 0 {
			return fmt.Sprintf("pendulum.duration(%s=%d)", u.name, d/u.d)
		}
	}
	return fmt.Sprintf("pendulum.duration(seconds=%d)", int64(d/time.Second))
}

// docText prepares a DAG's documentation for its doc_md. Airflow 2
// renders a DAG's doc_md as a Jinja template when it parses the file
// (DAG.get_doc_md; Airflow 3 does not), so there it goes through literal
// like a templated field. A task's doc_md is shown as Markdown, never
// rendered, so it is written as it is.
func (b *builder) docText(s string) string {
	if b.settings.version == 2 {
		return literal(s)
	}
	return s
}

// firstParagraph is a description's first paragraph on one line, for the
// short description Airflow shows in lists.
func firstParagraph(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "\n\n"); i >= 0 {
		s = s[:i]
	}
	return strings.Join(strings.Fields(s), " ")
}
