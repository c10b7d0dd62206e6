package gitlab_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
	"gopkg.in/yaml.v3"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/golden"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/targets/gitlab"
)

// TestGitLabCILocal runs the example's pipelines with gitlab-ci-local, with
// the runner settings of testdata/record.mesh.hcl, whose jobs only record
// that they ran. run.py (../shared/validators/gitlab-ci-local) fails when a
// job fails or starts before a job it needs has finished. It takes about a
// minute per run, so it runs when MESHC_GITLAB_CI_LOCAL names run.py, as
// make e2e does.
func TestGitLabCILocal(t *testing.T) {
	runPy := os.Getenv("MESHC_GITLAB_CI_LOCAL")
	if runPy == "" {
		t.Skip("set MESHC_GITLAB_CI_LOCAL to gitlab-ci-local's run.py (make e2e does)")
	}
	t.Run("pass", func(t *testing.T) {
		record, p, out, err := runPipelines(t, runPy, "", "all")
		if strings.Contains(out, "python3-yaml missing") {
			t.Fatalf("run.py cannot check the child pipelines' needs without PyYAML:\n%s", out)
		}
		if err != nil {
			t.Fatalf("the pipelines failed: %v\n%s", err, out)
		}
		// Every step and test job of every product ran, once.
		want := 0
		for _, pr := range p.Products {
			want += len(pr.Steps) + len(pr.Tests)
		}
		if got := strings.Count(record, "\n"); got != want {
			t.Errorf("%d jobs recorded, want %d:\n%s", got, want, record)
		}
	})
	t.Run("failing test", func(t *testing.T) {
		// The first test of the first product fails: its child pipeline
		// fails, and with strategy depend so does its trigger job, which
		// every downstream trigger needs.
		_, p, out, err := runPipelines(t, runPy, "prescribers.npi.not_null", "all")
		if err == nil {
			t.Fatalf("the pipelines passed although a test failed:\n%s", out)
		}
		if !strings.Contains(out, "job failed: FAIL  test:prescribers.npi.not_null") {
			t.Errorf("run.py did not report the failing test job:\n%s", out)
		}
		if strings.Contains(out, "needs-order violation") {
			t.Errorf("a job started before its needs finished:\n%s", out)
		}
		checkStops(t, p, "physician.prescribers")
	})
	t.Run("stale schedule", func(t *testing.T) {
		// A pipeline schedule left from an earlier schedules.json sets a
		// key the build no longer has: no product runs, and the pipeline
		// fails in meshc-unknown-schedule, saying why.
		record, _, out, err := runPipelines(t, runPy, "", "weekly", "MESHC_BUILD=pharma/prod")
		if err == nil {
			t.Fatalf("the pipelines passed with a stale MESHC_SCHEDULE:\n%s", out)
		}
		if !strings.Contains(out, "job failed: FAIL  meshc-unknown-schedule:pharma/prod") || !strings.Contains(out, `MESHC_SCHEDULE is "weekly", which is neither "all" nor the key of a schedule`) {
			t.Errorf("meshc-unknown-schedule did not fail, saying why:\n%s", out)
		}
		if record != "" {
			t.Errorf("jobs ran with a stale MESHC_SCHEDULE:\n%s", record)
		}
	})
	t.Run("two meshes", func(t *testing.T) {
		// One .gitlab-ci.yml includes the parents of two meshes that both
		// have a product stores.revenue: a build's schedule runs its own
		// product only, and is judged by its own build's
		// meshc-unknown-schedule only. Were the two trigger jobs of one
		// name, GitLab would merge them, and one mesh's product would
		// never run. About 12 seconds a run.
		for _, run := range []struct {
			name      string
			variables []string
			ran       string   // what the steps recorded, sorted
			failed    []string // the jobs that fail
		}{
			{"retail's schedule", []string{"MESHC_SCHEDULE=daily", "MESHC_BUILD=retail/prod"}, "RETAIL stores.revenue\n", nil},
			{"ops' schedule", []string{"MESHC_SCHEDULE=weekly", "MESHC_BUILD=ops/prod"}, "OPS stores.revenue\n", nil},
			{"everything", []string{"MESHC_SCHEDULE=all"}, "OPS stores.revenue\nRETAIL stores.revenue\n", nil},
			{"by hand, without the build", []string{"MESHC_SCHEDULE=daily"}, "RETAIL stores.revenue\n", nil},
			{"retail's stale schedule of ops' key", []string{"MESHC_SCHEDULE=weekly", "MESHC_BUILD=retail/prod"}, "", []string{"meshc-unknown-schedule:retail/prod"}},
			// Schedules without MESHC_BUILD, made before meshc wrote it
			// or by hand. GitLab names the schedule in
			// CI_PIPELINE_SCHEDULE_DESCRIPTION since 17.8.
			{"retail's schedule made before MESHC_BUILD", []string{"MESHC_SCHEDULE=daily", schedule, "CI_PIPELINE_SCHEDULE_DESCRIPTION=meshc retail prod: daily"}, "RETAIL stores.revenue\n", nil},
			{"ops' stale schedule made before MESHC_BUILD", []string{"MESHC_SCHEDULE=monthly", schedule, "CI_PIPELINE_SCHEDULE_DESCRIPTION=meshc ops prod: monthly"}, "", []string{"meshc-unknown-schedule:ops/prod"}},
			// Retail's by its description, so ops' trigger jobs of the
			// key leave it alone too.
			{"retail's stale schedule of ops' key made before MESHC_BUILD", []string{"MESHC_SCHEDULE=weekly", schedule, "CI_PIPELINE_SCHEDULE_DESCRIPTION=meshc retail prod: weekly"}, "", []string{"meshc-unknown-schedule:retail/prod"}},
			{"a schedule of no build's key, without MESHC_BUILD", []string{"MESHC_SCHEDULE=monthly", schedule, "CI_PIPELINE_SCHEDULE_DESCRIPTION=nightly"}, "", []string{"meshc-unknown-schedule:ops/prod", "meshc-unknown-schedule:retail/prod"}},
			// Whose it is cannot be told: retail's job fails it, saying
			// to give it its MESHC_BUILD.
			{"a schedule of ops' key without MESHC_BUILD or description", []string{"MESHC_SCHEDULE=weekly", schedule}, "OPS stores.revenue\n", []string{"meshc-unknown-schedule:retail/prod"}},
		} {
			t.Run(run.name, func(t *testing.T) {
				record, out, err := runTwoMeshes(t, runPy, run.variables...)
				if len(run.failed) == 0 && err != nil {
					t.Fatalf("the pipelines failed: %v\n%s", err, out)
				}
				var failed []string
				for line := range strings.Lines(out) {
					if job, ok := strings.CutPrefix(line, "PROBLEM: job failed: FAIL  "); ok {
						failed = append(failed, strings.TrimSpace(job))
					}
				}
				slices.Sort(failed)
				if !slices.Equal(failed, run.failed) || (len(run.failed) > 0 && err == nil) {
					t.Fatalf("the jobs that failed are %q, want %q:\n%s", failed, run.failed, out)
				}
				if len(run.failed) > 0 && !strings.Contains(out, "which is neither \"all\" nor the key of a schedule") {
					t.Errorf("the pipelines failed without saying why:\n%s", out)
				}
				withBuild := slices.ContainsFunc(run.variables, func(v string) bool { return strings.HasPrefix(v, "MESHC_BUILD=") })
				if len(run.failed) > 0 && !withBuild && !strings.Contains(out, "sets no MESHC_BUILD") {
					t.Errorf("the pipelines failed without saying that the schedule sets no MESHC_BUILD:\n%s", out)
				}
				lines := strings.SplitAfter(record, "\n")
				slices.Sort(lines)
				if got := strings.Join(lines, ""); got != run.ran {
					t.Errorf("the steps that ran recorded %q, want %q\n%s", got, run.ran, out)
				}
			})
		}
	})
}

// schedule makes gitlab-ci-local's pipeline one that a pipeline schedule
// started; run.py leaves CI_PIPELINE_SOURCE to the caller.
const schedule = "CI_PIPELINE_SOURCE=schedule"

// runTwoMeshes builds the two meshes of testdata/two_meshes.txtar into a
// scratch repository and runs its .gitlab-ci.yml, which includes both
// parents, with the variables given, returning what the steps recorded
// and run.py's output.
func runTwoMeshes(t *testing.T, runPy string, variables ...string) (string, string, error) {
	t.Helper()
	record := filepath.Join(t.TempDir(), "record.log")
	repo, _ := buildTwoMeshes(t, record)
	args := []string{runPy, repo, "--", "--force-shell-executor"}
	for _, v := range variables {
		args = append(args, "--variable", v)
	}
	out, runErr := exec.Command(python(), args...).CombinedOutput()
	recorded, _ := os.ReadFile(record)
	return string(recorded), string(out), runErr
}

// buildTwoMeshes writes testdata/two_meshes.txtar into a scratch
// repository, its steps recording into record, and builds each mesh into
// its gen/gitlab. It returns the repository and each mesh's parent
// pipeline, parsed.
func buildTwoMeshes(t *testing.T, record string) (string, []map[string]any) {
	t.Helper()
	ar, err := txtar.ParseFile(filepath.Join("testdata", "two_meshes.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(t.TempDir(), "repo")
	for _, f := range ar.Files {
		name := filepath.Join(repo, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, bytes.ReplaceAll(f.Data, []byte("$MESHC_RECORD"), []byte(record)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var parents []map[string]any
	for _, mesh := range []string{"meshA", "meshB"} {
		res, err := compiler.CompileDir(filepath.Join(repo, mesh), compiler.Options{Today: today})
		if err != nil {
			t.Fatal(err)
		}
		if res.Plan == nil {
			var out bytes.Buffer
			diag.WriteText(&out, res.Diagnostics, res.SourcesFor(res.Diagnostics))
			t.Fatalf("%s does not compile:\n%s", mesh, out.String())
		}
		files := build(t, res.Plan, gitlab.Options{OutDir: "gen/gitlab", MeshDir: mesh})
		if _, err := output.Write(filepath.Join(repo, mesh, "gen", "gitlab"), gitlab.Owner(res.Plan), files, nil); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if f.Path == ".gitlab-ci.yml" {
				var parent map[string]any
				if err := yaml.Unmarshal(f.Contents(), &parent); err != nil {
					t.Fatal(err)
				}
				parents = append(parents, parent)
			}
		}
	}
	return repo, parents
}

// TestTwoMeshesShareNoName checks, without running them, that the parents
// of two meshes of one repository that both have a product stores.revenue
// share no job name, which GitLab would merge into one job when one file
// includes both, and no resource group, which would make each wait for
// the other's runs.
func TestTwoMeshesShareNoName(t *testing.T) {
	_, parents := buildTwoMeshes(t, "record.log")
	jobs := map[string]bool{}
	groups := map[string]bool{}
	for i, parent := range parents {
		for name, v := range parent {
			job, ok := v.(map[string]any)
			if !ok {
				continue // stages
			}
			if jobs[name] {
				t.Errorf("both meshes' parents have a job %q", name)
			}
			jobs[name] = true
			if g, ok := job["resource_group"].(string); ok {
				if groups[g] {
					t.Errorf("both meshes' parents have the resource group %q", g)
				}
				groups[g] = true
			}
			if i == 0 && job["trigger"] != nil && !strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "retail:") {
				t.Errorf("retail's trigger job %q does not start with the mesh's name", name)
			}
		}
	}
	if len(groups) != 2 {
		t.Errorf("the two parents have %d resource groups, want 2: %v", len(groups), groups)
	}
}

// TestTwoMeshesTellSchedules checks, without gitlab-ci-local, which trigger
// jobs of the two meshes' parents a scheduled run adds to the pipeline, by
// reading their rules as GitLab does (the first that holds decides): a
// schedule without MESHC_BUILD whose description is one build's runs none
// of the other build's jobs, even of a key the other has.
func TestTwoMeshesTellSchedules(t *testing.T) {
	_, parents := buildTwoMeshes(t, "record.log")
	for _, run := range []struct {
		name string
		vars map[string]string
		want []string // the trigger jobs added, sorted
	}{
		{"ops' schedule by its MESHC_BUILD", map[string]string{"MESHC_SCHEDULE": "weekly", "MESHC_BUILD": "ops/prod"}, []string{"ops:stores.revenue"}},
		{"retail's stale schedule of ops' key, by its description", map[string]string{"MESHC_SCHEDULE": "weekly", "CI_PIPELINE_SCHEDULE_DESCRIPTION": "meshc retail prod: weekly"}, nil},
		{"ops' schedule, by its description", map[string]string{"MESHC_SCHEDULE": "weekly", "CI_PIPELINE_SCHEDULE_DESCRIPTION": "meshc ops prod: weekly"}, []string{"ops:stores.revenue"}},
		{"a schedule of no build", map[string]string{"MESHC_SCHEDULE": "all", "CI_PIPELINE_SCHEDULE_DESCRIPTION": "nightly"}, []string{"ops:stores.revenue", "retail:stores.revenue"}},
		{"before GitLab 17.8", map[string]string{"MESHC_SCHEDULE": "weekly"}, []string{"ops:stores.revenue"}},
	} {
		var added []string
		for _, parent := range parents {
			for name, v := range parent {
				job, _ := v.(map[string]any)
				if job["trigger"] == nil || strings.HasPrefix(name, ".") {
					continue
				}
				rules, _ := job["rules"].([]any)
				for _, r := range rules {
					rule := r.(map[string]any)
					if holds(t, rule["if"].(string), run.vars) {
						if rule["when"] != "never" {
							added = append(added, name)
						}
						break
					}
				}
			}
		}
		slices.Sort(added)
		if !slices.Equal(added, run.want) {
			t.Errorf("%s: the pipeline has the trigger jobs %q, want %q", run.name, added, run.want)
		}
	}
}

// holds evaluates a rules:if expression of the forms meshc writes:
// comparisons joined by &&, each $VAR, $VAR == "s", $VAR != "s" or
// $VAR =~ /re/, an unset variable being null.
func holds(t *testing.T, expr string, vars map[string]string) bool {
	t.Helper()
	term := regexp.MustCompile(`^\$(\w+)(?: (==|!=) "((?:[^"\\]|\\.)*)"| =~ /(.*)/)?$`)
	for _, part := range strings.Split(expr, " && ") {
		m := term.FindStringSubmatch(part)
		if m == nil {
			t.Fatalf("cannot read %q in %q", part, expr)
		}
		value, set := vars[m[1]]
		var ok bool
		switch {
		case m[2] == "==":
			ok = set && value == m[3]
		case m[2] == "!=":
			ok = !set || value != m[3]
		case m[4] != "":
			ok = set && regexp.MustCompile(m[4]).MatchString(value)
		default:
			ok = value != ""
		}
		if !ok {
			return false
		}
	}
	return true
}

// python is the Python that runs run.py: MESHC_PYTHON, or python3.
func python() string {
	if p := os.Getenv("MESHC_PYTHON"); p != "" {
		return p
	}
	return "python3"
}

// checkStops checks what gitlab-ci-local cannot show (a failed child
// pipeline does not fail its trigger job there): on GitLab, a failed test
// fails its product's child pipeline, strategy depend fails the trigger
// job, and every product downstream needs that job, directly or through
// other triggers, so none of them starts.
func checkStops(t *testing.T, p *plan.Plan, failed string) {
	t.Helper()
	files := build(t, p, gitlab.Options{OutDir: "gen", MeshDir: "."})
	var parent map[string]any
	for _, f := range files {
		if f.Path == ".gitlab-ci.yml" {
			if err := yaml.Unmarshal(f.Contents(), &parent); err != nil {
				t.Fatal(err)
			}
		}
	}
	template := parent[".meshc-product:pharma/prod"].(map[string]any)
	if strategy := template["trigger"].(map[string]any)["strategy"]; strategy != "depend" {
		t.Errorf("trigger strategy %v, want depend", strategy)
	}
	stopped := map[string]bool{failed: true}
	for _, pr := range p.Products { // upstreams first
		job, _ := parent[pr.ID].(map[string]any)
		if job == nil {
			t.Fatalf("no trigger job for %s", pr.ID)
		}
		if job["extends"] != ".meshc-product:pharma/prod" {
			t.Errorf("%s does not extend .meshc-product:pharma/prod", pr.ID)
		}
		for _, n := range needs(job) {
			if stopped[n] {
				stopped[pr.ID] = true
			}
		}
	}
	for _, pr := range p.Products {
		downstream := false
		for _, up := range pr.Upstreams {
			downstream = downstream || stopped[up.ID]
		}
		if downstream && !stopped[pr.ID] {
			t.Errorf("%s reads from a product downstream of %s but does not wait for it", pr.ID, failed)
		}
	}
	if len(stopped) < 3 {
		t.Errorf("only %v would stop; the example has more products downstream of %s", stopped, failed)
	}
}

// runPipelines builds a copy of examples/pharma with the recording runner
// settings into a scratch repository and runs it with MESHC_SCHEDULE set
// to schedule, and the other variables given, returning what the jobs
// recorded and run.py's output.
func runPipelines(t *testing.T, runPy, failTest, schedule string, variables ...string) (string, *plan.Plan, string, error) {
	t.Helper()
	repo := filepath.Join(t.TempDir(), "repo")
	if err := os.CopyFS(repo, os.DirFS(filepath.Join(golden.Root(), "examples", "pharma"))); err != nil {
		t.Fatal(err)
	}
	record := filepath.Join(t.TempDir(), "record.log")
	settings, err := os.ReadFile(filepath.Join("testdata", "record.mesh.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	settings = bytes.ReplaceAll(settings, []byte("$MESHC_RECORD"), []byte(record))
	settings = bytes.ReplaceAll(settings, []byte("$MESHC_FAIL_TEST"), []byte(failTest))
	if err := os.WriteFile(filepath.Join(repo, "platform", "gitlab.mesh.hcl"), settings, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := compiler.CompileDir(repo, compiler.Options{Today: today})
	if err != nil {
		t.Fatal(err)
	}
	if res.Plan == nil {
		var out bytes.Buffer
		diag.WriteText(&out, res.Diagnostics, res.SourcesFor(res.Diagnostics))
		t.Fatalf("the recording mesh does not compile:\n%s", out.String())
	}
	files := build(t, res.Plan, gitlab.Options{OutDir: "gen", MeshDir: "."})
	if _, err := output.Write(filepath.Join(repo, "gen"), gitlab.Owner(res.Plan), files, nil); err != nil {
		t.Fatal(err)
	}
	args := []string{runPy, repo, "--file", "gen/.gitlab-ci.yml", "--",
		"--force-shell-executor", "--variable", "MESHC_SCHEDULE=" + schedule}
	for _, v := range variables {
		args = append(args, "--variable", v)
	}
	out, runErr := exec.Command(python(), args...).CombinedOutput()
	recorded, _ := os.ReadFile(record)
	return string(recorded), res.Plan, string(out), runErr
}
