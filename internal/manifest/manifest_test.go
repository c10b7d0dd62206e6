package manifest_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/internal/golden"
	"github.com/meshc/meshc/internal/manifest"
	"github.com/meshc/meshc/internal/meshtest"
)

func pharmaManifest(t *testing.T) []byte {
	t.Helper()
	res, err := compiler.CompileDir(filepath.Join(golden.Root(), "examples", "pharma"), compiler.Options{Today: meshtest.Today})
	if err != nil || res.Plan == nil {
		t.Fatalf("compile: %v", err)
	}
	m := manifest.Build(res, manifest.Options{Version: "test",
		Out: manifest.Generation{GitLab: "gen/gitlab", Airflow: "gen/airflow", Snowflake: "gen/snowflake"}})
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestPharma compares the example's manifest with a golden file.
func TestPharma(t *testing.T) {
	golden.Check(t, "manifest/pharma.json", pharmaManifest(t))
}

// TestSchema validates the example's manifest against the published
// schema, docs/manifest.schema.json, with the JSON Schema validator in
// ../shared/validators.
func TestSchema(t *testing.T) {
	validator := filepath.Join(golden.Root(), "..", "shared", "validators", "gitlab-schema")
	if _, err := os.Stat(validator); err != nil {
		t.Skipf("the JSON Schema validator is not beside the repository (%v)", err)
	}
	manifest := pharmaManifest(t)
	file := filepath.Join(t.TempDir(), "manifest.json")
	if err := os.WriteFile(file, manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"manifest_version": 2}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// A cron cadence is "cron EXPR", for sources and products alike, so
	// that it cannot be taken for a keyword; the bare expression is the
	// schedule's cron. The example has both kinds of cron cadence.
	for _, cadence := range []string{`"cadence": "cron 0 4 * * 2"`, `"cadence": "cron 0 6 * * 2"`} {
		if !bytes.Contains(manifest, []byte(cadence)) {
			t.Fatalf("the example's manifest has no %s", cadence)
		}
	}
	bareCron := filepath.Join(t.TempDir(), "bare-cron.json")
	if err := os.WriteFile(bareCron, bytes.Replace(manifest, []byte(`"cadence": "cron 0 6 * * 2"`), []byte(`"cadence": "0 6 * * 2"`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	schema := filepath.Join(golden.Root(), "docs", "manifest.schema.json")
	run := func(f string) ([]byte, error) {
		cmd := exec.Command("go", "run", ".", "-s", schema, f)
		cmd.Dir = validator
		return cmd.CombinedOutput()
	}
	if out, err := run(file); err != nil {
		t.Fatalf("the manifest does not match its schema: %v\n%s", err, out)
	}
	if out, err := run(bad); err == nil {
		t.Fatalf("the schema accepts a manifest of another version:\n%s", out)
	}
	if out, err := run(bareCron); err == nil {
		t.Fatalf("the schema accepts a cron cadence without its cron prefix:\n%s", out)
	}
}

// TestExpiringWaiver checks that the example's waived product is marked
// expiring in the 14 days up to its waiver's last valid day (2027-06-30),
// as the check warns of it, judged by the date it is checked for, and not
// the day before.
func TestExpiringWaiver(t *testing.T) {
	for day, want := range map[string]bool{"2027-06-15": false, "2027-06-16": true, "2027-06-30": true} {
		today, err := time.Parse(time.DateOnly, day)
		if err != nil {
			t.Fatal(err)
		}
		res, err := compiler.CompileDir(filepath.Join(golden.Root(), "examples", "pharma"), compiler.Options{Today: today})
		if err != nil || res.Plan == nil {
			t.Fatalf("compile on %s: %v %v", day, err, res.Diagnostics)
		}
		var waived []manifest.Waived
		for _, p := range manifest.Build(res, manifest.Options{}).Policies {
			waived = append(waived, p.Waived...)
		}
		if len(waived) != 1 || waived[0].Object != "physician.prescribers_v2" || waived[0].Expiring != want {
			t.Errorf("on %s, waived %+v, want physician.prescribers_v2 with expiring %v", day, waived, want)
		}
	}
}
