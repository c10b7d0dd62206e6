package stdlib_test

import (
	"encoding/pem"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/meshc/meshc/stdlib"
)

// The talend and alteryx runners start a job on a remote service and poll
// it, in a Python program that the GitLab and Airflow blocks each hold, as
// HCL has no include.

// poller returns a runner's script in a target's standard block, from
// "<<-SH" to "SH", as written.
func poller(t *testing.T, target, runner string) string {
	t.Helper()
	src, err := fs.ReadFile(stdlib.FS, target+".mesh.hcl")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)\n  runner "` + runner + `" \{\n.*?(\n      <<-SH\n.*?\n      SH\n)`).FindSubmatch(src)
	if m == nil {
		t.Fatalf("%s.mesh.hcl has no %s runner with a <<-SH script", target, runner)
	}
	return string(m[1])
}

// TestPollersAgree checks that the GitLab and Airflow copies of each
// poller's program are the same, so that a fix to one is not left out of
// the other. The shell around them differs: GitLab's defines a function,
// which its runner's template holds once for every step.
func TestPollersAgree(t *testing.T) {
	for _, runner := range []string{"talend", "alteryx"} {
		if gitlab, airflow := program(t, "gitlab", runner), program(t, "airflow", runner); gitlab != airflow {
			t.Errorf("the %s poller differs between gitlab.mesh.hcl and airflow.mesh.hcl", runner)
		}
	}
}

// program is a poller's Python program in a target's standard block,
// without the heredoc around it.
func program(t *testing.T, target, runner string) string {
	var lines []string
	inside := false
	for _, l := range strings.Split(poller(t, target, runner), "\n") {
		l = strings.TrimPrefix(l, "      ")
		switch {
		case strings.HasSuffix(l, "<<'PY'"):
			inside = true
		case l == "PY":
			inside = false
		case inside:
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// fakeAPI answers a poller's calls with the answers given, by method and
// path, the last one again once they run out; it records the token sent.
type fakeAPI struct {
	mu      sync.Mutex
	answers map[string][]answer
	tokens  []string
}

type answer struct {
	status     int
	body       string
	retryAfter string // the Retry-After header, if any
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens = append(f.tokens, r.Header.Get("Authorization"))
	key := r.Method + " " + r.URL.EscapedPath()
	as := f.answers[key]
	if len(as) == 0 {
		http.Error(w, "no answer for "+key, http.StatusNotFound)
		return
	}
	a := as[0]
	if len(as) > 1 {
		f.answers[key] = as[1:]
	}
	if a.retryAfter != "" {
		w.Header().Set("Retry-After", a.retryAfter)
	}
	w.WriteHeader(a.status)
	fmt.Fprint(w, a.body)
}

// TestPollers runs each poller against a fake API over HTTPS, its waits
// cut short, and checks how it ends and what it prints.
func TestPollers(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed (.ci/run installs it)")
	}
	const token = "s3cret-token"
	for _, tc := range []struct {
		name, runner, arg string
		answers           map[string][]answer
		url               string // the API's address, when not the fake's
		wantExit          int
		wantOut           string
	}{
		{name: "talend passes", runner: "talend", arg: "job a/b", answers: map[string][]answer{
			"POST /processing/executions":      {{200, `{"executionId": "e/1"}`, ""}},
			"GET /processing/executions/e%2F1": {{503, "", ""}, {200, `{"status": "EXECUTION_RUNNING"}`, ""}, {200, `{"status": "EXECUTION_SUCCESS"}`, ""}},
		}, wantOut: "status: EXECUTION_SUCCESS"},
		{name: "talend fails", runner: "talend", arg: "job", answers: map[string][]answer{
			"POST /processing/executions":  {{200, `{"executionId": 7}`, ""}},
			"GET /processing/executions/7": {{200, `{"status": "EXECUTION_FAILED\u001b[2J"}`, ""}},
		}, wantExit: 1, wantOut: "status: EXECUTION_FAILED?[2J"},
		{name: "talend poll refused", runner: "talend", arg: "job", answers: map[string][]answer{
			"POST /processing/executions":  {{200, `{"executionId": "7"}`, ""}},
			"GET /processing/executions/7": {{401, "expired", ""}},
		}, wantExit: 1, wantOut: "the remote job may still be running"},
		{name: "talend execution not yet known", runner: "talend", arg: "job", answers: map[string][]answer{
			"POST /processing/executions":  {{200, `{"executionId": "7"}`, ""}},
			"GET /processing/executions/7": {{404, "no such execution", ""}, {200, `{"status": "EXECUTION_SUCCESS"}`, ""}},
		}, wantOut: "status: EXECUTION_SUCCESS"},
		{name: "talend waits as told", runner: "talend", arg: "job", answers: map[string][]answer{
			"POST /processing/executions": {{200, `{"executionId": "7"}`, ""}},
			"GET /processing/executions/7": {
				{503, "", "45"}, {503, "", "Fri, 01 Jan 2100 00:00:00 GMT"}, {429, "", "Thu, 01 Jan 2015 00:00:00 GMT"}, {503, "", "soon"},
				{200, `{"status": "EXECUTION_SUCCESS"}`, ""},
			},
		}, wantOut: "failed, trying again: HTTP Error 503: Service Unavailable\nslept 45\npoll failed, trying again: HTTP Error 503: Service Unavailable\nslept 120\npoll failed, trying again: HTTP Error 429: Too Many Requests\nslept 20\npoll failed, trying again: HTTP Error 503: Service Unavailable\nslept 20\nstatus: EXECUTION_SUCCESS"},
		{name: "talend start fails", runner: "talend", arg: "job", answers: map[string][]answer{
			"POST /processing/executions": {{500, "oops", ""}},
		}, wantExit: 1, wantOut: "starting the task failed, though it may have started"},
		{name: "talend no id", runner: "talend", arg: "job", answers: map[string][]answer{
			"POST /processing/executions": {{200, `{"executionId": null}`, ""}},
		}, wantExit: 1, wantOut: "the task may have started"},
		{name: "talend plain http", runner: "talend", arg: "job", url: "http://127.0.0.1:1",
			wantExit: 1, wantOut: "TALEND_API_URL is not an https:// address"},
		{name: "alteryx passes", runner: "alteryx", arg: "Weekly v7", answers: map[string][]answer{
			"POST /v3/workflows/Weekly%20v7/jobs": {{200, `{"id": "j1"}`, ""}},
			"GET /v3/jobs/j1":                     {{200, `{"status": "Running"}`, ""}, {200, `{"status": "Completed", "disposition": "Success"}`, ""}},
		}, wantOut: "status: Completed Success"},
		{name: "alteryx fails", runner: "alteryx", arg: "w", answers: map[string][]answer{
			"POST /v3/workflows/w/jobs": {{200, `{"id": "j1"}`, ""}},
			"GET /v3/jobs/j1":           {{200, `{"status": "Completed", "disposition": "Error"}`, ""}},
		}, wantExit: 1, wantOut: "status: Completed Error"},
		{name: "alteryx errs", runner: "alteryx", arg: "w", answers: map[string][]answer{
			"POST /v3/workflows/w/jobs": {{200, `{"id": "j1"}`, ""}},
			"GET /v3/jobs/j1":           {{200, `{"status": "Queued"}`, ""}, {200, `{"status": "Error"}`, ""}},
		}, wantExit: 1, wantOut: "status: Error None"},
		{name: "alteryx job not yet known", runner: "alteryx", arg: "w", answers: map[string][]answer{
			"POST /v3/workflows/w/jobs": {{200, `{"id": "j1"}`, ""}},
			"GET /v3/jobs/j1":           {{404, "no such job", "Sat, 01 Jan 2100 00:00:00 -0000"}, {200, `{"status": "Completed", "disposition": "Success"}`, ""}},
		}, wantOut: "slept 120\nstatus: Completed Success"},
		{name: "talend execution gone", runner: "talend", arg: "job", answers: map[string][]answer{
			"POST /processing/executions":  {{200, `{"executionId": "7"}`, ""}},
			"GET /processing/executions/7": {{200, `{"status": "EXECUTION_RUNNING"}`, ""}, {404, "no such execution", ""}},
		}, wantExit: 1, wantOut: "poll failed: HTTP Error 404: Not Found; the remote job may still be running"},
		{name: "alteryx job gone", runner: "alteryx", arg: "w", answers: map[string][]answer{
			"POST /v3/workflows/w/jobs": {{200, `{"id": "j1"}`, ""}},
			"GET /v3/jobs/j1":           {{200, `{"status": "Running"}`, ""}, {404, "no such job", ""}},
		}, wantExit: 1, wantOut: "poll failed: HTTP Error 404: Not Found; the remote job may still be running"},
		{name: "alteryx polls run out", runner: "alteryx", arg: "w", answers: map[string][]answer{
			"POST /v3/workflows/w/jobs": {{200, `{"id": "j1"}`, ""}},
			"GET /v3/jobs/j1":           {{200, `{"no": "status"}`, ""}},
		}, wantExit: 1, wantOut: "30 polls in a row failed; the remote job may still be running"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := &fakeAPI{answers: tc.answers}
			server := httptest.NewTLSServer(api)
			defer server.Close()
			dir := t.TempDir()
			cert := filepath.Join(dir, "cert.pem")
			if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: server.Certificate().Raw}), 0o644); err != nil {
				t.Fatal(err)
			}
			script := filepath.Join(dir, "poller.py")
			if err := os.WriteFile(script, []byte(program(t, "gitlab", tc.runner)), 0o644); err != nil {
				t.Fatal(err)
			}
			url := server.URL + "/\n" // as a CI variable may hold it
			if tc.url != "" {
				url = tc.url
			}
			// The program reads its script from standard input in CI; here
			// it is run from a file, with time.sleep saying how long it
			// would wait rather than waiting.
			cmd := exec.Command("python3", "-c", `import sys, time
time.sleep = lambda s: s and print("slept", s, flush=True)
sys.argv = sys.argv[1:]
exec(compile(open(sys.argv[0]).read(), sys.argv[0], "exec"), {"__name__": "__main__"})`, script, tc.arg)
			variable := strings.ToUpper(tc.runner) + "_API_URL"
			cmd.Env = append(os.Environ(), "SSL_CERT_FILE="+cert, "MESHC_TOKEN="+token+"\n", variable+"="+url)
			out, err := cmd.CombinedOutput()
			exit := 0
			if e, ok := err.(*exec.ExitError); ok {
				exit = e.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if exit != tc.wantExit || !strings.Contains(string(out), tc.wantOut) {
				t.Errorf("exit %d, want %d, and output:\n%s\nwant it to hold %q", exit, tc.wantExit, out, tc.wantOut)
			}
			if strings.Contains(string(out), token) || strings.Contains(string(out), "Traceback") || strings.Contains(string(out), "\x1b") {
				t.Errorf("the output shows the token, a traceback or an escape sequence:\n%s", out)
			}
			for _, sent := range api.tokens {
				if sent != "Bearer "+token {
					t.Errorf("Authorization: %q, want the token without its newline", sent)
				}
			}
		})
	}
}
