package diag

import (
	"bytes"
	"encoding/json"
	"path"
	"strings"
	"testing"

	"github.com/meshc/meshc/internal/golden"
)

// reportSources is a small mesh, with a standard library file, that the CI
// report tests put diagnostics on.
var reportSources = Sources{
	"mesh/mesh.hcl": []byte("mesh \"tiny\" {}\n\nenvironment \"prod\" {\n  database = \"DB\"\n}\n"),
	"mesh/d/domain.mesh.hcl": []byte(`domain "d" {
  owner = "team@example.com"
}

product "p" {
  tags = ["Ärzte 日本😀", "Ärzte 日本😀"]
  input "a" {
    from = source.rwa
  }
  input "b" {
    from = source.rwa
  }
}
`),
	"stdlib:tests.mesh.hcl": []byte("test_kind \"not_null\" {\n  sql = \"SELECT * FROM {{ relation }}\"\n}\n"),
}

// span is the range of the nth (from 0) occurrence of text in a file of
// src, with its column in characters, as HCL gives it.
func span(t *testing.T, src Sources, file, text string, nth int) Range {
	t.Helper()
	s := string(src[file])
	i := -1
	for range nth + 1 {
		j := strings.Index(s[i+1:], text)
		if j < 0 {
			t.Fatalf("%q occurs fewer than %d times in %s", text, nth+1, file)
		}
		i += 1 + j
	}
	return NewFile(file, src[file]).Range(i, i+len(text))
}

// reportDiagnostics are the kinds of diagnostic the CI reports must place:
// one without a file, one about a whole file, one on a line with
// characters outside the BMP, two alike but for their position, one in a
// file whose source is not at hand, and one in the standard library.
func reportDiagnostics(t *testing.T) Diagnostics {
	const domain = "mesh/d/domain.mesh.hcl"
	ds := Diagnostics{
		{Severity: Error, Code: "no-mesh-root", Summary: "No mesh.hcl in elsewhere", Detail: "A mesh's root folder holds a mesh.hcl file."},
		Errorf("read-error", WholeFile("mesh/d/locked.mesh.hcl"), "Cannot read mesh/d/locked.mesh.hcl", "mesh/d/locked.mesh.hcl: permission denied."),
		Warnf("duplicate-tag", span(t, reportSources, domain, `"Ärzte 日本😀"`, 1), "Duplicate tag", "The tag %q is listed twice; remove one.", "Ärzte 日本😀"),
		Errorf("unresolved-reference", span(t, reportSources, domain, "rwa", 1), "Reference to an undeclared source", "There is no source named \"rwa\" in domain d. Did you mean \"raw\"?"),
		Errorf("unresolved-reference", span(t, reportSources, domain, "rwa", 0), "Reference to an undeclared source", "There is no source named \"rwa\" in domain d. Did you mean \"raw\"?"),
		Warnf("deprecated-input", NewFile("mesh/old stuff/a:b.mesh.hcl", []byte("product \"abc\" {\n    input \"old\" {}\n}\n")).Range(20, 24),
			"Depends on a deprecated product", "d.old is deprecated & retired on 2027-01-31; read <d.new> instead."),
		Errorf("undeclared-parameter", span(t, reportSources, "stdlib:tests.mesh.hcl", "relation", 0), "Undeclared parameter", "The template uses relation, which the test kind does not declare."),
	}
	return ds.Sorted()
}

func renderReport(t *testing.T, write func(*bytes.Buffer) error) []byte {
	t.Helper()
	var first, second bytes.Buffer
	if err := write(&first); err != nil {
		t.Fatal(err)
	}
	if err := write(&second); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Fatal("two renderings of one report differ")
	}
	return first.Bytes()
}

func TestCodeQualityGolden(t *testing.T) {
	ds := reportDiagnostics(t)
	got := renderReport(t, func(b *bytes.Buffer) error { return WriteCodeQuality(b, ds, reportSources) })
	golden.Check(t, "diag/codequality.json", got)
}

// TestCodeQualityValid checks the report against GitLab's documented
// format: an array of issues, each with the five required fields, of the
// right types, a severity GitLab knows, and a fingerprint unique in the
// report.
func TestCodeQualityValid(t *testing.T) {
	for _, tc := range []struct {
		name string
		ds   Diagnostics
	}{{"none", nil}, {"several", reportDiagnostics(t)}} {
		t.Run(tc.name, func(t *testing.T) {
			out := renderReport(t, func(b *bytes.Buffer) error { return WriteCodeQuality(b, tc.ds, reportSources) })
			if !bytes.HasSuffix(out, []byte("]\n")) || bytes.HasPrefix(out, []byte("\xef\xbb\xbf")) {
				t.Errorf("the report must be a JSON array with a trailing newline and no byte order mark:\n%s", out)
			}
			var issues []map[string]any
			if err := json.Unmarshal(out, &issues); err != nil {
				t.Fatalf("not a JSON array of objects: %v", err)
			}
			if issues == nil || len(issues) != len(tc.ds) {
				t.Fatalf("got %d issues for %d diagnostics", len(issues), len(tc.ds))
			}
			severities := map[string]bool{"info": true, "minor": true, "major": true, "critical": true, "blocker": true}
			fingerprints := map[string]bool{}
			for i, is := range issues {
				for _, field := range []string{"description", "check_name", "fingerprint", "severity"} {
					if s, ok := is[field].(string); !ok || s == "" {
						t.Errorf("issue %d: %s is %#v, want a non-empty string", i, field, is[field])
					}
				}
				if s, _ := is["severity"].(string); !severities[s] {
					t.Errorf("issue %d: severity %q is not one of GitLab's", i, s)
				}
				fp, _ := is["fingerprint"].(string)
				if fingerprints[fp] {
					t.Errorf("issue %d: fingerprint %s is not unique", i, fp)
				}
				fingerprints[fp] = true
				loc, _ := is["location"].(map[string]any)
				p, ok := loc["path"].(string)
				if !ok || p == "" || path.IsAbs(p) || strings.HasPrefix(p, "./") {
					t.Errorf("issue %d: location.path is %#v, want a relative path", i, loc["path"])
				}
				lines, _ := loc["lines"].(map[string]any)
				if begin, ok := lines["begin"].(float64); !ok || begin < 1 || begin != float64(int(begin)) {
					t.Errorf("issue %d: location.lines.begin is %#v, want a line number", i, lines["begin"])
				}
			}
		})
	}
}

func TestCodeQualitySeverities(t *testing.T) {
	ds := Diagnostics{
		Errorf("e", at("a\nbcd\nw\n", "a.mesh.hcl", 0, 0), "E", ""),
		Warnf("w", at("a\nbcd\nw\n", "a.mesh.hcl", 5, 5), "W", ""),
	}.Sorted()
	var b bytes.Buffer
	if err := WriteCodeQuality(&b, ds, nil); err != nil {
		t.Fatal(err)
	}
	var issues []codeQualityIssue
	if err := json.Unmarshal(b.Bytes(), &issues); err != nil {
		t.Fatal(err)
	}
	if len(issues) != 2 || issues[0].Severity != "critical" || issues[1].Severity != "minor" {
		t.Errorf("errors must be critical and warnings minor, got %+v", issues)
	}
	if issues[0].Description != "E" {
		t.Errorf("a diagnostic without detail is described by its summary alone, got %q", issues[0].Description)
	}
}

// TestFingerprintsAreStable checks that a problem keeps its fingerprint
// when lines are added above it or the file is checked out with CRLF line
// endings, and that problems alike but for their place are told apart.
func TestFingerprintsAreStable(t *testing.T) {
	const file = "d.mesh.hcl"
	text := "product \"p\" {\n  input \"a\" {\n    from = source.rwa\n  }\n  input \"b\" {\n    from = source.rwa\n  }\n}\n"
	// prints returns the fingerprints of a problem at each reference.
	prints := func(text string) []string {
		src := Sources{file: []byte(text)}
		var ds Diagnostics
		for i := 0; ; i++ {
			j := strings.Index(text[i:], "source.")
			if j < 0 {
				break
			}
			i += j + len("source.")
			r := span(t, src, file, text[i:i+3], strings.Count(text[:i], text[i:i+3]))
			ds = append(ds, Errorf("unresolved-reference", r, "Reference to an undeclared source", "Detail."))
		}
		return fingerprints(ds.Sorted(), src)
	}
	base := prints(text)
	if base[0] == base[1] {
		t.Fatalf("two problems share the fingerprint %s", base[0])
	}
	for name, moved := range map[string]string{
		"lines added above": "# a comment\n\n" + text,
		"CRLF":              strings.ReplaceAll(text, "\n", "\r\n"),
	} {
		if got := prints(moved); got[0] != base[0] || got[1] != base[1] {
			t.Errorf("%s: fingerprints changed from %v to %v", name, base, got)
		}
	}
	renamed := prints(strings.Replace(text, "rwa", "rws", 1))
	if renamed[0] == base[0] {
		t.Errorf("a different subject kept the fingerprint %s", base[0])
	}
}
