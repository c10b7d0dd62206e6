package meshdiff_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"strings"
	"testing"
	"unicode"

	"github.com/meshc/meshc/internal/meshdiff"
)

// controls are characters a mesh's strings may hold that must not reach
// a reader as they are: C0 controls, DEL, C1 controls (NEL ends a line
// for some readers) and the bidirectional overrides and isolates.
var controls = []rune{
	'\x00', '\x07', '\b', '\t', '\n', '\v', '\f', '\r', '\x1b', '\x1f', '\x7f',
	'\u0080', '\u0085', '\u009b', '\u009f',
	'\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069',
}

// unprintable reports a character of a report that is neither printable
// nor a line break.
func unprintable(r rune) bool { return r != '\n' && !unicode.IsPrint(r) }

// reportWith is a report of one breaking change whose detail is detail.
func reportWith(detail string) *meshdiff.Report {
	return &meshdiff.Report{Changes: []*meshdiff.Change{{
		Domain: "a", Kind: "domain", ID: "a", Change: "changed", Detail: detail,
		Breaking: true, Consumers: []string{"b.c"}, Product: "a.p",
	}}}
}

// TestMarkdownControls checks that a control character in the mesh's
// text cannot end a Markdown line (CommonMark ends one at a lone carriage
// return) and so close the list item and add a heading or a code block,
// nor reach the reader as it is.
func TestMarkdownControls(t *testing.T) {
	var want bytes.Buffer
	reportWith("owner @x -> @x").WriteMarkdown(&want, nil)
	lines := strings.Count(want.String(), "\n")
	for _, c := range controls {
		ch := string(c)
		var got bytes.Buffer
		reportWith("owner @x -> @x"+ch+ch+"# head"+ch+ch+"    code").WriteMarkdown(&got, nil)
		out := got.String()
		if n := strings.Count(out, "\n"); n != lines {
			t.Errorf("%U: the report has %d lines, want %d:\n%s", c, n, lines, out)
		}
		if i := strings.IndexFunc(out, unprintable); i >= 0 {
			t.Errorf("%U: the report holds a control character at byte %d:\n%q", c, i, out)
		}
	}
}

// TestTextControls checks that the text report shows control characters
// as diagnostics do, so that none reaches the terminal; line breaks and
// tabs are kept, as there.
func TestTextControls(t *testing.T) {
	for _, c := range controls {
		if c == '\n' || c == '\t' {
			continue
		}
		var got bytes.Buffer
		if err := reportWith("owner x -> \x1b]0;pwned" + string(c) + "y").WriteText(&got); err != nil {
			t.Fatal(err)
		}
		out := got.String()
		if i := strings.IndexFunc(out, unprintable); i >= 0 {
			t.Errorf("%U: the report holds a control character at byte %d:\n%q", c, i, out)
		}
	}
}

// TestTextOneLinePerChange checks that a line break in a change's detail
// cannot make a line of its own, such as a fake summary.
func TestTextOneLinePerChange(t *testing.T) {
	var got bytes.Buffer
	if err := reportWith("owner x -> a\n\nmeshc diff: no changes").WriteText(&got); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(got.String(), "\n"); len(lines) != 5 || !strings.HasPrefix(lines[3], "meshc diff: 1 change") {
		t.Errorf("the report's lines are not one a change:\n%s", got.String())
	}
}

// TestJSONControls checks that the JSON report escapes every control
// character, also those encoding/json writes as they are, and reads back
// as the same text.
func TestJSONControls(t *testing.T) {
	for _, c := range controls {
		detail := "owner x -> \x1b[2K" + string(c) + "y"
		var got bytes.Buffer
		if err := reportWith(detail).WriteJSON(&got); err != nil {
			t.Fatal(err)
		}
		out := got.String()
		if i := strings.IndexFunc(out, unprintable); i >= 0 {
			t.Errorf("%U: the report holds a control character at byte %d:\n%q", c, i, out)
		}
		var back meshdiff.Report
		if err := json.Unmarshal(got.Bytes(), &back); err != nil {
			t.Fatalf("%U: %v", c, err)
		}
		if back.Changes[0].Detail != detail {
			t.Errorf("%U: the detail reads back as %q, want %q", c, back.Changes[0].Detail, detail)
		}
	}
}

// TestJSONMajorBump checks that a breaking change says whether the major
// version went up, false as well as true, and that a change that breaks
// nothing does not.
func TestJSONMajorBump(t *testing.T) {
	for _, tt := range []struct {
		breaking, bump bool
		want           string // the major_bump field, "" for none
	}{
		{true, false, `"major_bump": false`},
		{true, true, `"major_bump": true`},
		{false, false, ""},
		{false, true, ""},
	} {
		r := reportWith("owner x -> <y>")
		r.Changes[0].Breaking, r.Changes[0].MajorBump = tt.breaking, tt.bump
		var got bytes.Buffer
		if err := r.WriteJSON(&got); err != nil {
			t.Fatal(err)
		}
		out := got.String()
		if has := strings.Contains(out, `"major_bump"`); has != (tt.want != "") || tt.want != "" && !strings.Contains(out, tt.want) {
			t.Errorf("breaking %t, major bump %t: want %s in\n%s", tt.breaking, tt.bump, cmp.Or(tt.want, "no major_bump"), out)
		}
		if !strings.Contains(out, `"detail": "owner x -> <y>"`) {
			t.Errorf("the detail is escaped for HTML:\n%s", out)
		}
		var back meshdiff.Report
		if err := json.Unmarshal(got.Bytes(), &back); err != nil {
			t.Fatal(err)
		}
		if c := back.Changes[0]; c.Breaking != tt.breaking || c.MajorBump != (tt.breaking && tt.bump) {
			t.Errorf("breaking %t, major bump %t: reads back as breaking %t, major bump %t", tt.breaking, tt.bump, c.Breaking, c.MajorBump)
		}
	}
}

// TestMarkdownSummary checks that a domain's name in a section's
// <summary> is written for HTML, where Markdown's backslash escapes would
// show: market_access, not market\_access.
func TestMarkdownSummary(t *testing.T) {
	r := reportWith("x")
	r.Changes[0].Domain = "market_access"
	var got bytes.Buffer
	r.WriteMarkdown(&got, nil)
	if want := "<summary>market_access: 1 change</summary>"; !strings.Contains(got.String(), want) {
		t.Errorf("the report has no %s:\n%s", want, got.String())
	}
}
