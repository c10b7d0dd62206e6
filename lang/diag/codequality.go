package diag

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strconv"
	"strings"

	"github.com/meshc/meshc/internal/jsonout"
)

// WriteCodeQuality prints ds as a GitLab code quality report, the JSON
// array that a CI job declares as artifacts:reports:codequality so that
// the problems show in merge requests. Each issue has exactly the fields
// GitLab documents (https://docs.gitlab.com/ci/testing/code_quality/):
// description, check_name, fingerprint, severity, location.path and
// location.lines.begin; GitLab ignores any other.
//
// Paths are the diagnostics' file names, which are relative to the folder
// meshc ran in: they are what GitLab expects, paths relative to the
// repository root, when meshc runs there, as CI jobs do. Where a
// diagnostic has no line, its issue is on line 1: a whole file's on its
// first line, and one without a range (meshc makes none) at path ".",
// the repository itself. A diagnostic in the standard library keeps its
// stdlib: name, which GitLab shows but cannot link to a file.
//
// ds must be sorted (Diagnostics.Sorted), which makes the report, and the
// fingerprints of repeated issues, deterministic.
func WriteCodeQuality(w io.Writer, ds Diagnostics, src Sources) error {
	fps := fingerprints(ds, src)
	issues := make([]codeQualityIssue, 0, len(ds))
	for i, d := range ds {
		loc := codeQualityLocation{Path: ".", Lines: codeQualityLines{Begin: 1}}
		if d.Subject != nil {
			loc.Path = strings.TrimPrefix(d.Subject.Filename(), "./")
			loc.Lines.Begin = max(1, int(d.Subject.StartLine()))
		}
		issues = append(issues, codeQualityIssue{
			Description: reportMessage(d),
			CheckName:   d.Code,
			Fingerprint: fps[i],
			Severity:    codeQualitySeverity(d.Severity),
			Location:    loc,
		})
	}
	return writeReportJSON(w, issues)
}

// codeQualityIssue is one element of the report. The field names and the
// severity values are GitLab's; all the fields are required.
type codeQualityIssue struct {
	Description string              `json:"description"`
	CheckName   string              `json:"check_name"`
	Fingerprint string              `json:"fingerprint"`
	Severity    string              `json:"severity"`
	Location    codeQualityLocation `json:"location"`
}

type codeQualityLocation struct {
	Path  string           `json:"path"`
	Lines codeQualityLines `json:"lines"`
}

type codeQualityLines struct {
	Begin int `json:"begin"`
}

// codeQualitySeverity maps meshc's two severities onto GitLab's five (info,
// minor, major, critical, blocker). An error is critical rather than the
// major linters use for their errors: it is not a matter of style, the
// mesh cannot be built until it is fixed. A warning is minor. That leaves
// info, major and blocker free for finer severities, such as those of
// governance policies.
func codeQualitySeverity(s Severity) string {
	if s == Warning {
		return "minor"
	}
	return "critical"
}

// reportMessage is a diagnostic as one text, for the CI formats that have
// a single message field: the summary as a first sentence (which is what
// GitLab and code scanning views show when space is short), then the
// detail.
func reportMessage(d *Diagnostic) string {
	if d.Detail == "" {
		return d.Summary
	}
	if strings.HasSuffix(d.Summary, ".") || strings.HasSuffix(d.Summary, "?") || strings.HasSuffix(d.Summary, "!") {
		return d.Summary + " " + d.Detail
	}
	return d.Summary + ". " + d.Detail
}

// fingerprints returns a stable identity for each diagnostic of the sorted
// ds, which CI systems use to tell new problems from old ones across
// commits: the SHA-256, in hex, of its code, file name, summary and the
// source text of its subject. It leaves out positions, so that a problem
// keeps its fingerprint when lines are added above it, and the detail,
// whose suggestions change with unrelated declarations. Line endings in
// the subject text are normalised, so that a checkout with CRLF line
// endings gives the same fingerprints.
//
// Problems that agree in all four, such as one misspelt reference written
// twice in a file, are told apart by their order: the second and later
// hash their occurrence number too, so that every fingerprint in a report
// is unique and the first keeps its fingerprint when another is added
// below it.
func fingerprints(ds Diagnostics, src Sources) []string {
	out := make([]string, len(ds))
	seen := map[string]int{}
	for i, d := range ds {
		file, text := "", ""
		if d.Subject != nil {
			file, text = d.Subject.Filename(), subjectText(d.Subject, src)
		}
		key := strings.Join([]string{d.Code, file, d.Summary, text}, "\x00")
		n := seen[key]
		seen[key]++
		if n > 0 {
			key += "\x00" + strconv.Itoa(n)
		}
		sum := sha256.Sum256([]byte(key))
		out[i] = hex.EncodeToString(sum[:])
	}
	return out
}

// subjectText is the source text a range covers, or "" when the file is
// not at hand or the range has no extent.
func subjectText(r *Range, src Sources) string {
	text, ok := src[r.Filename()]
	if !ok || r.IsZero() || r.start < 0 {
		return ""
	}
	start := clamp(int(r.start), 0, len(text))
	end := clamp(int(r.end), start, len(text))
	return strings.ReplaceAll(string(text[start:end]), "\r\n", "\n")
}

// writeReportJSON prints v as the CI formats want it: indented, with a
// trailing newline, and without escaping <, > and & (meshc's messages
// quote SQL and shell).
func writeReportJSON(w io.Writer, v any) error {
	data, err := jsonout.Indented(v, false)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}
