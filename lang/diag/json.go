package diag

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"
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
	data, err := IndentedJSON(NewJSONReport(ds, src), true)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// IndentedJSON encodes v as meshc writes JSON: indented, with a final line
// break, escaping HTML's <, > and & when escapeHTML is set. encoding/json
// escapes the C0 controls in strings, but writes DEL, the C1 controls and
// the bidirectional overrides and isolates as they are: these are written
// as \u escapes too, the same JSON (they can only be in strings), so that
// the mesh's words cannot reach a terminal or a CI log that prints the
// JSON as commands, or reorder what it shows.
func IndentedJSON(v any, escapeHTML bool) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	data := b.Bytes()
	if !bytes.ContainsFunc(data, leftByJSON) {
		return data, nil
	}
	out := make([]byte, 0, len(data)+32)
	for _, r := range string(data) {
		if leftByJSON(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = utf8.AppendRune(out, r)
		}
	}
	return out, nil
}

// leftByJSON reports a character that encoding/json leaves unescaped but
// a terminal reads as a control.
func leftByJSON(r rune) bool {
	return r == 0x7f || 0x80 <= r && r < 0xa0 || 0x202a <= r && r <= 0x202e || 0x2066 <= r && r <= 0x2069
}
