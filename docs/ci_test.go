package docs_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshc/meshc/internal/golden"
	"gopkg.in/yaml.v3"
)

// TestCIConfig checks the GitLab CI configuration of docs/ci.md, the
// ```yaml block after a <!-- gitlab-ci --> line, against GitLab's CI
// schema, and that the pre-commit configuration is YAML.
func TestCIConfig(t *testing.T) {
	text, err := os.ReadFile(filepath.Join(golden.Root(), "docs", "ci.md"))
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	for _, part := range strings.Split(string(text), "```yaml\n")[1:] {
		block, _, _ := strings.Cut(part, "```")
		blocks = append(blocks, block)
	}
	_, after, ok := strings.Cut(string(text), "<!-- gitlab-ci -->")
	if !ok || len(blocks) != 2 {
		t.Fatalf("docs/ci.md has %d yaml blocks and the gitlab-ci marker %v; want 2 and true", len(blocks), ok)
	}
	ci, _, _ := strings.Cut(strings.SplitN(after, "```yaml\n", 2)[1], "```")
	for _, b := range blocks {
		var doc any
		if err := yaml.Unmarshal([]byte(b), &doc); err != nil {
			t.Errorf("a yaml block of docs/ci.md does not parse: %v", err)
		}
	}
	script := filepath.Join(golden.Root(), "..", "shared", "validators", "gitlab-schema-check.sh")
	if _, err := os.Stat(script); err != nil {
		t.Skipf("GitLab's schema validator is not beside the repository (%v)", err)
	}
	file := filepath.Join(t.TempDir(), ".gitlab-ci.yml")
	if err := os.WriteFile(file, []byte(ci), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("bash", script, file).CombinedOutput(); err != nil {
		t.Fatalf("GitLab's schema rejects the configuration of docs/ci.md: %v\n%s", err, out)
	}
}
