package gitlab

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/meshc/meshc/lang/diag"
)

// GitLab's limits, from its CI/CD YAML reference and its instance limits
// for GitLab.com.
const (
	maxJobName            = 255  // characters in a job name
	maxNeeds              = 50   // entries in one job's needs
	maxTriggerIncludes    = 3    // files in one trigger:include
	maxDownstreamPipeline = 1000 // downstream pipelines in one pipeline hierarchy
	// largeYAML is the size of a pipeline file past which GitLab may refuse
	// it: it weighs a file as loaded into memory, about five times its
	// bytes, against max_yaml_size_bytes, 2 MB by default since GitLab 17.3
	// (gitlab-org/gitlab!160826; 1 MB before, when GitLab's docs put the
	// limit at a file of about 200 KB).
	largeYAML = 400 << 10
)

// reserved are the names GitLab does not take for a job: the top-level
// keywords, which it would read the job as; pages, which names GitLab
// Pages' deploy job; and true, false and nil, which its job name
// limitations forbid, as YAML reads the first two as booleans.
var reserved = []string{
	"after_script", "before_script", "cache", "default", "false", "image", "include",
	"nil", "pages", "services", "spec", "stages", "true", "variables", "workflow",
}

// pipeline is one generated YAML file's jobs, kept as data until every
// limit has been checked; only then is it rendered.
type pipeline struct {
	file   string     // its path in the output folder
	at     diag.Range // the product or domain it runs
	split  string     // how to make it smaller, for a pipeline over the job limit
	stages []string   // in order
	jobs   []*job     // in the order they are written
	byName map[string]*job
}

// job is a GitLab job, with the source range that answers for it.
type job struct {
	name  string
	stage string
	needs []need
	at    diag.Range // the mesh line responsible for this job
	// body holds the job's other keywords, rendered by render.go.
	body jobBody
}

type need struct {
	job      string
	optional bool // the needed job may be left out of this pipeline by rules
	at       diag.Range
}

func newPipeline(file string, stages ...string) *pipeline {
	return &pipeline{file: file, stages: stages, byName: map[string]*job{}}
}

// add adds a job; it reports a name that is taken or that GitLab would not
// take as a job's.
func (p *pipeline) add(j *job, ds *diag.Diagnostics) {
	switch {
	case slices.Contains(reserved, j.name):
		*ds = append(*ds, diag.Errorf("gitlab-limit", j.at, "Reserved GitLab job name",
			"GitLab gives the name %q a meaning of its own (a top-level keyword, the Pages job, or a YAML value), so this cannot be an ordinary job. Rename it; GitLab reserves %s.", j.name, strings.Join(reserved, ", ")))
	case p.byName[j.name] != nil:
		// Names are built from unique mesh names with separators that
		// mesh names cannot contain, so this is a bug; report it anyway
		// rather than let GitLab merge two jobs silently.
		*ds = append(*ds, diag.Errorf("gitlab-limit", j.at, "Duplicate GitLab job name",
			"Two jobs of %s would both be named %q (the other comes from %s); GitLab would silently merge them. Rename one of the two.", p.file, j.name, p.byName[j.name].at))
		return
	}
	p.byName[j.name] = j
	p.jobs = append(p.jobs, j)
}

// check reports every GitLab limit the pipeline breaks.
func (p *pipeline) check(jobLimit int, limitSource string, ds *diag.Diagnostics) {
	stage := map[string]int{}
	for i, s := range p.stages {
		stage[s] = i
	}
	for _, j := range p.jobs {
		if n := utf8.RuneCountInString(j.name); n > maxJobName {
			*ds = append(*ds, diag.Errorf("gitlab-limit", j.at, "GitLab job name too long",
				"The job %q has %d characters; GitLab allows %d. Shorten the names it is made of.", j.name, n, maxJobName))
		}
		if t := j.body.trigger; t != nil && len(t.include) > maxTriggerIncludes {
			*ds = append(*ds, diag.Errorf("gitlab-limit", j.at, "Too many files in one child pipeline",
				"The job %q includes %d files in its child pipeline; GitLab allows %d.", j.name, len(t.include), maxTriggerIncludes))
		}
		if len(j.needs) > maxNeeds {
			*ds = append(*ds, diag.Errorf("gitlab-limit", j.at, "Too many needs for GitLab",
				"The job %q needs %d jobs; GitLab allows %d. Split the work so that fewer jobs feed this one.", j.name, len(j.needs), maxNeeds))
		}
		for _, n := range j.needs {
			dep := p.byName[n.job]
			switch {
			case dep == nil && !n.optional:
				*ds = append(*ds, diag.Errorf("gitlab-limit", n.at, "Need of a missing GitLab job",
					"The job %q needs %q, which is not in %s.", j.name, n.job, p.file))
			case dep != nil && stage[dep.stage] > stage[j.stage]:
				*ds = append(*ds, diag.Errorf("gitlab-limit", n.at, "Need of a later stage",
					"The job %q (stage %s) needs %q of the later stage %s; GitLab refuses needs that point forward.", j.name, j.stage, n.job, dep.stage))
			}
		}
	}
	if len(p.jobs) > jobLimit {
		*ds = append(*ds, diag.Errorf("gitlab-limit", p.at, "Too many jobs in one GitLab pipeline",
			"%s would have %d jobs; job_limit (%s) allows %d. %s, or raise job_limit in the target \"gitlab\" block if your GitLab plan allows more.", p.file, len(p.jobs), limitSource, jobLimit, p.split))
	}
}
