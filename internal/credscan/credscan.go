// Package credscan finds credentials written into text: private keys,
// well-known token formats, passwords in connection strings, and the
// credential properties of Snowflake SQL (PASSWORD = '...'). It is the
// one list of such patterns: lang/load runs it on every literal string of
// a mesh, and the targets that carry a step's SQL file into what they
// generate (airflow, snowflake) run it on the file's text.
package credscan

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// A Match is a credential found in a text.
type Match struct {
	// What says what it looks like, as "a private key".
	What string
	// Start and End are the byte offsets of the whole match in the text.
	Start, End int
}

// Line is the 1-based line of the text on which m starts.
func (m Match) Line(text string) int {
	return 1 + strings.Count(text[:m.Start], "\n")
}

// pattern is one kind of credential. It runs only on texts holding one of
// its hints, substrings every match contains, since most texts hold none.
// When value is set, it is the submatch that holds the credential, and a
// match whose value is not a literal (an empty string, a variable, a
// placeholder) is not one. A value < 0 marks the pattern of SQL
// properties, whose matches are named for the property.
type pattern struct {
	what  string
	hints []string
	re    *regexp.Regexp
	value int
}

// sqlProperties are the properties of Snowflake statements whose value is
// a credential: a user's or a secret's PASSWORD (CREATE/ALTER USER,
// CREATE SECRET ... TYPE = PASSWORD), a generic secret's SECRET_STRING,
// an OAuth client secret or refresh token (security integrations,
// secrets), and a stage's or a COPY's cloud credentials and client-side
// encryption key (CREDENTIALS = (AWS_SECRET_KEY = '...' AWS_TOKEN = '...'),
// CREDENTIALS = (AZURE_SAS_TOKEN = '...'), ENCRYPTION = (MASTER_KEY =
// '...')). AWS_KEY_ID names a key rather than holds it (an access key id
// is found by its own pattern), and RSA_PUBLIC_KEY is public. A property
// is a whole word: MUST_CHANGE_PASSWORD and PASSWORD_POLICY are not
// PASSWORD.
const sqlProperties = `PASSWORD|SECRET_STRING|OAUTH_CLIENT_SECRET|OAUTH_REFRESH_TOKEN|AWS_SECRET_KEY|AWS_TOKEN|AZURE_SAS_TOKEN|MASTER_KEY`

var patterns = []pattern{
	{"a private key", []string{"PRIVATE KEY"}, regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----`), 0},
	{"an AWS access key", []string{"AKIA", "ASIA"}, regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`), 0},
	{"a GitLab token", []string{"glpat-"}, regexp.MustCompile(`\bglpat-[0-9A-Za-z_-]{20,}`), 0},
	{"a GitHub token", []string{"gh"}, regexp.MustCompile(`\bgh[pousr]_[0-9A-Za-z]{36,}`), 0},
	{"a Slack token", []string{"xox"}, regexp.MustCompile(`\bxox[abposr]-[0-9A-Za-z-]{10,}`), 0},
	{"a JSON web token", []string{"eyJ"}, regexp.MustCompile(`\beyJ[0-9A-Za-z_-]{10,}\.eyJ[0-9A-Za-z_-]{10,}\.[0-9A-Za-z_-]{10,}`), 0},
	{"a password in a connection string", []string{"="}, regexp.MustCompile(`(?i)(?:password|pwd)\s*=\s*([^\s;&'"]{3,})`), 1},
	{"a password in a connection string", []string{"://"}, regexp.MustCompile(`://[^/\s:@]+:([^/\s@]{3,})@`), 1},
	// Snowflake takes a PASSWORD in single or double quotes, and any
	// string constant may be dollar-quoted.
	{"", []string{"="}, regexp.MustCompile(`(?is)\b(?:` + sqlProperties + `)\s*=\s*(?:'((?:[^'\\]|\\.|'')*)'|"([^"]*)"|\$\$(.*?)\$\$)`), -1},
}

// Find returns the first kind of credential, in the order of the
// patterns, that text holds.
func Find(text string) (Match, bool) {
	for _, p := range patterns {
		if m, ok := p.find(text, 1); ok {
			return m[0], true
		}
	}
	return Match{}, false
}

// FindAll returns every credential text holds, in the order they appear.
func FindAll(text string) []Match {
	var all []Match
	for _, p := range patterns {
		m, _ := p.find(text, -1)
		all = append(all, m...)
	}
	slices.SortStableFunc(all, func(a, b Match) int { return a.Start - b.Start })
	return all
}

// find returns up to n matches of p (all with n < 0) whose values are
// literals, and whether there was one.
func (p pattern) find(text string, n int) ([]Match, bool) {
	if !slices.ContainsFunc(p.hints, func(h string) bool { return strings.Contains(text, h) }) {
		return nil, false
	}
	var out []Match
	for _, loc := range p.re.FindAllStringSubmatchIndex(text, -1) {
		if v, checked := p.valueOf(text, loc); checked && !Literal(v) {
			continue
		}
		what := p.what
		if p.value < 0 { // the property's name, as the user would look for it
			what = "a literal " + strings.ToUpper(text[loc[0]:loc[0]+strings.IndexFunc(text[loc[0]:], notName)]) + " in SQL"
		}
		out = append(out, Match{What: what, Start: loc[0], End: loc[1]})
		if len(out) == n {
			break
		}
	}
	return out, len(out) > 0
}

// valueOf is the credential a match holds: submatch p.value, or for
// p.value < 0 the first submatch that took part in the match (one per
// way of quoting). It reports false for patterns without a value.
func (p pattern) valueOf(text string, loc []int) (string, bool) {
	if p.value > 0 {
		return text[loc[2*p.value]:loc[2*p.value+1]], true
	}
	if p.value < 0 {
		for i := 2; i+1 < len(loc); i += 2 {
			if loc[i] >= 0 {
				return text[loc[i]:loc[i+1]], true
			}
		}
		return "", true
	}
	return "", false
}

func notName(r rune) bool { return r != '_' && !('A' <= r && r <= 'Z' || 'a' <= r && r <= 'z') }

// Literal reports whether a credential's value, as written, is one rather
// than stands for one. Not literals: an empty value; a variable, of a
// shell or a CI system ($PW, ${PW}), of a Snowflake session ($pw), of
// the Snowflake CLI (&pw, &{pw}), or a bind variable (:pw, :1, %(pw)s);
// IDENTIFIER(...); a placeholder in angle brackets or a template's
// braces (<from vault>, {{ var.value.pw }}); and SQL's TRUE, FALSE and
// NULL (MUST_CHANGE_PASSWORD = TRUE). Commas and closing parentheses
// after a value unquoted end a list, not the value: $pw, is $pw.
func Literal(v string) bool {
	v = strings.TrimRight(v, ",)")
	switch {
	case v == "", variable.MatchString(v), strings.HasPrefix(v, "<"), strings.HasPrefix(v, "{{"), strings.HasPrefix(v, "%("):
		return false
	case len(v) >= len("IDENTIFIER(") && strings.EqualFold(v[:len("IDENTIFIER(")], "IDENTIFIER("):
		return false
	}
	switch strings.ToUpper(v) {
	case "TRUE", "FALSE", "NULL":
		return false
	}
	return true
}

// variable matches a value that is only a variable's name, with the
// sigil of a shell, Snowflake, its CLI or a bind.
var variable = regexp.MustCompile(`^(?:[$&]\{[A-Za-z_][A-Za-z0-9_]*\}|[$&:][A-Za-z0-9_]+)$`)

// InFile describes the credentials a step's file holds, for the targets
// that carry the file's text into what they generate and so must not copy
// one: the first one found, and the lines of all. Every target words it
// the same, so that building for several reports it once. It reports
// false when the file holds none.
func InFile(path, text string) (detail string, found bool) {
	all := FindAll(text)
	if len(all) == 0 {
		return "", false
	}
	var lines []string
	for _, m := range all {
		if l := strconv.Itoa(m.Line(text)); !slices.Contains(lines, l) {
			lines = append(lines, l)
		}
	}
	what, it := all[0].What+" on line "+lines[0], "it"
	if len(lines) > 1 {
		last := len(lines) - 1
		what = "credentials on lines " + strings.Join(lines[:last], ", ") + " and " + lines[last] + " (the first: " + all[0].What + ")"
		it = "them"
	}
	return fmt.Sprintf("The file %s holds %s, which meshc build would copy as it is into the files it generates. Credentials must never be committed: remove %s from the file and keep %s in a vault, declaring a secret block, or in a Snowflake secret created outside the mesh; a stage can take a storage integration rather than keys.",
		path, what, it, it), true
}
