package gitlab

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/cron"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/internal/zones"
	"github.com/meshc/meshc/lang/diag"
)

// scheduleVariable is the variable a pipeline schedule sets to say which
// products run: the key of its schedule, or "all".
const scheduleVariable = "MESHC_SCHEDULE"

// buildVariable is the variable a pipeline schedule sets to say which
// build's schedule it is (MESH/ENVIRONMENT): one project may include the
// parents of several meshes, whose keys mean nothing to one another.
const buildVariable = "MESHC_BUILD"

// schedules maps the mesh's cadences to GitLab pipeline schedules. A
// product runs in a scheduled pipeline when its own cadence is the
// schedule's, or when it runs on its inputs and the pipeline runs its
// slowest input (onInputs).
type schedules struct {
	plan   *plan.Plan
	byKey  map[string]*schedule
	active map[*plan.Product][]string // the schedule keys that run a product
	// every is the longest gap between a product's runs: its cadence's
	// period, or that of the inputs it runs after, whichever is shorter.
	every map[*plan.Product]time.Duration
	last  map[lastChoice]string // lastOf's choices
	// same maps a cadence's key to the key of the schedule it shares:
	// one cadence spelled two ways ("daily", "0 0 * * *") is one schedule.
	same map[string]string
	// zoneNames maps each time zone name the products write to the name
	// the schedules write it with: a zone of two names (US/Eastern,
	// America/New_York) is one clock, and one schedule.
	zoneNames map[string]string
}

// lastChoice is what lastOf chose from: schedule keys, one per line, and
// how often the producers whose schedules they are run.
type lastChoice struct {
	keys  string
	every time.Duration
}

type schedule struct {
	key      string
	cron     string
	period   time.Duration // the cron's longest gap between runs
	timezone string
	at       diag.Range // the first cadence that asked for it
}

func newSchedules(p *plan.Plan) *schedules {
	s := &schedules{plan: p, byKey: map[string]*schedule{}, active: map[*plan.Product][]string{}, every: map[*plan.Product]time.Duration{}, last: map[lastChoice]string{}}
	s.zoneNames = s.nameZones()
	s.same = s.sameCadences()
	for _, pr := range p.Products { // upstreams first
		var keys []string
		var every time.Duration
		if c := pr.Schedule.Cadence; c != nil {
			keys, every = append(keys, s.add(*c, pr.Schedule.Timezone).key), c.Period
		}
		if pr.Schedule.OnInputs {
			after, gap := s.onInputs(pr)
			if len(after) > 0 && (every == 0 || gap < every) {
				every = gap
			}
			keys = append(keys, after...)
		}
		slices.Sort(keys)
		s.active[pr] = slices.Compact(keys)
		s.every[pr] = every
	}
	return s
}

// onInputs returns the schedules that run a product on its inputs, and
// how often they run it. The other targets wait until every product it
// reads has published, so it runs as often as the least frequent of them;
// a pipeline schedule cannot wait, so the product runs in the schedules
// of its least frequent producers, after them, and reads the others' last
// publications. Sources publish nothing to wait for: a product that reads
// only sources runs on the most frequent one's cadence, as on the other
// targets, and one with a cadence of its own on that alone.
func (s *schedules) onInputs(pr *plan.Product) ([]string, time.Duration) {
	producers := pr.Producers()
	if len(producers) == 0 {
		if src := pr.FastestSource(); src != nil && pr.Schedule.Cadence == nil {
			return []string{s.add(src.Cadence, pr.Schedule.Timezone).key}, src.Cadence.Period
		}
		return nil, 0
	}
	var least time.Duration
	for _, up := range producers {
		least = max(least, s.every[up])
	}
	var keys []string
	tied := 0
	for _, up := range producers {
		if s.every[up] == least {
			keys = append(keys, s.active[up]...)
			tied++
		}
	}
	if tied > 1 && len(keys) > 0 {
		keys = []string{s.lastOf(keys, least)}
	}
	return keys, least
}

// lastOf picks, among the schedules of producers that run as seldom as
// each other (every), the one to run their reader in: the one after which
// the others are furthest off, so that it runs once, right after the last
// of them to publish (Wednesday's, for producers of Tuesday and
// Wednesday), as the other targets, which wait for all of them, settle
// into. Only schedules that run at least every period take part: a
// producer with a cadence and inputs runs in its inputs' faster
// schedules too, and its own slower one would run the reader less often
// than it publishes. Every producer has such a schedule (its cadence's,
// its fastest source's, or its producers'). The schedules' runs are
// compared over a fixed stretch of eight periods, so that the choice
// does not depend on when meshc runs.
func (s *schedules) lastOf(keys []string, every time.Duration) string {
	if often := slices.DeleteFunc(slices.Clone(keys), func(key string) bool { return s.byKey[key].period > every }); len(often) > 0 {
		keys = often
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	if len(keys) == 1 {
		return keys[0]
	}
	memo := lastChoice{strings.Join(keys, "\n"), every}
	if k, ok := s.last[memo]; ok {
		return k
	}
	type run struct {
		at  time.Time
		key int
	}
	var runs []run
	from := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC) // a Monday
	to := from.Add(8 * every)
	for i, key := range keys {
		k := s.byKey[key]
		cs, err := cron.Parse(k.cron)
		loc, lerr := time.LoadLocation(k.timezone)
		if err != nil || lerr != nil {
			continue // checked when the mesh was
		}
		for _, at := range cs.Runs(from, to, loc) {
			runs = append(runs, run{at, i})
		}
	}
	slices.SortStableFunc(runs, func(a, b run) int { return a.at.Compare(b.at) })
	// lull[i] is the longest a run of keys[i] waits for another
	// schedule's next run.
	lull := make([]time.Duration, len(keys))
	for i, r := range runs {
		for _, next := range runs[i+1:] {
			if next.key != r.key {
				lull[r.key] = max(lull[r.key], next.at.Sub(r.at))
				break
			}
		}
	}
	best := 0
	for i := range keys {
		if lull[i] > lull[best] {
			best = i
		}
	}
	s.last[memo] = keys[best]
	return keys[best]
}

// add returns the schedule of a cadence in a time zone. Its key is the
// cadence as written, with the time zone when it is not the mesh's.
func (s *schedules) add(c plan.Cadence, tz string) *schedule {
	key := cmp.Or(s.same[s.keyOf(c, tz)], s.keyOf(c, tz))
	if k := s.byKey[key]; k != nil {
		return k
	}
	k := &schedule{key: key, cron: c.Cron, period: c.Period, timezone: s.zoneName(tz), at: c.Range}
	s.byKey[key] = k
	return k
}

// keyOf is a cadence's key as written, with the time zone's name when it
// is not the mesh's zone.
func (s *schedules) keyOf(c plan.Cadence, tz string) string {
	key := cmp.Or(c.Keyword, c.Cron)
	if zones.Of(tz) != zones.Of(s.plan.Defaults.Timezone) {
		key += "@" + s.zoneName(tz)
	}
	return key
}

// zoneName is the name the schedules write a time zone with.
func (s *schedules) zoneName(tz string) string { return s.zoneNames[tz] }

// nameZones names each time zone the products run in: the mesh's own
// zone as defaults.timezone writes it, and another by the zone's own name
// (America/New_York for US/Eastern or EST5EDT), which GitLab's TZInfo
// knows as it knows the links. A name depends on the name written alone,
// never on the other products', so that adding or removing a product
// renames no other product's schedule, and one zone's names share one.
// A zone's own name that Go does not know (none, with the tz database
// it embeds) is left as written.
func (s *schedules) nameZones() map[string]string {
	def := s.plan.Defaults.Timezone
	names := map[string]string{def: def}
	for _, pr := range s.plan.Products {
		tz := pr.Schedule.Timezone
		if _, ok := names[tz]; ok {
			continue
		}
		zone := zones.Of(tz)
		_, err := time.LoadLocation(zone)
		switch {
		case zone == zones.Of(def):
			names[tz] = def
		case err != nil:
			names[tz] = tz
		default:
			names[tz] = zone
		}
	}
	return names
}

// sameCadences maps the key of each cadence the mesh's products may run on
// (their own, and their sources' in their time zones) to the key of the
// schedule it shares with the cadences that run at the same times in the
// same time zone: a keyword's if one is among them, else the least, so
// that the choice does not depend on the products' order. Two schedules
// of one cron would start two pipelines at once, and a product that needs
// one would not wait for the other's.
func (s *schedules) sameCadences() map[string]string {
	type cadence struct {
		key, cron, zone string
		keyword         bool // written as hourly, daily, weekly or monthly
	}
	var all []cadence
	seen := map[string]bool{}
	addCadence := func(c plan.Cadence, tz string) {
		if key := s.keyOf(c, tz); !seen[key] {
			seen[key] = true
			all = append(all, cadence{key, c.Cron, zones.Of(tz), c.Keyword != ""})
		}
	}
	for _, pr := range s.plan.Products {
		if c := pr.Schedule.Cadence; c != nil {
			addCadence(*c, pr.Schedule.Timezone)
		}
		for _, in := range pr.Inputs {
			if in.Source != nil {
				addCadence(in.Source.Cadence, pr.Schedule.Timezone)
			}
		}
	}
	slices.SortFunc(all, func(a, b cadence) int { return strings.Compare(a.key, b.key) })
	same := map[string]string{}
	for i, a := range all {
		if same[a.key] != "" {
			continue
		}
		best := a.key
		for _, b := range all[i+1:] {
			if b.zone == a.zone && same[b.key] == "" && cron.Same(a.cron, b.cron) {
				same[b.key] = a.key // for now: the least
				if b.keyword {
					best = b.key
				}
			}
		}
		for _, b := range all[i:] {
			if b.key == a.key || same[b.key] == a.key {
				same[b.key] = best
			}
		}
	}
	return same
}

// check warns when the mesh needs more pipeline schedules than the project
// may have: GitLab refuses to create the others, and their products never
// run. The warning is at the cadence of the first schedule over the limit,
// in the order of schedules.json.
func (s *schedules) check(limit int, limitSource string, ds *diag.Diagnostics) {
	if len(s.byKey) <= limit {
		return
	}
	keys := s.keys()
	listed := strings.Join(keys[:min(len(keys), 5)], ", ")
	if len(keys) > 5 {
		listed += fmt.Sprintf(" and %d more", len(keys)-5)
	}
	*ds = append(*ds, diag.Warnf("gitlab-schedules", s.byKey[keys[limit]].at, "More GitLab pipeline schedules than the project may have",
		"In environment %s the mesh runs on %d cadences and time zones, each a pipeline schedule of schedules.json (%s); schedule_limit (%s) allows %d, and GitLab refuses to create the others, whose products would then never run. Every other environment built into the project needs schedules of its own too. Run products on fewer cadences, or raise schedule_limit in the target \"gitlab\" block if your GitLab plan or instance allows more schedules.",
		s.plan.Environment.Name, len(keys), listed, limitSource, limit))
}

// rules returns the rules that run a job when a schedule of one of the
// products is running, or when every product is asked for.
func (s *schedules) rules(products []*plan.Product) []string {
	var keys []string
	for _, p := range products {
		keys = append(keys, s.active[p]...)
	}
	slices.Sort(keys)
	return s.conditions(slices.Compact(keys))
}

// keys returns the keys of every schedule, in the order of schedules.json.
func (s *schedules) keys() []string { return slices.Sorted(maps.Keys(s.byKey)) }

// build names the build whose schedules these are, as their MESHC_BUILD
// says: the mesh and the environment, each a name, so "/" joins them
// unambiguously.
func (s *schedules) build() string { return s.plan.Name + "/" + s.plan.Environment.Name }

// ofOtherBuild is the if: condition that a run is another build's: its
// MESHC_BUILD is set and names another. A run without MESHC_BUILD (by
// hand, or a schedule made before meshc wrote it) runs the products its
// MESHC_SCHEDULE names in every build, as it did before.
func (s *schedules) ofOtherBuild() string {
	return fmt.Sprintf("$%s && $%s != %q", buildVariable, buildVariable, s.build())
}

// ofThisBuild is the if: condition that a run is this build's by its
// MESHC_BUILD.
func (s *schedules) ofThisBuild() string { return fmt.Sprintf("$%s == %q", buildVariable, s.build()) }

// descriptionPrefix starts the description of every schedule of this
// build, and of no other build's: mesh and environment names hold no
// space.
func (s *schedules) descriptionPrefix() string {
	return descriptionPrefix(s.plan.Name, s.plan.Environment.Name)
}

// descriptionPrefix starts the description of the schedules of the build
// of mesh in env (PreviousBuild reads it back).
func descriptionPrefix(mesh, env string) string { return "meshc " + mesh + " " + env + ": " }

// describedAsThisBuild is the if: condition that a scheduled run's
// schedule has the description of one of this build's, which tells it
// when the schedule sets no MESHC_BUILD. GitLab gives the description
// to pipelines since 17.8; before, the condition never holds. The
// names hold nothing a regular expression or GitLab's /.../ would read.
func (s *schedules) describedAsThisBuild() string {
	return "$CI_PIPELINE_SCHEDULE_DESCRIPTION =~ /^" + regexp.QuoteMeta(s.descriptionPrefix()) + "/"
}

// describedAsABuild is the if: condition that a scheduled run's schedule
// has the description of a schedule of some meshc build's schedules.json
// (descriptionPrefix). Each expression holds one regular expression, as
// older GitLab versions read a pattern up to the expression's last /.
const describedAsABuild = "$CI_PIPELINE_SCHEDULE_DESCRIPTION =~ /^meshc [^ ]+ [^ ]+: /"

// describedAsOtherBuild is the if: condition that a scheduled run that
// is not this build's by its MESHC_BUILD has the description of some
// meshc build's schedule: after the trigger job's rules that take this
// build's described runs (byDescription), and the never rule for another
// build's MESHC_BUILD (ofOtherBuild), another build's.
func (s *schedules) describedAsOtherBuild() string {
	return fmt.Sprintf("$%s != %q && %s", buildVariable, s.build(), describedAsABuild)
}

// byDescription returns conds, each for a run of a schedule whose
// description is one of this build's: the rules that a trigger job's
// never rule for another build's description (describedAsOtherBuild) must
// follow, as no expression may hold two regular expressions
// (describedAsABuild).
func (s *schedules) byDescription(conds []string) []string {
	described := make([]string, len(conds))
	for i, c := range conds {
		described[i] = s.describedAsThisBuild() + " && " + c
	}
	return described
}

// conditions returns the if: conditions that MESHC_SCHEDULE is "all" or
// one of keys, one a rule, which GitLab reads as or: a single expression
// of them all would pass GitLab's 100 tokens an expression (its lexer's
// MAX_TOKENS) at 25 keys, and GitLab would refuse the whole file.
func (s *schedules) conditions(keys []string) []string {
	conds := []string{fmt.Sprintf("$%s == %q", scheduleVariable, "all")}
	for _, k := range keys {
		conds = append(conds, fmt.Sprintf("$%s == %q", scheduleVariable, k))
	}
	return conds
}

// file renders schedules.json: the pipeline schedules to create, with the
// fields GitLab's pipeline schedules API takes.
func (s *schedules) file(owner string, sources []string) output.File {
	type variable struct {
		Key          string `json:"key"`
		Value        string `json:"value"`
		VariableType string `json:"variable_type"`
	}
	type entry struct {
		Key          string     `json:"key"`
		Description  string     `json:"description"`
		Cron         string     `json:"cron"`
		CronTimezone string     `json:"cron_timezone"`
		Variables    []variable `json:"variables"`
		Products     []string   `json:"products"`
	}
	prefix := s.descriptionPrefix()
	doc := struct {
		Comment           string   `json:"comment"`
		Sources           []string `json:"sources"`
		DescriptionPrefix string   `json:"description_prefix"`
		Schedules         []entry  `json:"schedules"`
	}{
		Comment: output.Marker + " " + output.OwnerLine(owner) + " The GitLab pipeline schedules that run the " + s.plan.Name + " mesh (environment " + s.plan.Environment.Name + "): create each one, on the branch that holds the pipelines, with its variables. products lists the products each schedule runs: those on its cadence, and those that run on their inputs after them. " +
			"Each schedule's description is description_prefix and its key: delete a schedule of the project whose description starts with description_prefix and whose key is not listed here, as an earlier file listed it and it runs nothing now.",
		Sources:           sources,
		DescriptionPrefix: prefix,
		Schedules:         []entry{}, // [], not null, for jq '.schedules[]'
	}
	runs := map[string][]string{} // schedule key -> the products it runs
	for _, p := range s.plan.Products {
		for _, key := range s.active[p] {
			runs[key] = append(runs[key], p.ID)
		}
	}
	for _, key := range s.keys() {
		k := s.byKey[key]
		products := runs[key]
		slices.Sort(products)
		doc.Schedules = append(doc.Schedules, entry{
			Key:          key,
			Description:  prefix + key,
			Cron:         k.cron,
			CronTimezone: k.timezone,
			Variables: []variable{
				{Key: scheduleVariable, Value: key, VariableType: "env_var"},
				{Key: buildVariable, Value: s.build(), VariableType: "env_var"},
			},
			Products: products,
		})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(doc) // strings and slices always encode
	return output.File{Path: "schedules.json", Data: buf.Bytes()}
}
