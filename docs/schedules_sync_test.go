package docs_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/meshc/meshc/internal/golden"
	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/targets/gitlab"
)

// TestSchedulesSync runs the script of docs/targets/gitlab.md that syncs a
// project's pipeline schedules with schedules.json, the ```sh block after
// a <!-- schedules-sync --> line, against a stand-in for GitLab's pipeline
// schedules API, with the example's schedules.json: it must delete this
// build's stale and doubled schedules and no one else's, mend the changed
// ones and their variables, taking over those it must change that someone
// else owns (GitLab lets only the owner edit a schedule), create the
// missing ones, read every page, and change nothing when run again. It
// leaves the schedules that are off as they are, saying so, unless run
// with ACTIVATE=true, which turns them on.
func TestSchedulesSync(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("the sync script needs %s, which .ci/run installs: %v", tool, err)
			}
			t.Skipf("the sync script needs %s: %v", tool, err)
		}
	}
	text, err := os.ReadFile(filepath.Join(golden.Root(), "docs", "targets", "gitlab.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(text), "<!-- schedules-sync -->\n```sh\n")
	if !ok {
		t.Fatal("docs/targets/gitlab.md has no ```sh block after <!-- schedules-sync -->")
	}
	script, _, _ := strings.Cut(after, "```")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sync.sh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	files, ds := gitlab.Build(meshtest.Pharma(t, "prod"), gitlab.Options{OutDir: "gen/gitlab"})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	var file struct {
		Schedules []struct {
			Key          string `json:"key"`
			Cron         string `json:"cron"`
			CronTimezone string `json:"cron_timezone"`
		} `json:"schedules"`
	}
	for _, f := range files {
		if f.Path == "schedules.json" {
			if err := os.WriteFile(filepath.Join(dir, "schedules.json"), f.Contents(), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(f.Contents(), &file); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(file.Schedules) != 5 {
		t.Fatalf("the example has %d schedules; this test expects 5", len(file.Schedules))
	}

	api := newScheduleAPI()
	v := func(key string) []scheduleVariable {
		return []scheduleVariable{
			{Key: "MESHC_SCHEDULE", Value: key, VariableType: "env_var"},
			{Key: "MESHC_BUILD", Value: "pharma/prod", VariableType: "env_var"},
		}
	}
	alice := scheduleOwner{ID: 2, Username: "alice"}
	api.add(schedule{Description: "nightly backup", Ref: "main", Cron: "0 3 * * *", CronTimezone: "UTC", Owner: alice})
	for i := range 150 { // this build's schedules come after the first page
		api.add(schedule{Description: fmt.Sprintf("other %d", i), Ref: "main", Cron: "0 4 * * *", CronTimezone: "UTC", Owner: alice})
	}
	// A schedule made before meshc wrote MESHC_BUILD, in the wrong zone.
	monthly := api.add(schedule{Description: "meshc pharma prod: monthly", Ref: "refs/heads/main", Cron: "0 0 1 * *", CronTimezone: "UTC", Owner: alice, Variables: v("monthly")[:1]})
	twice := api.add(schedule{Description: "meshc pharma prod: monthly", Ref: "main", Cron: "0 0 1 * *", CronTimezone: "America/New_York", Owner: alice, Variables: v("monthly")})
	stale := api.add(schedule{Description: "meshc pharma prod: weekly", Ref: "main", Cron: "0 0 * * 1", CronTimezone: "America/New_York", Owner: alice, Variables: v("weekly")})
	api.add(schedule{Description: "meshc pharma dev: weekly", Ref: "dev", Cron: "0 0 * * 1", CronTimezone: "UTC", Owner: alice, Active: false, Variables: v("weekly")})
	api.add(schedule{Description: "meshc pharma prod: 0 5 * * 3", Ref: "main", Cron: "0 5 * * 3", CronTimezone: "America/New_York", Owner: api.me, Active: true, Variables: v("0 5 * * 2")})
	// Off, and with MESHC_BUILD set by hand as a file variable, whose
	// value is a path: the trigger jobs' rules would skip every job.
	fileBuild := v("0 6 * * 2")
	fileBuild[1].VariableType = "file"
	api.add(schedule{Description: "meshc pharma prod: 0 6 * * 2", Ref: "main", Cron: "0 6 * * 2", CronTimezone: "America/New_York", Owner: alice, Active: false, Variables: fileBuild})
	right := api.add(schedule{Description: "meshc pharma prod: 0 6 * * 3", Ref: "main", Cron: "0 6 * * 3", CronTimezone: "America/New_York", Owner: alice, Active: true, Variables: v("0 6 * * 3")})
	before := api.snapshot()
	srv := httptest.NewServer(api)
	defer srv.Close()

	run := func(env ...string) string {
		t.Helper()
		cmd := exec.Command("bash", filepath.Join(dir, "sync.sh"), filepath.Join(dir, "schedules.json"))
		cmd.Env = append(os.Environ(), "CI_API_V4_URL="+srv.URL+"/api/v4", "PROJECT_ID=7", "TOKEN=secret", "REF=main", "ACTIVATE=")
		cmd.Env = append(cmd.Env, env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("the sync script failed: %v\n%s", err, out)
		}
		return string(out)
	}
	out := run()
	for _, want := range []string{
		"deleted meshc pharma prod: weekly", "deleted meshc pharma prod: monthly",
		"took ownership of monthly from alice", "updated monthly", "set MESHC_BUILD of monthly",
		"created 0 5 * * 2", "set MESHC_SCHEDULE of 0 5 * * 2", "set MESHC_BUILD of 0 5 * * 2",
		"set MESHC_SCHEDULE of 0 5 * * 3",
		"took ownership of 0 6 * * 2 from alice", "set MESHC_BUILD of 0 6 * * 2",
		leftOff("monthly"), leftOff("0 6 * * 2"),
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("the script did not print %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "0 6 * * 3") || strings.Contains(out, "took ownership of 0 5 * * 3") || strings.Contains(out, "updated 0 6 * * 2") {
		t.Errorf("the script touched a schedule that was right, took one it owns, or turned one on:\n%s", out)
	}
	now := api.snapshot()
	for id, s := range before {
		if (!strings.HasPrefix(s.Description, "meshc pharma prod: ") || id == right) && fmt.Sprint(now[id]) != fmt.Sprint(s) {
			t.Errorf("another build's, a hand-made or a right schedule changed: %+v, now %+v", s, now[id])
		}
	}
	for _, gone := range []int{twice, stale} {
		if _, ok := now[gone]; ok {
			t.Errorf("schedule %d (%s) was not deleted", gone, before[gone].Description)
		}
	}
	if now[monthly].Description == "" {
		t.Errorf("the oldest monthly schedule was deleted, not the newer one")
	}
	ours := map[string]schedule{}
	for _, s := range now {
		if key, ok := strings.CutPrefix(s.Description, "meshc pharma prod: "); ok {
			if _, twice := ours[key]; twice {
				t.Errorf("two schedules of key %q", key)
			}
			ours[key] = s
		}
	}
	if len(ours) != len(file.Schedules) {
		t.Errorf("the project has %d schedules of the build, the file %d: %v", len(ours), len(file.Schedules), ours)
	}
	check := func(off ...string) {
		t.Helper()
		for _, want := range file.Schedules {
			got := ours[want.Key]
			if got.Cron != want.Cron || got.CronTimezone != want.CronTimezone || strings.TrimPrefix(got.Ref, "refs/heads/") != "main" || got.Active == slices.Contains(off, want.Key) || !slices.Equal(got.Variables, v(want.Key)) {
				t.Errorf("schedule %q is %+v; want it on unless one of %q, cron %q in %s on main, with MESHC_SCHEDULE=%q and MESHC_BUILD=pharma/prod", want.Key, got, off, want.Cron, want.CronTimezone, want.Key)
			}
		}
	}
	check("monthly", "0 6 * * 2") // they were off, by hand or by GitLab

	writes := api.changes()
	if out := run(); out != leftOff("0 6 * * 2")+"\n"+leftOff("monthly")+"\n" || api.changes() != writes {
		t.Errorf("a second run made %d changes, or did not say which schedules are off:\n%s", api.changes()-writes, out)
	}

	// Told to, it turns them on.
	out = run("ACTIVATE=true")
	if out != "updated 0 6 * * 2\nupdated monthly\n" {
		t.Errorf("a run with ACTIVATE=true printed\n%s\nwant it to turn on monthly and 0 6 * * 2 alone", out)
	}
	for id, s := range api.snapshot() {
		if key, ok := strings.CutPrefix(s.Description, "meshc pharma prod: "); ok {
			ours[key] = s
		} else if fmt.Sprint(before[id]) != fmt.Sprint(s) {
			t.Errorf("a run with ACTIVATE=true changed another build's or a hand-made schedule: %+v", s)
		}
	}
	check()
	writes = api.changes()
	if out := run("ACTIVATE=true"); out != "" || api.changes() != writes {
		t.Errorf("a second run with ACTIVATE=true made %d changes:\n%s", api.changes()-writes, out)
	}
}

// leftOff is what the sync script prints of a schedule of the key that
// is off, which it leaves off.
func leftOff(key string) string {
	return "left " + key + " off, as it is in the project; ACTIVATE=true turns it on"
}

type schedule struct {
	ID           int                `json:"id"`
	Description  string             `json:"description"`
	Ref          string             `json:"ref"`
	Cron         string             `json:"cron"`
	CronTimezone string             `json:"cron_timezone"`
	Active       bool               `json:"active"`
	Owner        scheduleOwner      `json:"owner"`
	Variables    []scheduleVariable `json:"variables,omitempty"`
}

type scheduleOwner struct {
	ID       int    `json:"id"`
	Username string `json:"username"`
}

type scheduleVariable struct {
	Key          string `json:"key"`
	Value        string `json:"value"`
	VariableType string `json:"variable_type"`
}

// scheduleAPI stands in for GitLab's pipeline schedules API of project 7,
// as its documentation describes it: the list is paginated and leaves the
// variables out, which the schedule's own page has; only a schedule's
// owner may edit it or its variables (since GitLab 14.10), and a
// Maintainer may take one over or delete it.
type scheduleAPI struct {
	mu     sync.Mutex
	byID   map[int]*schedule
	next   int
	me     scheduleOwner // the token's user
	writes int           // requests that changed something
}

func newScheduleAPI() *scheduleAPI {
	return &scheduleAPI{byID: map[int]*schedule{}, next: 1, me: scheduleOwner{ID: 1, Username: "meshc-bot"}}
}

// add adds s as it is, with the next ID; the caller sets its owner and
// whether it is active.
func (a *scheduleAPI) add(s schedule) int {
	s.ID = a.next
	a.byID[s.ID] = &s
	a.next++
	return s.ID
}

// changes is how many requests have changed something, read under the
// lock the server's handlers write it under.
func (a *scheduleAPI) changes() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.writes
}

func (a *scheduleAPI) snapshot() map[int]schedule {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := map[int]schedule{}
	for id, s := range a.byID {
		out[id] = schedule{ID: s.ID, Description: s.Description, Ref: s.Ref, Cron: s.Cron, CronTimezone: s.CronTimezone, Active: s.Active, Owner: s.Owner, Variables: slices.Clone(s.Variables)}
	}
	return out
}

func (a *scheduleAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if r.Header.Get("PRIVATE-TOKEN") != "secret" {
		http.Error(w, `{"message":"401 Unauthorized"}`, http.StatusUnauthorized)
		return
	}
	reply := func(code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(v)
	}
	if r.URL.Path == "/api/v4/user" && r.Method == http.MethodGet {
		reply(http.StatusOK, a.me)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v4/projects/7/pipeline_schedules")
	if !ok || r.ParseForm() != nil {
		http.NotFound(w, r)
		return
	}
	parts := strings.Split(strings.TrimPrefix(rest, "/"), "/")
	active := func() (bool, bool) { // the form's active, if it is given
		v, ok := r.PostForm["active"]
		if !ok {
			return false, false
		}
		b, err := strconv.ParseBool(v[0])
		return b, err == nil
	}
	form := func(name string) (string, bool) {
		v, ok := r.PostForm[name]
		if !ok {
			return "", false
		}
		return v[0], true
	}
	if rest == "" {
		switch r.Method {
		case http.MethodGet:
			per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
			page, _ := strconv.Atoi(r.URL.Query().Get("page"))
			per, page = min(max(per, 20), 100), max(page, 1) // GitLab's default 20, at most 100
			var list []schedule
			for id := 1; id < a.next; id++ {
				if s := a.byID[id]; s != nil {
					c := *s
					c.Variables = nil
					list = append(list, c)
				}
			}
			from, to := min((page-1)*per, len(list)), min(page*per, len(list))
			reply(http.StatusOK, append([]schedule{}, list[from:to]...))
		case http.MethodPost:
			var s schedule
			var okD, okC, okR bool
			s.Description, okD = form("description")
			s.Cron, okC = form("cron")
			s.Ref, okR = form("ref")
			s.CronTimezone, _ = form("cron_timezone")
			if !okD || !okC || !okR {
				reply(http.StatusBadRequest, map[string]string{"error": "description, cron and ref are required"})
				return
			}
			s.Active = true // the API's default
			if b, ok := active(); ok {
				s.Active = b
			}
			s.Owner = a.me
			a.writes++
			reply(http.StatusCreated, a.byID[a.add(s)])
		default:
			http.Error(w, "", http.StatusMethodNotAllowed)
		}
		return
	}
	id, _ := strconv.Atoi(parts[0])
	s := a.byID[id]
	if s == nil {
		reply(http.StatusNotFound, map[string]string{"message": "404 Pipeline Schedule Not Found"})
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodDelete && parts[len(parts)-1] != "take_ownership" && s.Owner != a.me {
		reply(http.StatusForbidden, map[string]string{"message": "403 Forbidden"})
		return
	}
	if len(parts) == 2 && parts[1] == "take_ownership" && r.Method == http.MethodPost {
		s.Owner = a.me
		a.writes++
		reply(http.StatusCreated, s)
		return
	}
	if len(parts) == 1 {
		switch r.Method {
		case http.MethodGet:
			reply(http.StatusOK, s)
		case http.MethodPut:
			for name, field := range map[string]*string{"description": &s.Description, "cron": &s.Cron, "cron_timezone": &s.CronTimezone, "ref": &s.Ref} {
				if v, ok := form(name); ok {
					*field = v
				}
			}
			if b, ok := active(); ok {
				s.Active = b
			}
			a.writes++
			reply(http.StatusOK, s)
		case http.MethodDelete:
			delete(a.byID, id)
			a.writes++
			w.WriteHeader(http.StatusNoContent)
		default:
			http.Error(w, "", http.StatusMethodNotAllowed)
		}
		return
	}
	if parts[1] != "variables" {
		http.NotFound(w, r)
		return
	}
	value, _ := form("value")
	kind, _ := form("variable_type")
	switch {
	case len(parts) == 2 && r.Method == http.MethodPost:
		key, _ := form("key")
		if slices.ContainsFunc(s.Variables, func(v scheduleVariable) bool { return v.Key == key }) {
			reply(http.StatusBadRequest, map[string]string{"message": "key has already been taken"})
			return
		}
		s.Variables = append(s.Variables, scheduleVariable{key, value, kind})
		a.writes++
		reply(http.StatusCreated, s.Variables[len(s.Variables)-1])
	case len(parts) == 3 && r.Method == http.MethodPut:
		i := slices.IndexFunc(s.Variables, func(v scheduleVariable) bool { return v.Key == parts[2] })
		if i < 0 {
			reply(http.StatusNotFound, map[string]string{"message": "404 Variable Not Found"})
			return
		}
		s.Variables[i].Value, s.Variables[i].VariableType = value, kind
		a.writes++
		reply(http.StatusOK, s.Variables[i])
	default:
		http.Error(w, "", http.StatusMethodNotAllowed)
	}
}
