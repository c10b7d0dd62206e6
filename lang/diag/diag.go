// Package diag holds meshc's one diagnostics type: every problem found in a
// mesh, from a syntax error to a target's limit, is a Diagnostic with a stable
// code and a source range. It imports nothing from HCL, so the compiler, the
// plan and the targets can all carry ranges without depending on the parser.
//
// Producing diagnostics happens everywhere; printing them happens only here
// (text.go, json.go, and codequality.go and sarif.go for CI tools), once,
// sorted by file and position.
package diag

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Pos is a position in a source file. Line and Column start at 1; Column
// counts grapheme clusters, as HCL does (what a person sees as one
// character); Byte counts bytes from the start of the file's text, as it
// was read, with CRLF line endings as LF (File.OnDisk gives the offset in
// the file on disk).
type Pos struct {
	Line   int32 `json:"line"`
	Column int32 `json:"column"`
	Byte   int32 `json:"byte"`
}

// Severity says whether a diagnostic stops the build.
type Severity int

const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem found in a mesh.
//
// Summary is terse and names the problem; Detail is one or more full
// sentences that say how to fix it. Subject is the tight range to underline;
// Context, when set, is a wider range that gives the snippet its surroundings.
// Code is stable across releases so that CI rules and docs can refer to it.
type Diagnostic struct {
	Severity Severity
	Code     string
	Summary  string
	Detail   string
	Subject  *Range
	Context  *Range
}

// Diagnostics is a list of diagnostics; the zero value is an empty list.
type Diagnostics []*Diagnostic

// Errorf and Warnf build a diagnostic at subject. They are the common case;
// callers needing a Context range build the struct themselves.
func Errorf(code string, subject Range, summary, detailFormat string, args ...any) *Diagnostic {
	return &Diagnostic{Severity: Error, Code: code, Summary: summary, Detail: fmt.Sprintf(detailFormat, args...), Subject: subject.Ptr()}
}

func Warnf(code string, subject Range, summary, detailFormat string, args ...any) *Diagnostic {
	d := Errorf(code, subject, summary, detailFormat, args...)
	d.Severity = Warning
	return d
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Count returns the number of errors and warnings.
func (ds Diagnostics) Count() (errors, warnings int) {
	for _, d := range ds {
		if d.Severity == Error {
			errors++
		} else {
			warnings++
		}
	}
	return errors, warnings
}

// Sorted returns the diagnostics ordered by file, position, severity, code and
// summary, with exact duplicates removed, so that output never depends on
// the order in which files were read or checks ran.
func (ds Diagnostics) Sorted() Diagnostics {
	out := slices.Clone(ds)
	slices.SortStableFunc(out, compare)
	return slices.CompactFunc(out, func(a, b *Diagnostic) bool { return compare(a, b) == 0 && a.Detail == b.Detail })
}

func compare(a, b *Diagnostic) int {
	ra, rb := a.Subject, b.Subject
	switch {
	case ra == nil && rb != nil:
		return -1
	case ra != nil && rb == nil:
		return 1
	case ra != nil && rb != nil:
		if c := cmp.Compare(ra.Filename(), rb.Filename()); c != 0 {
			return c
		}
		if c := cmp.Compare(ra.start, rb.start); c != 0 {
			return c
		}
		if c := cmp.Compare(ra.end, rb.end); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(a.Severity, b.Severity); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Code, b.Code); c != 0 {
		return c
	}
	return cmp.Compare(a.Summary, b.Summary)
}

// Article returns "a" or "an" for a word, capitalised when asked, for
// messages that name a kind of object.
func Article(word string, capital bool) string {
	a := "a"
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		a = "an"
	}
	if capital {
		return strings.ToUpper(a[:1]) + a[1:]
	}
	return a
}

// loopOnOneLine is how many members a loop may have and still be written
// on one line.
const loopOnOneLine = 4

// Loop writes a loop for a diagnostic's detail, at the start of a line
// indented by two spaces: names are its members in order, and the text
// returns to the first. A short loop is one line, its names joined by
// arrows; a longer one is a name a line, each after the first led by its
// arrow, so that it reads down the terminal rather than off its edge.
func Loop(names []string) string {
	if len(names) == 0 {
		return ""
	}
	names = append(names[:len(names):len(names)], names[0])
	if len(names) <= loopOnOneLine+1 {
		return strings.Join(names, " -> ")
	}
	return strings.Join(names, "\n  -> ")
}
