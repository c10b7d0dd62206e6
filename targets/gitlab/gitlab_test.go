package gitlab_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/tools/txtar"
	"gopkg.in/yaml.v3"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/golden"
	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
	"github.com/meshc/meshc/targets/gitlab"
)

var today = meshtest.Today

func pharma(t *testing.T, env string) *plan.Plan { return meshtest.Pharma(t, env) }

func build(t *testing.T, p *plan.Plan, o gitlab.Options) []output.File {
	t.Helper()
	files, ds := gitlab.Build(p, o)
	if ds.HasErrors() {
		t.Fatalf("build: %v", ds)
	}
	return files
}

var pharmaBuilds = []struct {
	name string
	env  string
	opts gitlab.Options
}{
	{"pharma", "", gitlab.Options{OutDir: "gen/gitlab"}},
	{"pharma.dev", "dev", gitlab.Options{OutDir: "gen/gitlab"}},
	{"pharma.domain", "", gitlab.Options{OutDir: "ci", MeshDir: "analytics", Granularity: "domain", TriggerStrategy: "mirror"}},
}

// TestPharma compares the example's pipelines with golden files, and
// checks that the job graph read back from the YAML is the mesh's.
func TestPharma(t *testing.T) {
	for _, tt := range pharmaBuilds {
		t.Run(tt.name, func(t *testing.T) {
			p := pharma(t, tt.env)
			files := build(t, p, tt.opts)
			golden.Check(t, "gitlab/"+tt.name+".txtar", meshtest.Archive(files, nil, nil))
			checkGraph(t, p, files, tt.opts.Granularity == "domain")
		})
	}
}

// TestDeterministic builds the example twice, reading its files in a
// different random order each time, and compares the bytes.
func TestDeterministic(t *testing.T) {
	var first []output.File
	for i := range 4 {
		files := build(t, meshtest.ShuffledPharma(t, uint64(i)), gitlab.Options{OutDir: "gen/gitlab"})
		if first == nil {
			first = files
			continue
		}
		if len(files) != len(first) {
			t.Fatalf("build %d wrote %d files, the first %d", i, len(files), len(first))
		}
		for j := range files {
			if files[j].Path != first[j].Path || !bytes.Equal(files[j].Contents(), first[j].Contents()) {
				t.Fatalf("build %d differs from the first in %s", i, files[j].Path)
			}
		}
	}
}

// TestSchema validates every generated pipeline file against GitLab's own
// CI schema, with the validator in ../shared/validators.
func TestSchema(t *testing.T) {
	script := filepath.Join(golden.Root(), "..", "shared", "validators", "gitlab-schema-check.sh")
	if _, err := os.Stat(script); err != nil {
		t.Skipf("GitLab's schema validator is not beside the repository (%v)", err)
	}
	dir := t.TempDir()
	var yamls []string
	write := func(sub string, files []output.File) {
		for _, f := range files {
			path := filepath.Join(dir, sub, filepath.FromSlash(f.Path))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, f.Contents(), 0o644); err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(path, ".yml") {
				yamls = append(yamls, path)
			}
		}
	}
	for _, tt := range pharmaBuilds {
		write(tt.name, build(t, pharma(t, tt.env), tt.opts))
	}
	for _, c := range cases(t) {
		if c.files != nil {
			write("cases/"+c.name, c.files)
		}
	}
	out, err := exec.Command("bash", append([]string{script}, yamls...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("GitLab's schema rejects generated files: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), ": valid"); n != len(yamls) {
		t.Fatalf("the validator reported %d valid files of %d:\n%s", n, len(yamls), out)
	}
}

// checkGraph reads the jobs and needs back from the generated YAML and
// compares them with the plan: the parent's needs are the products'
// dependencies, each step job needs the steps it runs after, and each
// test job needs the product's last steps.
func checkGraph(t *testing.T, p *plan.Plan, files []output.File, domainMode bool) {
	t.Helper()
	docs := map[string]map[string]any{}
	for _, f := range files {
		if !strings.HasSuffix(f.Path, ".yml") {
			continue
		}
		var doc map[string]any
		if err := yaml.Unmarshal(f.Contents(), &doc); err != nil {
			t.Fatalf("%s does not parse: %v", f.Path, err)
		}
		docs[f.Path] = doc
	}
	parent := docs[".gitlab-ci.yml"]
	if parent == nil {
		t.Fatal("no .gitlab-ci.yml")
	}
	childOf := map[*plan.Product]string{} // product -> its child file's trigger job
	for name, v := range parent {
		job, ok := v.(map[string]any)
		if !ok || strings.HasPrefix(name, ".") || job["trigger"] == nil {
			continue
		}
		include := job["trigger"].(map[string]any)["include"].([]any)[0].(map[string]any)["local"].(string)
		var child map[string]any
		for path, doc := range docs {
			if strings.HasSuffix(include, "/"+path) {
				child = doc
			}
		}
		if child == nil {
			t.Fatalf("%s includes %s, which was not generated", name, include)
		}
		for _, pr := range p.Products {
			if _, ok := child[stepJob(pr, pr.Steps[0], domainMode)]; ok && (domainMode || name == pr.ID) {
				childOf[pr] = name
				checkChild(t, pr, child, domainMode)
			}
		}
	}
	for _, pr := range p.Products {
		name, ok := childOf[pr]
		if !ok {
			t.Errorf("no child pipeline runs %s", pr.ID)
			continue
		}
		var want []string
		for _, up := range pr.Upstreams {
			if childOf[up] != name {
				want = append(want, childOf[up])
			}
		}
		got := needs(parent[name])
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("trigger %s does not need %s, which runs %s's upstream", name, w, pr.ID)
			}
		}
	}
}

func stepJob(pr *plan.Product, s *plan.Step, domainMode bool) string {
	if domainMode {
		return pr.Name + "." + s.Name
	}
	return s.Name
}

func checkChild(t *testing.T, pr *plan.Product, child map[string]any, domainMode bool) {
	t.Helper()
	last := map[string]bool{}
	for _, s := range pr.Steps {
		last[stepJob(pr, s, domainMode)] = true
	}
	for _, s := range pr.Steps {
		var want []string
		for _, a := range s.After {
			want = append(want, stepJob(pr, a, domainMode))
			delete(last, stepJob(pr, a, domainMode))
		}
		got := needs(child[stepJob(pr, s, domainMode)])
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: step job %s does not need %s", pr.ID, s.Name, w)
			}
		}
		if len(s.After) == 0 && !domainMode && len(got) != 0 {
			t.Errorf("%s: first step %s needs %v; it should need nothing", pr.ID, s.Name, got)
		}
	}
	for _, test := range pr.Tests {
		name := "test:" + test.ID
		if domainMode {
			name = "test:" + pr.Name + "." + test.ID
		}
		got := needs(child[name])
		if child[name] == nil {
			t.Errorf("%s: no job for test %s", pr.ID, test.ID)
		}
		for s := range last {
			if !slices.Contains(got, s) {
				t.Errorf("%s: test job %s does not need the last step %s", pr.ID, name, s)
			}
		}
		allow, _ := child[name].(map[string]any)["allow_failure"].(bool)
		if allow != (test.Severity == "warn") {
			t.Errorf("%s: test %s has allow_failure %v with severity %s", pr.ID, name, allow, test.Severity)
		}
	}
}

func needs(job any) []string {
	m, _ := job.(map[string]any)
	var out []string
	list, _ := m["needs"].([]any)
	for _, n := range list {
		switch n := n.(type) {
		case string:
			out = append(out, n)
		case map[string]any:
			out = append(out, n["job"].(string))
		}
	}
	return out
}

// testCase is a mesh under testdata/cases/, built with the options its
// archive's comment names (lines such as "granularity: domain").
type testCase struct {
	name  string
	files []output.File
	out   []byte
}

func cases(t *testing.T) []testCase {
	t.Helper()
	var out []testCase
	for _, mc := range meshtest.Cases(t) {
		res := mc.Result
		opts := gitlab.Options{OutDir: "gen"}
		for _, line := range strings.Split(mc.Comment, "\n") {
			k, v, _ := strings.Cut(line, ": ")
			switch k {
			case "granularity":
				opts.Granularity = v
			case "job_limit":
				opts.JobLimit, _ = strconv.Atoi(v)
			case "out":
				opts.OutDir = v
			}
		}
		c := testCase{name: mc.Name}
		c.files, c.out = meshtest.BuildCase(res, func(p *plan.Plan) ([]output.File, diag.Diagnostics) { return gitlab.Build(p, opts) })
		out = append(out, c)
	}
	return out
}

// TestCases compares each case's files, or diagnostics, with its golden
// file.
func TestCases(t *testing.T) {
	for _, c := range cases(t) {
		t.Run(c.name, func(t *testing.T) {
			golden.Check(t, "gitlab/cases/"+c.name+".txtar", c.out)
		})
	}
}

// TestRendersAgain checks that the files rendered again to be written
// are those the build renders to keep.
func TestRendersAgain(t *testing.T) {
	meshtest.RendersAgain(t, gitlab.Owner, func(p *plan.Plan, keep *output.Allowance) ([]output.File, diag.Diagnostics) {
		return gitlab.Build(p, gitlab.Options{OutDir: "gen/gitlab", Keep: keep})
	})
}

// TestStepFilesUnreadable checks the error for a step's SQL file that
// cannot be read: the build cannot tell whether the job may run it as
// written or needs a copy with its placeholders filled, so it says so
// rather than leave the job to fail.
func TestStepFilesUnreadable(t *testing.T) {
	meshtest.StepFilesUnreadable(t, func(p *plan.Plan, keep *output.Allowance) ([]output.File, diag.Diagnostics) {
		return gitlab.Build(p, gitlab.Options{OutDir: "gen/gitlab", Keep: keep})
	})
}

// TestSameOnAnyCores builds a synthetic mesh with one core and with four:
// the build shares its work out, and must write the same bytes.
func TestSameOnAnyCores(t *testing.T) {
	p := meshtest.Synthetic(t, 300)
	meshtest.SameOnAnyCores(t, func() ([]output.File, diag.Diagnostics) { return gitlab.Build(p, gitlab.Options{OutDir: "gen/gitlab"}) })
}

// TestRulesWithinTokenLimit checks that every rule of every job is short,
// however many schedules a job runs in: GitLab's expression lexer stops
// at 100 tokens (MAX_TOKENS), and GitLab refuses a file with a rule over
// it. A comparison is 3 tokens, and || one more.
func TestRulesWithinTokenLimit(t *testing.T) {
	res, _ := meshtest.CompileArchive(t, "testdata/cases/many_schedules.txtar")
	if res.Plan == nil {
		t.Fatalf("compile: %v", res.Diagnostics)
	}
	for _, f := range build(t, res.Plan, gitlab.Options{}) {
		if !strings.HasSuffix(f.Path, ".yml") {
			continue
		}
		var doc map[string]any
		if err := yaml.Unmarshal(f.Contents(), &doc); err != nil {
			t.Fatalf("%s does not parse: %v", f.Path, err)
		}
		rules := map[string]int{} // by job
		for name, v := range doc {
			job, _ := v.(map[string]any)
			list, _ := job["rules"].([]any)
			for _, r := range list {
				cond, _ := r.(map[string]any)["if"].(string)
				if tokens := 3 + 4*strings.Count(cond, "||") + 4*strings.Count(cond, "&&"); tokens > 100 {
					t.Errorf("%s: job %s has a rule of %d tokens: %s", f.Path, name, tokens, cond)
				}
				rules[name]++
			}
		}
		if f.Path == ".gitlab-ci.yml" && (rules["d"] != 56 || rules["meshc-unknown-schedule:m/prod"] != 32) {
			t.Errorf("the parent's jobs have %v rules; want 56 for the domain d: another build's schedule, all and each of the 26 schedules described as this build's, another build's description, all and the 26 again; and 32 for meshc-unknown-schedule:m/prod, all, the 26, this build's schedule, another build's, and a schedule without MESHC_BUILD described as this build's, as another's, or as no build's", rules)
		}
	}
}

// TestLargeFileWarned checks that a child pipeline too large for GitLab's
// default max_yaml_size_bytes is warned of, and a usual one is not.
func TestLargeFileWarned(t *testing.T) {
	var b strings.Builder
	b.WriteString("domain \"d\" {\n  owner = \"d@example.com\"\n}\n\nproduct \"big\" {\n  version = \"1.0.0\"\n  port \"main\" {\n    table = \"BIG\"\n    column \"id\" { type = string }\n  }\n  schedule { cadence = \"daily\" }\n")
	long := strings.Repeat("x", 5000)
	for i := range 100 {
		fmt.Fprintf(&b, "  step \"s%03d\" {\n    run     = runner.shell\n    command = \"echo %s\"\n  }\n", i, long)
	}
	b.WriteString("}\n")
	fsys := fstest.MapFS{
		"mesh.hcl":          {Data: []byte("mesh \"m\" {}\n\nenvironment \"prod\" {\n  database = \"DB\"\n}\n")},
		"d/domain.mesh.hcl": {Data: []byte(b.String())},
	}
	res, err := compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Today: meshtest.Today})
	if err != nil || res.Plan == nil {
		t.Fatalf("compile: %v %v", err, res.Diagnostics)
	}
	_, ds := gitlab.Build(res.Plan, gitlab.Options{})
	warned := slices.ContainsFunc(ds, func(d *diag.Diagnostic) bool {
		return d.Summary == "GitLab pipeline file may be too large" && strings.Contains(d.Detail, "products/d/big.yml")
	})
	if !warned {
		t.Errorf("a child pipeline of 100 steps of 5 KB is not warned of: %v", ds)
	}
	_, ds = gitlab.Build(meshtest.Pharma(t, "prod"), gitlab.Options{})
	if slices.ContainsFunc(ds, func(d *diag.Diagnostic) bool { return d.Summary == "GitLab pipeline file may be too large" }) {
		t.Errorf("the example's pipelines are warned of: %v", ds)
	}
}

// TestPollerOnce checks that a child pipeline holds the standard talend
// runner's poller once, in the runner's template, as before_script, and
// that a step's job, run as GitLab runs it (before_script and script as
// one script in one shell), hands the poller its task and its token: in
// dash as in bash, as a job's image decides the shell. A stub python3
// prints what it gets.
func TestPollerOnce(t *testing.T) {
	var child map[string]any
	for _, f := range build(t, pharma(t, "prod"), gitlab.Options{OutDir: "gen/gitlab", Granularity: "domain"}) {
		if f.Path == "domains/physician.yml" {
			if n := strings.Count(string(f.Contents()), "import datetime"); n != 1 {
				t.Errorf("%s holds the talend poller %d times, want once", f.Path, n)
			}
			if err := yaml.Unmarshal(f.Contents(), &child); err != nil {
				t.Fatal(err)
			}
		}
	}
	template, _ := child[".meshc-runner-talend"].(map[string]any)
	job, _ := child["prescribers.land_ama_file"].(map[string]any)
	if template == nil || job == nil {
		t.Fatal("domains/physician.yml has no .meshc-runner-talend or prescribers.land_ama_file")
	}
	if job["before_script"] != nil || job["extends"] != ".meshc-runner-talend" || template["before_script"] == nil {
		t.Fatalf("the step's job does not take its before_script from its runner's template: %v", job)
	}
	if fmt.Sprint(job["script"]) == "" || strings.Contains(fmt.Sprint(job["script"]), "import datetime") {
		t.Errorf("the step's job holds the poller itself: %v", job["script"])
	}
	var script []string
	for _, key := range []string{"before_script", "script"} {
		lines, _ := template[key].([]any)
		if key == "script" {
			lines, _ = job[key].([]any)
		}
		for _, l := range lines {
			script = append(script, l.(string))
		}
	}
	bin := t.TempDir()
	stub := "#!/bin/sh\ncat >/dev/null\necho \"token=$MESHC_TOKEN args=$*\"\n"
	if err := os.WriteFile(filepath.Join(bin, "python3"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, shell := range []string{"sh", "bash"} {
		if _, err := exec.LookPath(shell); err != nil {
			continue
		}
		cmd := exec.Command(shell, "-c", strings.Join(script, "\n"))
		cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "MESHC_SECRET_PHYSICIAN__TALEND_CLOUD=s3cret", "MESHC_TOKEN=")
		out, err := cmd.CombinedOutput()
		if want := "token=s3cret args=- logsys_master_d\n"; err != nil || string(out) != want {
			t.Errorf("%s ran the job's script: %v, %q; want %q", shell, err, out, want)
		}
	}
}

// TestBeforeScriptOnlyInRunnerTemplates checks that no job of any golden
// pipeline sets before_script but the runners' hidden templates
// (.meshc-runner-*): a step's job gets its runner's shared lines, such as
// the talend poller, from its template through extends, which a
// before_script of the job's own would replace whole, not add to.
func TestBeforeScriptOnlyInRunnerTemplates(t *testing.T) {
	goldens, err := filepath.Glob("../../testdata/golden/gitlab/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	cases, _ := filepath.Glob("../../testdata/golden/gitlab/cases/*.txtar")
	templates := 0
	for _, name := range append(goldens, cases...) {
		ar, err := txtar.ParseFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			if !strings.HasSuffix(f.Name, ".yml") {
				continue
			}
			var doc map[string]any
			if err := yaml.Unmarshal(f.Data, &doc); err != nil {
				t.Fatalf("%s: %s does not parse: %v", name, f.Name, err)
			}
			for job, v := range doc {
				body, _ := v.(map[string]any)
				if body["before_script"] == nil {
					continue
				}
				if !strings.HasPrefix(job, ".meshc-runner-") {
					t.Errorf("%s: %s: job %s sets before_script, which would replace its runner template's", name, f.Name, job)
				}
				templates++
			}
		}
	}
	if templates == 0 {
		t.Error("no golden pipeline has a runner template with before_script; the test checks nothing")
	}
}
