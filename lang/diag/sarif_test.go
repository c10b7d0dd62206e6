package diag

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/meshc/meshc/internal/golden"
)

func TestSARIFGolden(t *testing.T) {
	ds := reportDiagnostics(t)
	got := renderReport(t, func(b *bytes.Buffer) error { return WriteSARIF(b, ds, reportSources, "v1.2.3") })
	golden.Check(t, "diag/sarif.json", got)
}

// sarifOut is what the validation reads of a SARIF log: the properties
// SARIF 2.1.0 requires and those meshc promises.
type sarifOut struct {
	Schema  *string `json:"$schema"`
	Version string  `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name  string `json:"name"`
				Rules []struct {
					ID               string `json:"id"`
					ShortDescription struct {
						Text string `json:"text"`
					} `json:"shortDescription"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		ColumnKind string `json:"columnKind"`
		Results    []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct {
				Text string `json:"text"`
			} `json:"message"`
			Locations []struct {
				PhysicalLocation *struct {
					ArtifactLocation *struct {
						URI       string `json:"uri"`
						URIBaseID string `json:"uriBaseId"`
					} `json:"artifactLocation"`
					Region *struct {
						StartLine, StartColumn, EndLine, EndColumn int
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
		} `json:"results"`
	} `json:"runs"`
}

func parseSARIF(t *testing.T, out []byte) sarifOut {
	t.Helper()
	var log sarifOut
	dec := json.NewDecoder(bytes.NewReader(out))
	if err := dec.Decode(&log); err != nil {
		t.Fatalf("not a SARIF log: %v", err)
	}
	return log
}

func TestSARIFValid(t *testing.T) {
	for _, tc := range []struct {
		name string
		ds   Diagnostics
	}{{"none", nil}, {"several", reportDiagnostics(t)}} {
		t.Run(tc.name, func(t *testing.T) {
			out := renderReport(t, func(b *bytes.Buffer) error { return WriteSARIF(b, tc.ds, reportSources, "v1.2.3") })
			if !bytes.HasSuffix(out, []byte("}\n")) {
				t.Errorf("no trailing newline:\n%s", out)
			}
			log := parseSARIF(t, out)
			if log.Schema == nil || *log.Schema != sarifSchema || log.Version != "2.1.0" {
				t.Errorf("$schema %v, version %q", log.Schema, log.Version)
			}
			if len(log.Runs) != 1 {
				t.Fatalf("%d runs, want 1", len(log.Runs))
			}
			run := log.Runs[0]
			if run.Tool.Driver.Name != "meshc" {
				t.Errorf("tool.driver.name is %q", run.Tool.Driver.Name)
			}
			if run.ColumnKind != "utf16CodeUnits" {
				t.Errorf("columnKind is %q", run.ColumnKind)
			}
			rules := map[string]int{}
			for i, r := range run.Tool.Driver.Rules {
				if _, dup := rules[r.ID]; dup || r.ID == "" || r.ShortDescription.Text == "" {
					t.Errorf("rule %d: id %q (a repeat or empty) or no short description", i, r.ID)
				}
				rules[r.ID] = i
			}
			if len(run.Results) != len(tc.ds) {
				t.Fatalf("%d results for %d diagnostics", len(run.Results), len(tc.ds))
			}
			used := map[string]bool{}
			fingerprints := map[string]bool{}
			for i, r := range run.Results {
				used[r.RuleID] = true
				if idx, ok := rules[r.RuleID]; !ok || idx != r.RuleIndex {
					t.Errorf("result %d: ruleId %q, ruleIndex %d do not name a rule", i, r.RuleID, r.RuleIndex)
				}
				if r.Level != "error" && r.Level != "warning" {
					t.Errorf("result %d: level %q", i, r.Level)
				}
				if r.Message.Text == "" {
					t.Errorf("result %d: no message", i)
				}
				fp := r.PartialFingerprints["meshc/v1"]
				if fp == "" || fingerprints[fp] {
					t.Errorf("result %d: fingerprint %q is empty or not unique", i, fp)
				}
				fingerprints[fp] = true
				// GitHub code scanning rejects a log with a result
				// that has no location, or a location without a uri.
				if len(r.Locations) == 0 {
					t.Errorf("result %d: no location", i)
				}
				for _, l := range r.Locations {
					pl := l.PhysicalLocation
					if pl == nil || pl.ArtifactLocation == nil {
						t.Errorf("result %d: a location without an artifact", i)
						continue
					}
					u, err := url.Parse(pl.ArtifactLocation.URI)
					if pl.ArtifactLocation.URI == "" || err != nil || u.String() != pl.ArtifactLocation.URI || (pl.ArtifactLocation.URIBaseID != "") == u.IsAbs() {
						t.Errorf("result %d: uri %q with base %q is not a URI reference relative exactly when it has a base", i, pl.ArtifactLocation.URI, pl.ArtifactLocation.URIBaseID)
					}
					if g := pl.Region; g != nil {
						if g.StartLine < 1 || g.StartColumn < 1 || g.EndLine < g.StartLine || g.EndColumn < 1 ||
							(g.EndLine == g.StartLine && g.EndColumn < g.StartColumn) {
							t.Errorf("result %d: region %+v is not 1-based and ordered", i, *g)
						}
					}
				}
			}
			if len(used) != len(rules) {
				t.Errorf("rules %v are not exactly the codes used, %v", rules, used)
			}
		})
	}
}

// TestSARIFFallbackLocation checks that a diagnostic without a range is
// put on the mesh's root file, the top one of the user's, so that GitHub
// code scanning does not reject the log; with no root file read, on
// mesh.hcl where meshc ran.
func TestSARIFFallbackLocation(t *testing.T) {
	noRange := &Diagnostic{Severity: Error, Code: "no-range", Summary: "No range"}
	noName := &Diagnostic{Severity: Error, Code: "no-name", Summary: "No file name", Subject: new(WholeFile(""))}
	for _, tc := range []struct {
		name string
		d    *Diagnostic
		src  Sources
		uri  string
	}{
		{"root", noRange, Sources{"stdlib:mesh.hcl": nil, "m/a/mesh.hcl": nil, "m/mesh.hcl": nil, "m/d/x.mesh.hcl": nil}, "m/mesh.hcl"},
		{"current folder", noRange, Sources{"mesh.hcl": nil, "d/mesh.hcl": nil}, "mesh.hcl"},
		{"none read", noRange, nil, "mesh.hcl"},
		{"empty file name", noName, Sources{"m/mesh.hcl": nil}, "m/mesh.hcl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteSARIF(&b, Diagnostics{tc.d}, tc.src, ""); err != nil {
				t.Fatal(err)
			}
			locs := parseSARIF(t, b.Bytes()).Runs[0].Results[0].Locations
			if len(locs) != 1 || locs[0].PhysicalLocation == nil || locs[0].PhysicalLocation.ArtifactLocation == nil {
				t.Fatalf("locations %+v, want one with an artifact", locs)
			}
			pl := locs[0].PhysicalLocation
			if a := pl.ArtifactLocation; a.URI != tc.uri || a.URIBaseID != sarifSourceRoot || pl.Region != nil {
				t.Errorf("artifact %q base %q, region %v; want %q base %s, no region", a.URI, a.URIBaseID, pl.Region, tc.uri, sarifSourceRoot)
			}
		})
	}
}

// TestSARIFColumns checks that columns count UTF-16 code units, as the
// run's columnKind says: the emoji before the second tag is two units,
// the other characters one each, whatever their UTF-8 length.
func TestSARIFColumns(t *testing.T) {
	const domain = "mesh/d/domain.mesh.hcl"
	r := span(t, reportSources, domain, `"Ärzte 日本😀"`, 1)
	var b bytes.Buffer
	if err := WriteSARIF(&b, Diagnostics{Warnf("duplicate-tag", r, "Duplicate tag", "")}, reportSources, ""); err != nil {
		t.Fatal(err)
	}
	g := parseSARIF(t, b.Bytes()).Runs[0].Results[0].Locations[0].PhysicalLocation.Region
	// `  tags = ["Ärzte 日本😀", ` is 23 characters, 24 code units; the
	// tag is 11 characters, 12 code units.
	if r.Start().Column != 24 || g.StartLine != 6 || g.StartColumn != 25 || g.EndLine != 6 || g.EndColumn != 37 {
		t.Errorf("HCL column %d, region %+v; want columns 25 to 37 on line 6", r.Start().Column, *g)
	}
}

// TestSARIFByteOrderMark checks that a byte order mark at the start of a
// file, which HCL's columns skip, is not counted on line 1: a range at
// "product" is columns 1 to 8, as the text format says, not 2 to 9. The
// mark is a character only where it is not the file's first.
func TestSARIFByteOrderMark(t *testing.T) {
	const name = "mesh/mesh.hcl"
	text := "\ufeffproduct \"Bad\" {\r\n  tags = [\"\ufeffx\"]\r\n}\r\n"
	f := NewFile(name, []byte(text))
	src := Sources{name: []byte(text)}
	at := func(s string) Range {
		i := strings.Index(text, s)
		return f.Range(i, i+len(s))
	}
	whole := f.Range(0, strings.Index(text, "\r"))
	for _, tc := range []struct {
		r          Range
		start, end int
	}{
		{at("product"), 1, 8},
		{at(`"Bad"`), 9, 14},
		{whole, 1, 16},
		{f.Range(0, 0), 1, 1},
		{at("\"\ufeffx\""), 11, 15},
	} {
		var b bytes.Buffer
		if err := WriteSARIF(&b, Diagnostics{Errorf("c", tc.r, "S", "")}, src, ""); err != nil {
			t.Fatal(err)
		}
		g := parseSARIF(t, b.Bytes()).Runs[0].Results[0].Locations[0].PhysicalLocation.Region
		if g.StartColumn != tc.start || g.EndColumn != tc.end {
			t.Errorf("%q: columns %d to %d, want %d to %d", text[tc.r.start:tc.r.end], g.StartColumn, g.EndColumn, tc.start, tc.end)
		}
	}
}

// TestUTF16ColumnsInAnyOrder checks that counting on from the last column
// of a line gives what counting from the line's start does, in any order.
func TestUTF16ColumnsInAnyOrder(t *testing.T) {
	line := "a = [\"é\", \"😀\", \"e\u0301\", \"日本\", \xff, x]"
	src := Sources{"f": []byte("first\n" + line + "\n")}
	var offsets []int
	for i := range len(line) + 1 {
		offsets = append(offsets, i)
	}
	want := map[int]int{}
	for _, i := range offsets {
		want[i] = newLineIndex(src).utf16Column("f", Pos{Line: 2, Byte: int32(6 + i)})
	}
	shared := newLineIndex(src)
	for _, seq := range [][]int{offsets, reversed(offsets), {3, 9, 5, 20, 21, 2, len(line)}} {
		for _, i := range seq {
			if got := shared.utf16Column("f", Pos{Line: 2, Byte: int32(6 + i)}); got != want[i] {
				t.Errorf("byte %d: column %d, want %d", i, got, want[i])
			}
		}
	}
}

func reversed(s []int) []int {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}
