package diag

import (
	"io"

	"github.com/meshc/meshc/internal/jsonout"
)

// JSONReport is the stable shape of `meshc check --format json`, documented
// in docs/cli.md. Fields are only ever added, never renamed or removed.
type JSONReport struct {
	FormatVersion string           `json:"format_version"`
	Valid         bool             `json:"valid"`
	ErrorCount    int              `json:"error_count"`
	WarningCount  int              `json:"warning_count"`
	Diagnostics   []JSONDiagnostic `json:"diagnostics"`
}

// JSONDiagnostic is one diagnostic in a JSONReport.
type JSONDiagnostic struct {
	Severity string   `json:"severity"`
	Code     string   `json:"code"`
	Summary  string   `json:"summary"`
	Detail   string   `json:"detail"`
	Range    *Range   `json:"range,omitempty"`
	Context  *Range   `json:"context,omitempty"` // a wider range around Range, such as the enclosing block
	Snippet  *Snippet `json:"snippet,omitempty"`
}

// NewJSONReport builds the report for ds, which the caller has sorted.
func NewJSONReport(ds Diagnostics, src Sources) JSONReport {
	errs, warns := ds.Count()
	x := newLineIndex(src)
	r := JSONReport{FormatVersion: "1", Valid: errs == 0, ErrorCount: errs, WarningCount: warns, Diagnostics: []JSONDiagnostic{}}
	for _, d := range ds {
		jd := JSONDiagnostic{Severity: d.Severity.String(), Code: d.Code, Summary: d.Summary, Detail: d.Detail, Range: d.Subject, Context: d.Context}
		if d.Subject != nil {
			jd.Snippet = snippetFor(d, x)
		}
		r.Diagnostics = append(r.Diagnostics, jd)
	}
	return r
}

// WriteJSON prints the report for ds as indented JSON.
func WriteJSON(w io.Writer, ds Diagnostics, src Sources) error {
	data, err := jsonout.Indented(NewJSONReport(ds, src), true)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}
