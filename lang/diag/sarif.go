package diag

import (
	"io"
	"net/url"
	"path"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// SARIF constants: the schema GitHub and other code scanning views expect,
// where a result's relative file name is rooted, and where meshc's rules are
// documented.
const (
	sarifSchema     = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifSourceRoot = "%SRCROOT%"
	sarifStdlibRoot = "MESHC_STDLIB"
	meshcURI        = "https://github.com/meshc/meshc"
	codesURI        = meshcURI + "/blob/main/docs/language.md#checks-and-diagnostic-codes"
)

// WriteSARIF prints ds as a SARIF 2.1.0 log with one run of meshc, version
// being meshc's own, for code scanning views.
//
// Each diagnostic code used is a rule; each diagnostic is a result with the
// rule's id, a level of error or warning, the summary and detail as its
// message, and the fingerprint of the GitLab report as its partial
// fingerprint meshc/v1. File names are relative URIs with the base
// %SRCROOT%, the folder meshc ran in, normally the repository root; an
// absolute file name is a file: URI. A standard library file (stdlib:NAME)
// is NAME with the base MESHC_STDLIB. Regions are 1-based, end exclusive,
// with columns in UTF-16 code units, as the run's columnKind says, which is
// what editors and browsers count. A whole-file diagnostic has a location
// without a region, which in SARIF means the whole file.
//
// Every result has a location, though SARIF allows none: GitHub code
// scanning rejects the whole log, "expected at least one location", when
// one result has none. no-mesh-root names the missing mesh.hcl; any other
// diagnostic without a range is put on the mesh's root file as a whole
// (sarifFallback).
//
// ds must be sorted (Diagnostics.Sorted).
func WriteSARIF(w io.Writer, ds Diagnostics, src Sources, version string) error {
	x := newLineIndex(src)
	fps := fingerprints(ds, src)
	fallback := sarifFallback(src)
	run := sarifRun{
		Tool:       sarifTool{Driver: sarifDriver{Name: "meshc", InformationURI: meshcURI, Version: version, Rules: []sarifRule{}}},
		ColumnKind: "utf16CodeUnits",
		Results:    []sarifResult{},
	}
	ruleIndex := map[string]int{}
	for _, code := range sortedCodes(ds) {
		ruleIndex[code] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID:               code,
			ShortDescription: sarifMessage{Text: describeCode(code)},
			HelpURI:          codesURI,
		})
	}
	for i, d := range ds {
		level := "error"
		if d.Severity == Warning {
			level = "warning"
		}
		r := sarifResult{
			RuleID:              d.Code,
			RuleIndex:           ruleIndex[d.Code],
			Level:               level,
			Message:             sarifMessage{Text: reportMessage(d)},
			PartialFingerprints: map[string]string{"meshc/v1": fps[i]},
		}
		loc := sarifPhysical{ArtifactLocation: fallback}
		if d.Subject != nil && d.Subject.Filename() != "" {
			loc = sarifPhysicalLocation(d.Subject, x)
		}
		r.Locations = []sarifLocation{{PhysicalLocation: loc}}
		run.Results = append(run.Results, r)
	}
	return writeReportJSON(w, sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool     `json:"tool"`
	ColumnKind string        `json:"columnKind"`
	Results    []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	ShortDescription sarifMessage `json:"shortDescription"`
	HelpURI          string       `json:"helpUri"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifMessage      `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
}

// sortedCodes returns the distinct codes of ds in lexical order, so that
// the rules, and the results' rule indexes, do not depend on which
// diagnostic came first.
func sortedCodes(ds Diagnostics) []string {
	seen := map[string]bool{}
	var codes []string
	for _, d := range ds {
		if !seen[d.Code] {
			seen[d.Code] = true
			codes = append(codes, d.Code)
		}
	}
	slices.Sort(codes)
	return codes
}

// describeCode turns a code into a rule's short description:
// unresolved-reference becomes "Unresolved reference". Summaries will not
// do, as one code's summaries differ ("Reference to an undeclared source",
// "... product").
func describeCode(code string) string {
	s := strings.ReplaceAll(code, "-", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func sarifPhysicalLocation(r *Range, x *lineIndex) sarifPhysical {
	p := sarifPhysical{ArtifactLocation: sarifArtifact(r.Filename())}
	start, end := r.Start(), r.End()
	if start.Line < 1 {
		return p // the file as a whole
	}
	if end.Line < start.Line || (end.Line == start.Line && end.Byte < start.Byte) {
		end = start
	}
	reg := &sarifRegion{
		StartLine: int(start.Line), StartColumn: x.utf16Column(r.Filename(), start),
		EndLine: int(end.Line), EndColumn: x.utf16Column(r.Filename(), end),
	}
	if reg.EndLine == reg.StartLine {
		reg.EndColumn = max(reg.EndColumn, reg.StartColumn)
	}
	p.Region = reg
	return p
}

// sarifRootFile is the name of a mesh's root file, load.RootFile, which
// diag cannot import.
const sarifRootFile = "mesh.hcl"

// sarifFallback is the location of a diagnostic without a range: the
// mesh's root file, the one file every mesh has, which is the source named
// mesh.hcl nearest the top (the loader reads no other: a mesh.hcl in a
// subfolder is ignored), or mesh.hcl in the folder meshc ran in when none
// was read.
func sarifFallback(src Sources) sarifArtifactLocation {
	root := ""
	for name := range src {
		if strings.HasPrefix(name, "stdlib:") || path.Base(name) != sarifRootFile {
			continue
		}
		if root == "" || strings.Count(name, "/") < strings.Count(root, "/") ||
			(strings.Count(name, "/") == strings.Count(root, "/") && name < root) {
			root = name
		}
	}
	if root == "" {
		root = sarifRootFile
	}
	return sarifArtifact(root)
}

// sarifArtifact turns a diagnostic's file name into a SARIF artifact
// location. The name is a slash-separated path; as a URI it is
// percent-encoded, and one whose first segment holds a colon gets a
// leading ./ so that it is not read as a scheme.
func sarifArtifact(name string) sarifArtifactLocation {
	if rest, ok := strings.CutPrefix(name, "stdlib:"); ok {
		return sarifArtifactLocation{URI: (&url.URL{Path: rest}).String(), URIBaseID: sarifStdlibRoot}
	}
	if path.IsAbs(name) {
		return sarifArtifactLocation{URI: (&url.URL{Scheme: "file", Path: name}).String()}
	}
	return sarifArtifactLocation{URI: (&url.URL{Path: strings.TrimPrefix(name, "./")}).String(), URIBaseID: sarifSourceRoot}
}

// utf16Column is p's column in UTF-16 code units, from 1, measured from
// the byte offset in the source: HCL's own column counts grapheme
// clusters, which no SARIF consumer does. Without the source it falls back
// on HCL's column. Invalid UTF-8 counts one unit per byte, as a decoder
// replacing it by U+FFFD would. A byte order mark that starts the file is
// not counted (lineIndex.get cuts it off): it is no character of the first
// line, to editors as to the text format's columns.
func (x *lineIndex) utf16Column(file string, p Pos) int {
	fl := x.get(file)
	if fl == nil || p.Line < 1 || int(p.Line) > len(fl.lines) {
		return max(1, int(p.Column))
	}
	line := fl.lines[p.Line-1]
	from, n := 0, 0
	to := clamp(int(p.Byte)-fl.starts[p.Line-1], 0, len(line))
	// Diagnostics come sorted, so a count on the same line can go on from
	// an earlier one: thousands of them on one long line stay linear. Two
	// are kept, the last start's and the last end's, since a range may
	// start before the previous one ends.
	for _, m := range fl.utf16 {
		if m.line == int(p.Line) && m.byte <= to && m.byte >= from && (m.byte == len(line) || utf8.RuneStart(line[m.byte])) {
			from, n = m.byte, m.units
		}
	}
	for _, r := range line[from:to] {
		n += utf16.RuneLen(r)
	}
	// Replace a mark of another line, or else the one further back.
	a, b := fl.utf16[0], fl.utf16[1]
	slot := 0
	if (a.line == int(p.Line) && b.line != int(p.Line)) || (a.line == b.line && b.byte < a.byte) {
		slot = 1
	}
	fl.utf16[slot] = utf16Mark{line: int(p.Line), byte: to, units: n}
	return n + 1
}

// utf16Mark is where utf16Column counted to on a file's line.
type utf16Mark struct{ line, byte, units int }
