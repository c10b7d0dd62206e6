package gitlab

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/credscan"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/internal/shell"
	"github.com/meshc/meshc/internal/snowsql"
	"github.com/meshc/meshc/lang/diag"
)

// child builds a unit's child pipeline: for each product, a job per step
// with needs following the step DAG, then a job per test.
func (b *builder) child(u *unit) *pipeline {
	p := newPipeline(u.file, b.stages()...)
	p.at = u.at
	p.split = "Split the work into more products"
	if b.settings.granularity == "domain" {
		p.split = "Use granularity = \"product\" for a pipeline per product"
	}
	peers := unitPeers(u)
	for _, pr := range u.products {
		b.productJobs(p, peers, pr)
	}
	return p
}

// peers are the products of one child pipeline, and those of them that
// another reads from. They are sets, as a domain's pipeline may hold many
// products.
type peers struct {
	in, read map[*plan.Product]bool
}

func unitPeers(u *unit) peers {
	ps := peers{in: make(map[*plan.Product]bool, len(u.products)), read: map[*plan.Product]bool{}}
	for _, pr := range u.products {
		ps.in[pr] = true
	}
	for _, pr := range u.products {
		for _, up := range pr.Upstreams {
			if ps.in[up] {
				ps.read[up] = true
			}
		}
	}
	return ps
}

// stages are a child pipeline's stages. Products of a domain wait on each
// other's tests, so in a domain's pipeline a step may need a test job: one
// stage keeps every need pointing backwards.
func (b *builder) stages() []string {
	if b.settings.granularity == "domain" {
		return []string{"run"}
	}
	return []string{"steps", "tests"}
}

// names maps a product's steps and tests to job names. In a product's own
// pipeline they are the step's name and "test:" and the test's ID; in a
// domain's pipeline the product's name comes first. Mesh names are
// snake_case without ":", so the mapping is one-to-one.
type names struct{ prefix string }

func (n names) step(s *plan.Step) string { return n.prefix + s.Name }
func (n names) test(t *plan.Test) string { return "test:" + n.prefix + t.ID }

// passed names the job that stands for "the product has passed", in a
// domain's pipeline.
func passed(p *plan.Product) string { return p.Name + ":passed" }

func (b *builder) productJobs(p *pipeline, peers peers, pr *plan.Product) {
	domainMode := b.settings.granularity == "domain"
	n := names{}
	var rules []rule
	var vars []variable
	var waitFor []need
	if domainMode {
		n.prefix = pr.Name + "."
		rules = runIf(b.schedules.rules([]*plan.Product{pr})...)
		vars = productVariables(pr)
		// A product's first steps wait until the products of the same
		// pipeline that it reads from have passed.
		for _, up := range pr.Upstreams {
			if peers.in[up] {
				waitFor = append(waitFor, need{job: passed(up), optional: true, at: pr.Range})
			}
		}
	}
	stageSteps, stageTests := p.stages[0], p.stages[len(p.stages)-1]

	for i, s := range pr.Steps {
		j := &job{name: n.step(s), stage: stageSteps, at: s.Range}
		if len(s.After) == 0 {
			j.needs = append(j.needs, waitFor...)
		}
		for _, a := range s.After {
			j.needs = append(j.needs, need{job: n.step(a), at: s.Range})
		}
		j.body = b.stepBody(pr, s)
		j.body.rules, j.body.variables = rules, slices.Concat(vars, j.body.variables)
		if domainMode && i == 0 {
			// In a domain's pipeline, the product's first job says
			// what the product is, as the trigger job does per product.
			j.body.comment = strings.TrimSpace(productComment(pr) + "\n" + j.body.comment)
		}
		p.add(j, &b.diags)
	}
	var sinks []need
	for _, s := range pr.LastSteps() {
		sinks = append(sinks, need{job: n.step(s), at: pr.Range})
	}
	var tests []need
	for _, t := range pr.Tests {
		j := &job{name: n.test(t), stage: stageTests, at: t.Range, needs: sinks}
		j.body = b.testBody(pr, t)
		j.body.rules, j.body.variables = rules, slices.Concat(vars, j.body.variables)
		p.add(j, &b.diags)
		tests = append(tests, need{job: j.name, at: pr.Range})
	}
	if domainMode && peers.read[pr] {
		gate := tests
		if len(gate) == 0 {
			gate = sinks
		}
		b.gate(p, pr, gate, stageTests, rules, vars)
	}
}

// gate adds the job that stands for "the product has passed", so that the
// products downstream in the same pipeline need one job rather than every
// test. GitLab allows 50 needs per job, so more tests are gathered by a
// chain of gates, each needing the one before and 49 tests.
func (b *builder) gate(p *pipeline, pr *plan.Product, needs []need, stage string, rules []rule, vars []variable) {
	var prev []need
	for part := 1; ; part++ {
		take := min(len(needs), maxNeeds-len(prev))
		j := &job{name: passed(pr), stage: stage, at: pr.Range, needs: append(prev, needs[:take]...)}
		needs = needs[take:]
		if len(needs) > 0 {
			j.name = fmt.Sprintf("%s.%d", passed(pr), part)
		}
		j.body = jobBody{
			comment:   fmt.Sprintf("%s has run and passed its tests.", pr.ID),
			rules:     rules,
			variables: vars,
			script:    []string{"echo " + shell.Quote(pr.ID+" passed")},
		}
		p.add(j, &b.diags)
		if len(needs) == 0 {
			return
		}
		prev = []need{{job: j.name, at: pr.Range}}
	}
}

var variableName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// runnerTemplate names the hidden job that a runner's steps extend.
func runnerTemplate(r *plan.Runner) string { return ".meshc-runner-" + r.Name }

// productVariables tell a job which product it builds.
func productVariables(p *plan.Product) []variable {
	return []variable{{"MESHC_PRODUCT", literal(p.ID)}, {"MESHC_PRODUCT_VERSION", literal(p.Version)}}
}

// stepBody renders a step's job from its runner's job template.
func (b *builder) stepBody(pr *plan.Product, s *plan.Step) jobBody {
	body := jobBody{extends: runnerTemplate(s.Runner), comment: s.Description}
	tmpl := b.settings.target.Jobs[s.Runner.Name]
	if tmpl == nil {
		b.errorf("gitlab-no-runner", s.Range, "Runner without a GitLab job",
			"The step runs on runner %s, which the gitlab target does not know how to run. Add to the target \"gitlab\" block a runner %q { image = \"...\", script = [\"...\"] } whose script runs it.", s.Runner.Name, s.Runner.Name)
		return body
	}
	values := map[string]shell.Value{}
	for _, p := range s.Runner.Params {
		values[p.Name] = nil
	}
	for _, a := range s.Args {
		values[a.Name] = b.argValue(a, &body)
	}
	if s.Runner.Stdlib && s.Runner.Name == "dbt" && values["project_dir"] == nil {
		// The runner's documented default: the mesh's root folder. Jobs
		// run in the repository's root, which may be another folder.
		values["project_dir"] = shell.Words(b.settings.repoPath("."))
	}
	if s.Runner.Stdlib && s.Runner.Name == "sql" {
		if file, sql, ok := b.stepSQLFile(pr, s); ok {
			values["file"] = shell.Words(file)
			// A runner "sql" of the target block may pass the inline SQL
			// itself ({{sql}}): it gets what the file holds, the inputs'
			// tables filled in.
			if values["sql"] != nil {
				values["sql"] = shell.Words(sql)
			}
		}
	}
	body.script = b.render(tmpl, values, s.Range, sharedLines(tmpl), len(tmpl.Lines))
	return body
}

// sharedLines is how many of a runner's first script lines every step of
// it runs alike, which its hidden template holds once, as before_script:
// lines without placeholders that span several lines, programs such as
// the standard talend runner's poller, which would otherwise be copied
// into every step's job. GitLab runs before_script and script as one
// script in one shell, so the steps run what the template says, in its
// order. A job needs a script of its own, so the last line stays.
//
// It relies on no job that extends a runner's template setting a
// before_script of its own: extends merges maps but replaces arrays, so
// the job's would replace the template's, and the step would run without
// the lines it shares (TestBeforeScriptOnlyInRunnerTemplates).
func sharedLines(t *plan.JobTemplate) int {
	n := 0
	for n < len(t.Lines)-1 && len(t.Lines[n].Names()) == 0 && strings.Contains(t.Script[n], "\n") {
		n++
	}
	return n
}

// stepSQLFile writes the SQL of a step on the standard library's sql
// runner into the output folder, when the job cannot run the
// repository's: inline SQL, which reads better in review in a file of its
// own than inside YAML, as the runner runs files; and a file whose input
// placeholders name the inputs' tables, which meshc fills for the
// environment, as snow sql runs a file as written (--enable-templating
// NONE). It returns the file's path in the repository and the SQL it
// holds; ok is false for a file the job runs where it is, and for one that
// cannot be read, which is an error: meshc cannot tell whether the job may
// run it as written.
func (b *builder) stepSQLFile(pr *plan.Product, s *plan.Step) (file, filled string, ok bool) {
	sql, ok, arg, err := s.SQL(b.plan.Root)
	if err != nil {
		b.diags = append(b.diags, pr.SQLReadError(s, arg, err))
		return "", "", false
	}
	if !ok {
		return "", "", false
	}
	filled, err = pr.FillPlaceholders(sql)
	if err != nil { // the compiler checked the placeholders
		b.errorf("invalid-template", arg.Range, "Invalid placeholder", "The SQL of step %s of %s: %v.", s.Name, pr.ID, err)
		return "", "", false
	}
	if arg.Type != "file" {
		return b.sqlFile(pr, s.Name+".sql", filled, fmt.Sprintf("Step %s of %s.", s.Name, pr.ID), b.sqlHeader(pr)), filled, true
	}
	if filled == sql {
		return "", "", false
	}
	// The copy carries what the file holds: a credential in it would be
	// written out again.
	if detail, found := credscan.InFile(arg.String, sql); found {
		b.errorf("literal-credential", arg.Range, "Credential written as a literal", "%s", detail)
		return "", "", false
	}
	about := fmt.Sprintf("Step %s of %s: %s, its placeholders filled with the tables of %s in environment %s.", s.Name, pr.ID, arg.String, placeholdersFor(sql), b.plan.Environment.Name)
	from := b.plan.Prefix + arg.String // as ranges name it
	b.rendered = append(b.rendered, from)
	head := output.Header("-- ", b.ownerCmd, b.plan.SourceFiles(b.settings.target, []*plan.Product{pr}, from))
	return b.sqlFile(pr, s.Name+".sql", filled, about, head), filled, true
}

// placeholdersFor names what the placeholders of a step's SQL stand for:
// its product's inputs, its own ports, or both.
func placeholdersFor(sql string) string {
	var inputs, ports bool
	for _, p := range snowsql.Placeholders(sql) {
		inputs = inputs || p.Kind == "input"
		ports = ports || p.Kind == "port"
	}
	switch {
	case inputs && ports:
		return "its inputs and its product's ports"
	case ports:
		return "its product's ports"
	}
	return "its inputs"
}

// testBody renders a test's job: the test template runs the test's query,
// written to a .sql file.
func (b *builder) testBody(pr *plan.Product, t *plan.Test) jobBody {
	body := jobBody{extends: ".meshc-test", comment: t.Description,
		variables: []variable{{"MESHC_TEST", literal(t.ID)}, {"MESHC_TEST_KIND", literal(t.Kind)}}} // a column's name may hold $
	if t.Severity == "warn" {
		body.allowFailure = true
	}
	about := fmt.Sprintf("Test %s of %s: %s, severity %s. The test fails when this query returns rows.", t.ID, pr.ID, t.Kind, t.Severity)
	file := b.sqlFile(pr, "tests/"+t.ID+".sql", t.SQL, about, b.sqlHeader(pr))
	tmpl := b.settings.target.Test
	if tmpl == nil {
		b.errorf("gitlab-no-runner", t.Range, "No GitLab job for tests", "Add a test { image = \"...\", script = [\"...\"] } block to the target \"gitlab\" block.")
		return body
	}
	body.script = b.render(tmpl, map[string]shell.Value{"sql": shell.Words(file)}, t.Range, 0, len(tmpl.Lines))
	return body
}

// render renders the template's lines from, up to to.
func (b *builder) render(tmpl *plan.JobTemplate, values map[string]shell.Value, at diag.Range, from, to int) []string {
	var lines []string
	for _, t := range tmpl.Lines[from:to] {
		line, err := t.Render(values)
		if err != nil { // the compiler checked the templates
			b.errorf("invalid-template", at, "Invalid script template", "The job template at %s: %s.", tmpl.Range, err)
			continue
		}
		lines = append(lines, line)
	}
	return lines
}

// argValue turns a step argument into shell words: a path from the
// repository's root, a secret as the variable that holds it.
func (b *builder) argValue(a *plan.Arg, body *jobBody) shell.Value {
	switch a.Type {
	case "file", "dir":
		return shell.Words(b.settings.repoPath(a.String))
	case "secret":
		return shell.Value{{Text: b.secret(a.Secret, body), Variable: true}}
	}
	return shell.Words(a.Words()...)
}

// secret returns the variable that holds a secret in the job, adding the
// vault secret GitLab fills it from.
func (b *builder) secret(s *plan.Secret, body *jobBody) string {
	if s.Named != "" {
		// A CI/CD variable of the project, masked, read as "$NAME".
		if !variableName.MatchString(s.Named) {
			b.errorf("gitlab-secret", s.Range, "Secret name GitLab cannot read",
				"GitLab holds a named secret as a CI/CD variable, whose name is letters, digits and _, not starting with a digit; %q is not one.", s.Named)
		}
		return s.Named
	}
	name := "MESHC_SECRET_" + s.Key()
	secretPath, field, ok := strings.Cut(s.Vault, "#")
	if !ok || secretPath == "" || field == "" {
		b.errorf("gitlab-secret", s.Range, "Vault path without a field",
			"GitLab reads one field of a vault secret: write the path and the field, such as vault = %q.", secretPath+"#token")
		return name
	}
	for _, v := range body.secrets {
		if v.name == name {
			return name
		}
	}
	body.secrets = append(body.secrets, vaultSecret{name: name, path: secretPath, field: field, engine: b.settings.vaultEngine, audience: b.settings.vaultAudience})
	return name
}

// sqlFile writes SQL into the output folder, under its header and the
// lines of about, and returns its path in the repository.
func (b *builder) sqlFile(pr *plan.Product, name, sql, about string, head []byte) string {
	rel := path.Join("sql", pr.Domain.Name, pr.Name, name)
	sql = strings.TrimRight(sql, "\n")
	// The header; about's lines, each after "-- " and before a line
	// break; a blank line; the SQL and its line break.
	data := append(b.fileBuf[:0], head...)
	for line := range strings.SplitSeq(about, "\n") {
		data = append(data, "-- "...)
		data = append(data, line...)
		data = append(data, '\n')
	}
	data = append(data, '\n')
	data = append(data, sql...)
	b.fileBuf = append(data, '\n')
	b.add(rel)
	return path.Join(b.settings.outDir, rel)
}

// sqlHeader returns the header of a product's SQL files, the same for all
// of them: they come from the product's sources.
func (b *builder) sqlHeader(pr *plan.Product) []byte {
	head, ok := b.sqlHeads[pr]
	if !ok {
		head = output.Header("-- ", b.ownerCmd, b.sources(pr))
		b.sqlHeads[pr] = head
	}
	return head
}
