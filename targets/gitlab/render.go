package gitlab

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/internal/yamlout"
	"github.com/meshc/meshc/lang/diag"
)

// jobBody is what a job runs, besides its name, stage and needs.
type jobBody struct {
	comment       string
	extends       string
	image         string
	tags          []string
	retry         int
	timeout       string
	rules         []rule // in order; nil runs the job always
	resourceGroup string
	variables     []variable
	secrets       []vaultSecret
	trigger       *trigger
	beforeScript  []string // run in the shell of script, just before it
	script        []string
	afterScript   []string
	allowFailure  bool
	junit         string // the JUnit report's path
	// noGlobalVariables keeps the job from inheriting the global variables
	// of the file that holds it (inherit: variables: false).
	noGlobalVariables bool
}

type variable struct{ name, value string }

// rule is one of a job's rules. GitLab reads them in order, and the first
// whose if: holds decides: the job runs, or, with never, does not. When
// none holds, the job does not run.
type rule struct {
	cond  string
	never bool
}

// runIf returns rules that run the job when one of conds holds.
func runIf(conds ...string) []rule {
	rules := make([]rule, len(conds))
	for i, c := range conds {
		rules[i] = rule{cond: c}
	}
	return rules
}

// neverIf returns rules that keep the job out when one of conds holds.
func neverIf(conds ...string) []rule {
	rules := runIf(conds...)
	for i := range rules {
		rules[i].never = true
	}
	return rules
}

type vaultSecret struct{ name, engine, path, field, audience string }

// trigger runs a child pipeline made of the included files (one, as meshc
// writes them; GitLab allows three).
type trigger struct {
	include  []string
	strategy string
}

// head is what a pipeline file has before its jobs.
type head struct {
	comment   string
	variables []variable
	defaults  *jobBody // the default: keyword: settings of every job
	templates []*template
}

// template is a hidden job that jobs extend.
type template struct {
	name string
	body jobBody
}

// addYAML renders a pipeline into a file.
func (b *builder) addYAML(p *pipeline, sources []string, h *head) {
	doc := &yamlout.Map{}
	stages := yamlout.List{}
	for _, s := range p.stages {
		stages = append(stages, yamlout.String(s))
	}
	doc.Set("stages", stages)
	if h.comment != "" {
		doc.Comment("stages", h.comment)
	}
	if len(h.variables) > 0 {
		doc.Set("variables", variables(h.variables))
	}
	if h.defaults != nil {
		doc.Set("default", jobMap(nil, *h.defaults))
	}
	for _, t := range h.templates {
		doc.Set(t.name, jobMap(nil, t.body))
		if t.body.comment != "" {
			doc.Comment(t.name, t.body.comment)
		}
	}
	for _, j := range p.jobs {
		doc.Set(j.name, jobMap(j, j.body))
		if j.body.comment != "" {
			doc.Comment(j.name, j.body.comment)
		}
	}
	// The YAML goes into a buffer that every pipeline reuses, and from
	// there into a file of the exact size, header first.
	var err error
	b.yamlBuf, err = yamlout.Append(b.yamlBuf[:0], doc)
	if err != nil {
		b.errorf("gitlab-internal", p.at, "Cannot write a GitLab pipeline", "meshc could not render %s: %v. This is a bug in meshc; please report it.", p.file, err)
		return
	}
	head := output.Header("# ", b.ownerCmd, sources)
	b.fileBuf = append(append(append(b.fileBuf[:0], head...), '\n'), b.yamlBuf...)
	if len(b.fileBuf) > largeYAML {
		b.diags = append(b.diags, diag.Warnf("gitlab-limit", p.at, "GitLab pipeline file may be too large",
			"%s is %d KB. GitLab weighs a pipeline file as loaded into memory, about five times its bytes, against the instance's max_yaml_size_bytes (2 MB by default, 1 MB on instances older than GitLab 17.3), and refuses the pipeline past it. %s, or have the instance's administrators raise the limit.",
			p.file, len(b.fileBuf)>>10, p.split))
	}
	b.add(p.file)
}

// add adds the file at path whose contents are in b.fileBuf: unchanged,
// with none of its bytes, when the output folder holds it already
// (b.folder), and otherwise with a copy of exactly its size. Most files
// of a build that follows an edit are unchanged, and at 100,000 products
// GitLab's are about a gigabyte.
func (b *builder) add(path string) {
	if b.folder.Unchanged(path, b.fileBuf) {
		b.files = append(b.files, output.File{Path: path, Unchanged: true})
		return
	}
	b.files = append(b.files, output.File{Path: path, Data: bytes.Clone(b.fileBuf)})
}

func variables(vs []variable) *yamlout.Map {
	m := yamlout.NewMap(len(vs))
	for _, v := range vs {
		m.Set(v.name, yamlout.String(v.value))
	}
	return m
}

func stringList(ss []string) yamlout.List {
	l := make(yamlout.List, 0, len(ss))
	for _, s := range ss {
		l = append(l, yamlout.String(s))
	}
	return l
}

// jobKeys is room for the keys of most jobs, which jobMap builds by the
// thousand: extends, stage, needs, rules, variables, script and two more.
const jobKeys = 8

// jobMap renders a job, or a hidden template when j is nil, with GitLab's
// keywords in the order people usually write them.
func jobMap(j *job, body jobBody) *yamlout.Map {
	m := yamlout.NewMap(jobKeys)
	if body.extends != "" {
		m.Set("extends", yamlout.String(body.extends))
	}
	if j != nil {
		m.Set("stage", yamlout.String(j.stage))
	}
	if body.image != "" {
		m.Set("image", yamlout.String(body.image))
	}
	if len(body.tags) > 0 {
		m.Set("tags", stringList(body.tags))
	}
	if body.retry > 0 {
		m.Set("retry", yamlout.Int(body.retry))
	}
	if body.timeout != "" {
		m.Set("timeout", yamlout.String(body.timeout))
	}
	if j != nil {
		needs := yamlout.List{}
		for _, n := range j.needs {
			if n.optional {
				needs = append(needs, (&yamlout.Map{}).Set("job", yamlout.String(n.job)).Set("optional", yamlout.Bool(true)))
			} else {
				needs = append(needs, yamlout.String(n.job))
			}
		}
		m.Set("needs", needs)
	}
	if body.resourceGroup != "" {
		m.Set("resource_group", yamlout.String(body.resourceGroup))
	}
	if len(body.rules) > 0 {
		rules := make(yamlout.List, 0, len(body.rules))
		for _, r := range body.rules {
			m := (&yamlout.Map{}).Set("if", yamlout.String(r.cond))
			if r.never {
				m.Set("when", yamlout.String("never"))
			}
			rules = append(rules, m)
		}
		m.Set("rules", rules)
	}
	if len(body.variables) > 0 {
		m.Set("variables", variables(body.variables))
	}
	if len(body.secrets) > 0 {
		// One ID token per job authenticates it to the vault; its
		// audience is the vault_audience setting.
		m.Set("id_tokens", (&yamlout.Map{}).Set("MESHC_VAULT_ID_TOKEN", (&yamlout.Map{}).Set("aud", yamlout.String(body.secrets[0].audience))))
		secrets := &yamlout.Map{}
		for _, s := range body.secrets {
			vault := (&yamlout.Map{}).
				Set("engine", (&yamlout.Map{}).Set("name", yamlout.String("kv-v2")).Set("path", yamlout.String(s.engine))).
				Set("path", yamlout.String(s.path)).
				Set("field", yamlout.String(s.field))
			secrets.Set(s.name, (&yamlout.Map{}).Set("vault", vault).Set("file", yamlout.Bool(false)).Set("token", yamlout.String("$MESHC_VAULT_ID_TOKEN")))
		}
		m.Set("secrets", secrets)
	}
	if t := body.trigger; t != nil {
		trigger := &yamlout.Map{}
		if len(t.include) > 0 {
			include := yamlout.List{}
			for _, f := range t.include {
				include = append(include, (&yamlout.Map{}).Set("local", yamlout.String(f)))
			}
			trigger.Set("include", include)
		}
		if t.strategy != "" {
			// forward: the schedule's MESHC_SCHEDULE reaches the child
			// pipelines, whose jobs' rules read it per product.
			trigger.Set("strategy", yamlout.String(t.strategy)).
				Set("forward", (&yamlout.Map{}).Set("pipeline_variables", yamlout.Bool(true)))
		}
		if body.noGlobalVariables {
			m.Set("inherit", (&yamlout.Map{}).Set("variables", yamlout.Bool(false)))
		}
		m.Set("trigger", trigger)
	}
	if len(body.beforeScript) > 0 {
		m.Set("before_script", stringList(body.beforeScript))
	}
	if len(body.script) > 0 {
		m.Set("script", stringList(body.script))
	}
	if len(body.afterScript) > 0 {
		m.Set("after_script", stringList(body.afterScript))
	}
	if body.allowFailure {
		m.Set("allow_failure", yamlout.Bool(true))
	}
	if body.junit != "" {
		m.Set("artifacts", (&yamlout.Map{}).
			Set("when", yamlout.String("always")).
			Set("reports", (&yamlout.Map{}).Set("junit", yamlout.String(body.junit))))
	}
	return m
}

// childHead is what a child pipeline has before its jobs: the
// environment's variables, and a hidden template per runner it uses and
// for the tests.
func (b *builder) childHead(u *unit) *head {
	s := b.settings
	env := b.plan.Environment
	h := &head{comment: u.comment}
	h.variables = []variable{{"MESHC_ENVIRONMENT", literal(env.Name)}}
	if b.settings.granularity != "domain" {
		h.variables = append(h.variables, productVariables(u.products[0])...)
	}
	for _, v := range []variable{
		// The domain's schema is the session's, so that SQL naming
		// tables without a schema follows the environment.
		{"SNOWFLAKE_DATABASE", env.Database}, {"SNOWFLAKE_SCHEMA", env.SchemaPrefix + u.products[0].Domain.Schema}, {"SNOWFLAKE_WAREHOUSE", env.Warehouse},
		{"SNOWFLAKE_ROLE", env.Role}, {"MESHC_SCHEMA_PREFIX", env.SchemaPrefix}, {"MESHC_CONNECTION", env.Connection},
		{"DBT_TARGET", env.DbtTarget}, // the dbt runner's --target
	} {
		if v.value != "" {
			h.variables = append(h.variables, variable{v.name, literal(v.value)})
		}
	}
	retry := b.retry
	if s.image != "" || len(s.tags) > 0 {
		h.defaults = &jobBody{image: s.image, tags: s.tags}
	}
	used := map[string]bool{}
	for _, p := range u.products {
		for _, st := range p.Steps {
			if used[st.Runner.Name] {
				continue
			}
			used[st.Runner.Name] = true
			t := s.target.Jobs[st.Runner.Name]
			if t == nil {
				continue // reported by stepBody
			}
			h.templates = append(h.templates, &template{name: runnerTemplate(st.Runner), body: jobBody{
				comment:      fmt.Sprintf("Steps that run on runner %s.", st.Runner.Name),
				image:        t.Image,
				retry:        retry,
				timeout:      s.timeout,
				variables:    templateVariables(t.Variables),
				beforeScript: b.render(t, nil, t.Range, 0, sharedLines(t)),
			}})
		}
	}
	hasTests := false
	for _, p := range u.products {
		hasTests = hasTests || len(p.Tests) > 0
	}
	if t := s.target.Test; hasTests && t != nil {
		h.templates = append(h.templates, &template{name: ".meshc-test", body: jobBody{
			comment:   "Tests: each runs its query and fails when it returns rows; the JUnit report shows the results in the Tests tab of this pipeline.",
			image:     t.Image,
			timeout:   s.timeout,
			variables: templateVariables(t.Variables),
			// after_script runs whether the test passed or not, and
			// knows which from CI_JOB_STATUS. The test's name is
			// snake_case, dots and $, so it needs no XML escaping.
			afterScript: []string{
				`if [ "$CI_JOB_STATUS" = success ]; then result=''; failures=0; else result='<failure message="the test query returned rows, or could not run"/>'; failures=1; fi`,
				`printf '<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="%s" tests="1" failures="%s">\n<testcase classname="%s" name="%s">%s</testcase>\n</testsuite>\n' "$MESHC_PRODUCT" "$failures" "$MESHC_PRODUCT" "$MESHC_TEST" "$result" > junit.xml`,
			},
			junit: "junit.xml",
		}})
	}
	return h
}

// literal writes a value of meshc's own as GitLab reads it literally:
// GitLab expands $NAME in the variables a file defines, and Snowflake
// names may hold $ (PHARMA$PROD), which $$ stands for. The target block's
// variables are left as written, as their $ may be meant.
func literal(value string) string { return strings.ReplaceAll(value, "$", "$$") }

func templateVariables(vs []plan.Variable) []variable {
	out := make([]variable, len(vs))
	for i, v := range vs {
		out[i] = variable{v.Name, v.Value}
	}
	return out
}

// retries maps the mesh's retries to GitLab's retry, which is at most 2.
func (b *builder) retries() int {
	r := b.plan.Defaults.Retries
	if r > 2 {
		b.diags = append(b.diags, diag.Warnf("gitlab-retries", b.plan.Defaults.RetriesAt, "GitLab retries a job at most twice",
			"retries = %d applies to the other targets; GitLab jobs get retry: 2, its most. Set retries to 2 or less to make the targets agree.", r))
		return 2
	}
	return r
}
