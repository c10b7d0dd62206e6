package gitlab_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestHostile builds testdata/cases/hostile.txtar, whose strings look like
// YAML, shell and comment syntax, parses the child pipeline back, and runs
// the generated script lines through sh with printf in place of the
// command: every argument must arrive exactly as written in the mesh, and
// the YAML must hold no key but the ones meshc writes.
func TestHostile(t *testing.T) {
	var files map[string][]byte
	for _, c := range cases(t) {
		if c.name == "hostile" {
			files = map[string][]byte{}
			for _, f := range c.files {
				files[f.Path] = f.Contents()
			}
		}
	}
	if files == nil {
		t.Fatal("the hostile case did not build")
	}
	var doc map[string]any
	if err := yaml.Unmarshal(files["products/d/p.yml"], &doc); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range doc {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{".meshc-runner-python", ".meshc-runner-shell", ".meshc-runner-sql", ".meshc-test", "inline", "python", "shell", "stages", "test:main.amount$usd.not_null", "test:main.id.allowed", "variables"}
	if !slices.Equal(keys, want) {
		t.Fatalf("top-level keys %v, want %v", keys, want)
	}
	for _, f := range []string{".gitlab-ci.yml", "products/d/p.yml"} {
		var n yaml.Node
		if err := yaml.Unmarshal(files[f], &n); err != nil {
			t.Fatal(err)
		}
		checkTags(t, f, &n)
	}

	// GitLab expands $NAME in variables, and reads $$ as $.
	vars := doc["variables"].(map[string]any)
	testVars := doc["test:main.amount$usd.not_null"].(map[string]any)["variables"].(map[string]any)
	for name, want := range map[string]string{"SNOWFLAKE_DATABASE": "DB$PROD", "SNOWFLAKE_ROLE": "ROLE$1", "MESHC_TEST": "main.amount$usd.not_null"} {
		got, _ := vars[name].(string)
		if name == "MESHC_TEST" {
			got, _ = testVars[name].(string)
		}
		if expanded := strings.ReplaceAll(got, "$$", ""); strings.Contains(expanded, "$") || strings.ReplaceAll(got, "$$", "$") != want {
			t.Errorf("variable %s is %q, which GitLab does not read as %q", name, got, want)
		}
	}

	script := func(job string) string {
		lines := doc[job].(map[string]any)["script"].([]any)
		return lines[0].(string)
	}
	sh := func(line string) []string {
		out, err := exec.Command("sh", "-c", line).Output()
		if err != nil {
			t.Fatalf("sh %q: %v", line, err)
		}
		return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	}

	command := "echo 'on' && echo \"$HOME\" ; cat <<EOF\n- item: *anchor &ref !!str\nEOF\n  trailing  "
	line := script("shell")
	if !strings.HasPrefix(line, "sh -c ") {
		t.Fatalf("shell script %q", line)
	}
	if got := sh("printf '%s\\0' " + strings.TrimPrefix(line, "sh -c ")); !slices.Equal(got, []string{command}) {
		t.Errorf("the shell step's command arrives as %q, want %q", got, command)
	}

	args := []string{"d/run me.py", "on", "off", "- x", "? y", "[z]", "{w}", "a #b", "'q'", "\"dq\"", "$(id)", "`id`", "", " lead", "trail ", "tab\there", "null", "~", "0x1F", "12:30:00", "2026-01-05"}
	line = script("python")
	if !strings.HasPrefix(line, "python ") {
		t.Fatalf("python script %q", line)
	}
	if got := sh("printf '%s\\0' " + strings.TrimPrefix(line, "python ")); !slices.Equal(got, args) {
		t.Errorf("the python step's arguments arrive as %q, want %q", got, args)
	}

	sql := string(files["sql/d/p/inline.sql"])
	if !strings.HasSuffix(sql, "\nselect 'it''s'; -- }}\n# ${not interpolated}\n") {
		t.Errorf("inline SQL changed on its way to the file:\n%s", sql)
	}
}

// checkTags fails on any scalar that YAML resolves to something other than
// a string, except the values of the few keys where meshc writes a boolean
// or an integer itself.
func checkTags(t *testing.T, file string, n *yaml.Node) {
	t.Helper()
	typed := map[string]bool{"optional": true, "pipeline_variables": true, "allow_failure": true, "file": true, "retry": true, "variables": true} // variables: inherit's; a job's is a map
	var walk func(n *yaml.Node, key string)
	walk = func(n *yaml.Node, key string) {
		if n.Kind == yaml.ScalarNode && n.Tag != "!!str" && !typed[key] {
			t.Errorf("%s:%d: %q reads as %s", file, n.Line, n.Value, n.Tag)
		}
		for i, c := range n.Content {
			k := ""
			if n.Kind == yaml.MappingNode && i%2 == 1 {
				k = n.Content[i-1].Value
			}
			walk(c, k)
		}
	}
	walk(n, "")
}
