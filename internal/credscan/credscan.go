// Package credscan finds credentials written into text: private keys,
// well-known token formats, passwords in connection strings and URLs,
// credentials given to a command's flags or assigned to its environment,
// and the credential properties of Snowflake SQL (PASSWORD = '...'). It is
// the one list of such patterns: lang/load runs it on every literal string
// of a mesh, the compiler on the SQL file of each step on the standard sql
// runner (reporting each credential at its line and column there), and
// the targets that carry another step's SQL file into what they generate
// (airflow, snowflake) on that file's text.
//
// Only a literal value is a credential: a variable, a placeholder, a mask
// or an SQL expression in its place stands for one, and a name that says
// where a credential is (--token-file) names none. A false alarm teaches
// users to ignore the rule, so each pattern errs towards silence where the
// text reads as prose or as code rather than as a value.
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
	// Flag is the command-line flag given the credential, as "--token",
	// for a match that is a flag and its value; Assigned is the variable
	// or key a command or a configuration file gives it, as
	// "AWS_SECRET_ACCESS_KEY". Each is empty otherwise.
	Flag, Assigned string
}

// Line is the 1-based line of the text on which m starts.
func (m Match) Line(text string) int {
	return 1 + strings.Count(text[:m.Start], "\n")
}

// pattern is one kind of credential. It runs only on texts holding one of
// its hints, substrings every match contains, since most texts hold none;
// a hint that starts with ~ is read in any case, for a pattern in any case
// (whose regular expression is slow to find that a text holds none).
// When value is set, it is the submatch that holds the credential, and a
// match whose value is not a literal (an empty string, a variable, a
// placeholder) is not one. A value < 0 marks the pattern of SQL
// properties, whose matches are named for the property; a what with a
// verb, the patterns of a variable or a key named in submatch 1, which
// what names. When keep is set, it has the last word on a match whose
// value is literal. A pattern with scan set is no regular expression:
// scan finds up to n matches (all with n < 0) itself. A pattern with at
// set has an expression anchored at \A, which runs only at the positions
// where at says a match may start, on the text up to the end at returns
// (locs): a search of a whole text, in any case or for a line's start,
// took milliseconds for a step's SQL file of a few kilobytes.
type pattern struct {
	what  string
	hints []string
	re    *regexp.Regexp
	value int
	keep  func(text string, loc []int) bool
	scan  func(text string, n int) []Match
	at    func(text string, i int) (end int)
}

// sqlProperties are the properties of Snowflake statements whose value is
// a credential: a user's or a secret's PASSWORD (CREATE/ALTER USER,
// CREATE SECRET ... TYPE = PASSWORD), a generic secret's SECRET_STRING,
// an OAuth client secret or refresh token (security integrations,
// secrets), and a stage's or a COPY's cloud credentials and client-side
// encryption key (CREDENTIALS = (AWS_SECRET_KEY = '...' AWS_TOKEN = '...'),
// CREDENTIALS = (AZURE_SAS_TOKEN = '...'), ENCRYPTION = (MASTER_KEY =
// '...')), and an API integration's API_KEY. AWS_KEY_ID names a key
// rather than holds it (an access key id is found by its own pattern),
// and RSA_PUBLIC_KEY is public. A property is a whole word:
// MUST_CHANGE_PASSWORD and PASSWORD_POLICY are not PASSWORD.
const sqlProperties = `PASSWORD|SECRET_STRING|OAUTH_CLIENT_SECRET|OAUTH_REFRESH_TOKEN|AWS_SECRET_KEY|AWS_TOKEN|AZURE_SAS_TOKEN|MASTER_KEY|API_KEY`

// credentialHints are the hints of a pattern whose name NamesCredential
// reads: every such name holds one of them, in some case.
var credentialHints = []string{"~pass", "~pwd", "~secret", "~token", "~key", "~credential"}

// shellValue is a word of a command line: quoted, or up to a space or a
// character the shell reads as the end of a word.
const shellValue = `("[^"\n]*"|'[^'\n]*'|[^\s;&|<>()'"` + "`" + `]+)`

var patterns = []pattern{
	// PEM's private keys, and OpenPGP's armoured ones.
	{"a private key", []string{"PRIVATE KEY"}, regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----`), 0, nil, nil, nil},
	// An RSA private key's DER in base64 without its PEM lines, as
	// pasted into RSA_PUBLIC_KEY by mistake: a SEQUENCE whose first
	// element is the version 0, then the modulus (PKCS #1) or the RSA
	// algorithm's identifier (PKCS #8). A public key starts with a
	// SEQUENCE instead (MIIBIjAN...).
	{"a private key", []string{"MII"}, regexp.MustCompile(`\bMII[A-Za-z0-9+/]{2}[AQgw]IBA(?:AKCA|DANBgkqhkiG9w0BAQEFAASC)`), 0, notInPEM, nil, nil},
	{"an AWS access key", []string{"AKIA", "ASIA"}, regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`), 0, nil, nil, nil},
	{"a GitLab token", []string{"glpat-"}, regexp.MustCompile(`\bglpat-[0-9A-Za-z_-]{20,}`), 0, nil, nil, nil},
	{"a GitHub token", []string{"gh"}, regexp.MustCompile(`\bgh[pousr]_[0-9A-Za-z]{36,}`), 0, nil, nil, nil},
	{"a Slack token", []string{"xox"}, regexp.MustCompile(`\bxox[abposr]-[0-9A-Za-z-]{10,}`), 0, nil, nil, nil},
	{"a JSON web token", []string{"eyJ"}, regexp.MustCompile(`\beyJ[0-9A-Za-z_-]{10,}\.eyJ[0-9A-Za-z_-]{10,}\.[0-9A-Za-z_-]{10,}`), 0, nil, nil, nil},
	// Snowflake takes a PASSWORD in single or double quotes, and any
	// string constant may be dollar-quoted.
	{"", []string{"~password", "~secret", "~token", "~key"}, regexp.MustCompile(`(?is)\A(?:` + sqlProperties + `)\s*=\s*(?:'((?:[^'\\]|\\.|'')*)'|"([^"]*)"|\$\$(.*?)\$\$)`), -1, nil, nil, propertyStart},
	// HTTP's credentials: a bearer token (long, as "Bearer token" is
	// prose), a basic authorization's user:password in base64, and a
	// header named for a credential that curl -H sends.
	{"a bearer token", []string{"earer", "EARER"}, regexp.MustCompile(`(?i)\bBearer\s+([A-Za-z0-9._~+/-]{16,}=*)`), 1, nil, nil, nil},
	{"a basic authorization", []string{"uthorization"}, regexp.MustCompile(`(?i)\bAuthorization:\s*Basic\s+([A-Za-z0-9+/]{4,}={0,2})`), 1, nil, nil, nil},
	{"a literal value of the header %s", []string{"-H", "--header"}, regexp.MustCompile(`(?:^|\s)(?:-H|--header)[\s=]+["']?([A-Za-z0-9-]+):[ \t]*([^\s"']+)`), 2, headerCredential, nil, nil},
	// A command line's flags, ahead of the connection strings, as
	// --password=... says how to pass the credential instead.
	{hints: []string{"-"}, scan: flagValues},
	// Key=value connection strings (ODBC's Pwd=, JDBC's password=,
	// Azure Storage's AccountKey=), libpq's PGPASSWORD= and Java's
	// a.b.password= too, as the key may end a longer name.
	{"a password in a connection string", []string{"~pass", "~pwd", "~accountkey", "~sharedaccesskey"}, regexp.MustCompile(`(?i)(?:password|passwd|pwd|accountkey|sharedaccesskey)\s*=\s*([^\s;&'"` + "`" + `]{3,})`), 1, notSQLExpression, nil, nil},
	{"a password in a connection string", []string{"://"}, regexp.MustCompile(`://[^/\s:@]*:([^/\s@` + "`" + `]{3,})@`), 1, nil, nil, nil},
	// A URL's query parameter that holds a token or a signature (an Azure
	// SAS's sig=).
	{"a credential in a URL", []string{"token=", "secret=", "key=", "sig="}, regexp.MustCompile(`[?&]([A-Za-z_]+)=([^&#\s'"` + "`" + `]{3,})`), 2, queryCredential, nil, nil},
	// A variable a command sets: export AWS_SECRET_ACCESS_KEY=...
	{"a literal value of the variable %s", []string{"PASS", "SECRET", "TOKEN", "KEY", "CREDENTIAL", "PWD"}, regexp.MustCompile(`(?:^|[\s;&|(])(?:export\s+)?([A-Z][A-Z0-9_]*)=` + shellValue), 2, assignedCredential, nil, nil},
	// A configuration file's key: YAML's (at a line's start, the value
	// alone on the rest of the line) and JSON's (both quoted).
	{"a literal value of the key %q", credentialHints, regexp.MustCompile(`(?m)\A[ \t]*(?:-[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*:[ \t]+("[^"\n]*"|'[^'\n]*'|[^\s#'"]+)[ \t]*(?:#.*)?\r?$`), 2, yamlCredential, nil, lineStart},
	{"a literal value of the key %q", credentialHints, regexp.MustCompile(`"([A-Za-z_][A-Za-z0-9_.-]*)"\s*:\s*"([^"\\\n]*)"`), 2, keyedCredential, nil, nil},
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

// FindAll returns every credential text holds, in the order they appear;
// where two patterns find one credential (PGPASSWORD=... is a connection
// string's password and a variable's), the match that starts first is
// kept.
func FindAll(text string) []Match {
	var all []Match
	for _, p := range patterns {
		m, _ := p.find(text, -1)
		all = append(all, m...)
	}
	slices.SortStableFunc(all, func(a, b Match) int { return a.Start - b.Start })
	var out []Match
	for _, m := range all {
		if len(out) > 0 && m.Start < out[len(out)-1].End {
			continue
		}
		out = append(out, m)
	}
	return out
}

// find returns up to n matches of p (all with n < 0) whose values are
// literals, and whether there was one.
func (p pattern) find(text string, n int) ([]Match, bool) {
	if !slices.ContainsFunc(p.hints, func(h string) bool { return strings.Contains(text, h) || h[0] == '~' && containsFold(text, h[1:]) }) {
		return nil, false
	}
	if p.scan != nil {
		out := p.scan(text, n)
		return out, len(out) > 0
	}
	var out []Match
	for _, loc := range p.locs(text) {
		if v, checked := p.valueOf(text, loc); checked && !Literal(v) {
			continue
		}
		if p.keep != nil && !p.keep(text, loc) {
			continue
		}
		m := Match{What: p.what, Start: loc[0], End: loc[1]}
		switch {
		case p.value < 0: // the property's name, as the user would look for it
			m.What = "a literal " + strings.ToUpper(text[loc[0]:loc[0]+strings.IndexFunc(text[loc[0]:], notName)]) + " in SQL"
		case strings.Contains(p.what, "%"): // a variable's or a key's value: from the name on
			m.Start, m.Assigned = loc[2], text[loc[2]:loc[3]]
			m.What = fmt.Sprintf(p.what, m.Assigned)
		}
		out = append(out, m)
		if len(out) == n {
			break
		}
	}
	return out, len(out) > 0
}

// locs returns the submatch indexes of p's matches in text, in order and
// without overlaps: those of a search of the whole text, or, for a
// pattern with at, those of its anchored expression at each position at
// accepts (returning an end >= 0), on the text up to that end.
func (p pattern) locs(text string) [][]int {
	if p.at == nil {
		return p.re.FindAllStringSubmatchIndex(text, -1)
	}
	var all [][]int
	for i := 0; i < len(text); i++ {
		end := p.at(text, i)
		if end < 0 {
			continue
		}
		loc := p.re.FindStringSubmatchIndex(text[i:end])
		if loc == nil {
			continue
		}
		for k := range loc {
			if loc[k] >= 0 {
				loc[k] += i
			}
		}
		all = append(all, loc)
		i = max(i, loc[1]-1)
	}
	return all
}

// propertyStart accepts a position where the name of an SQL property
// (sqlProperties) starts a word, as \b(?:PASSWORD|...) would:
// MUST_CHANGE_PASSWORD is not PASSWORD. Its value may span lines.
func propertyStart(text string, i int) int {
	switch text[i] | 0x20 { // the names' initials, in any case
	case 'p', 's', 'o', 'a', 'm':
	default:
		return -1
	}
	if i > 0 && (isAlnum(text[i-1]) || text[i-1] == '_') {
		return -1
	}
	for _, name := range sqlPropertyNames {
		if len(text)-i >= len(name) && strings.EqualFold(text[i:i+len(name)], name) {
			return len(text)
		}
	}
	return -1
}

var sqlPropertyNames = strings.Split(sqlProperties, "|")

// lineStart accepts the start of a line, where a configuration file's key
// is written, up to the line's end.
func lineStart(text string, i int) int {
	if i > 0 && text[i-1] != '\n' {
		return -1
	}
	if n := strings.IndexByte(text[i:], '\n'); n >= 0 {
		return i + n
	}
	return len(text)
}

// valueOf is the credential a match holds: submatch p.value, unquoted, or
// for p.value < 0 the first submatch that took part in the match (one per
// way of quoting). It reports false for patterns without a value.
func (p pattern) valueOf(text string, loc []int) (string, bool) {
	if p.value > 0 {
		return unquote(text[loc[2*p.value]:loc[2*p.value+1]]), true
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

// containsFold reports whether text holds the lower-case ASCII word h in
// any case, without a lower-case copy of text.
func containsFold(text, h string) bool {
	for i := 0; i+len(h) <= len(text); i++ {
		if text[i]|0x20 == h[0] && strings.EqualFold(text[i:i+len(h)], h) {
			return true
		}
	}
	return false
}

func notName(r rune) bool { return r != '_' && !('A' <= r && r <= 'Z' || 'a' <= r && r <= 'z') }

// unquote removes the quotes around a word of a command line or a value
// of a configuration file.
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// notInPEM keeps a private key's base64 that no PEM line before it
// introduces, which the first pattern reports.
func notInPEM(text string, loc []int) bool {
	return !strings.Contains(text[:loc[0]], "PRIVATE KEY-----")
}

// notSQLExpression keeps a password= whose value is not an expression of
// SQL: in u.password = s.password, as a MERGE writes, in password =
// crypt(...), in password = new_password, or in SET password = other_col,
// the value is a column, a call or a variable, while a literal password
// in SQL is quoted (and found as a PASSWORD property). An unquoted name is
// read as SQL's where it is named for a credential, or where the key
// follows a word of SQL that compares or assigns columns (sqlCondition).
func notSQLExpression(text string, loc []int) bool {
	v := strings.TrimRight(text[loc[2]:loc[3]], ",)")
	if sqlExpression.MatchString(v) {
		return false
	}
	return !identifier.MatchString(v) || !NamesCredential(v) && !sqlCondition(text, loc[0])
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// sqlCondition reports whether the name that ends at or after text[i],
// the key of a password=, is a column that SQL sets or compares: it
// follows SET, WHERE, AND, OR, ON, WHEN, NOT, HAVING or an opening
// parenthesis, or a comma in the list of a SET (UPDATE t SET a = 1,
// password = other_col). A connection string's key follows a ; or a
// space after another key's value, and a comment's text, a colon.
func sqlCondition(text string, i int) bool {
	for i > 0 && (isAlnum(text[i-1]) || text[i-1] == '_' || text[i-1] == '.' || text[i-1] == '"') {
		i-- // the start of the whole name: u.password, "PASSWORD"
	}
	before := strings.TrimRight(text[:i], " \t\r\n")
	if strings.HasSuffix(before, "(") {
		return true
	}
	statement := before[strings.LastIndexByte(before, ';')+1:]
	if strings.HasSuffix(before, ",") {
		return sqlSet.MatchString(statement)
	}
	j := len(before)
	for j > 0 && (isAlnum(before[j-1]) || before[j-1] == '_') {
		j--
	}
	return sqlConditionWords[strings.ToUpper(before[j:])]
}

var sqlConditionWords = map[string]bool{"SET": true, "WHERE": true, "AND": true, "OR": true, "ON": true, "WHEN": true, "NOT": true, "HAVING": true}

var sqlSet = regexp.MustCompile(`(?i)\bSET\b`)

// sqlExpression matches a qualified name (s.password, excluded.password)
// or a call (crypt(, IDENTIFIER().
var sqlExpression = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*(?:\(|(?:\.[A-Za-z_][A-Za-z0-9_$]*)+$)`)

// queryCredential keeps a URL's query parameter named for a credential
// (access_token=, api_key=, client_secret=) or Azure's SAS signature.
func queryCredential(text string, loc []int) bool {
	name := text[loc[2]:loc[3]]
	return strings.EqualFold(name, "sig") || NamesCredential(name)
}

// assignedCredential keeps a variable named for a credential that a
// command line sets to a literal, but not PGPASSWORD=..., found as a
// connection string's password.
func assignedCredential(text string, loc []int) bool {
	return NamesCredential(text[loc[2]:loc[3]]) && LiteralArgument(unquote(text[loc[4]:loc[5]]))
}

// headerCredential keeps a header named for a credential (PRIVATE-TOKEN,
// X-API-Key), with a literal value.
func headerCredential(text string, loc []int) bool {
	return NamesCredential(text[loc[2]:loc[3]]) && LiteralArgument(text[loc[4]:loc[5]])
}

// keyedCredential keeps a configuration file's key named for a
// credential, with a literal value.
func keyedCredential(text string, loc []int) bool {
	return NamesCredential(text[loc[2]:loc[3]]) && LiteralArgument(text[loc[4]:loc[5]])
}

// yamlCredential is keyedCredential for YAML, where "Password: see the
// vault" is prose: a value unquoted must look like one (looksRandom).
func yamlCredential(text string, loc []int) bool {
	v := text[loc[4]:loc[5]]
	return keyedCredential(text, loc) && (unquote(v) != v || looksRandom(v))
}

// Literal reports whether a credential's value, as written, is one rather
// than stands for one. Not literals: an empty value; a variable, of a
// shell or a CI system ($PW, ${PW}, $(cat pw), ${{ secrets.PW }}), of a
// Snowflake session ($pw), of the Snowflake CLI (&pw, &{pw}), of SQL
// Server (@pw), or a bind variable (:pw, :1, %(pw)s); IDENTIFIER(...); a
// placeholder in angle or square brackets or a template's braces (<from
// vault>, [REDACTED], {pw}, {{ var.value.pw }}), or the credential's name
// (user:password@); a mask (****, xxxx, ...); and SQL's TRUE, FALSE and NULL (MUST_CHANGE_PASSWORD = TRUE). Commas and
// closing parentheses after a value unquoted end a list, not the value:
// $pw, is $pw.
func Literal(v string) bool {
	v = strings.TrimRight(v, ",)")
	switch {
	case v == "", variable.MatchString(v), strings.HasPrefix(v, "${"), strings.HasPrefix(v, "$("), strings.HasPrefix(v, "%("):
		return false
	case strings.HasPrefix(v, "<"), strings.HasPrefix(v, "["), strings.HasPrefix(v, "{"):
		return false
	case strings.Trim(v, "*xX.•#") == "", credentialWord[strings.ToLower(v)]:
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

// credentialWord holds the values that name the credential in its place,
// as documentation writes scheme://user:password@host.
var credentialWord = map[string]bool{"password": true, "passwd": true, "pass": true, "pwd": true, "secret": true, "token": true, "apikey": true, "api_key": true}

// variable matches a value that is only a variable's name, with the
// sigil of a shell, Snowflake, its CLI, SQL Server or a bind.
var variable = regexp.MustCompile(`^(?:[$&]\{[A-Za-z_][A-Za-z0-9_]*\}|[$&:@][A-Za-z0-9_]+)$`)

// LiteralArgument reports whether a value given to a credential's flag or
// variable on a command line is the credential (Literal), rather than an
// expansion of the shell ($TOKEN, "$(cat f)", `cat f`), a file the tool
// reads it from (@token.txt, /run/secrets/token, ./token, ~/.pw), or a
// placeholder in capitals (TOKEN, YOUR_API_KEY).
func LiteralArgument(v string) bool {
	if v == "" || strings.ContainsAny(v[:1], "$`@/~.%") || placeholder.MatchString(v) {
		return false
	}
	return Literal(v)
}

// placeholder matches a value in capitals without digits, as
// documentation writes what to put in its place: TOKEN, YOUR_API_KEY.
var placeholder = regexp.MustCompile(`^[A-Z][A-Z_]*$`)

// looksRandom reports whether a value written after a flag or a key as
// prose could be ("pass --token with the request") reads as a credential
// instead: one with a digit, or a long word. Prose rarely has either, and
// a generated token almost always has both.
func looksRandom(v string) bool {
	return strings.ContainsAny(v, "0123456789") || len(v) >= 16
}

// flagValues finds the flags named for a credential that a command line,
// written as one string, gives a literal value, up to n (all with n < 0):
// --token abc123, --password=hunter2, -secret 's3cr3t'. A value after a
// space must look like a credential (looksRandom), since a flag is often
// named in prose ("pass --token with each call"); a value after an = is
// one unless it stands for one (LiteralArgument). A flag counts where a
// word starts: after a space, a quote or an operator of the shell.
func flagValues(text string, n int) []Match {
	var out []Match
	for i := strings.IndexByte(text, '-'); i >= 0 && len(out) != n; {
		if m, ok := flagValue(text, i); ok {
			out = append(out, m)
		}
		next := strings.IndexByte(text[i+1:], '-')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return out
}

// flagValue reads the flag that may start at text[i], and its value.
func flagValue(text string, i int) (Match, bool) {
	if i > 0 && !strings.ContainsRune(" \t\n'\"(;|&`[,", rune(text[i-1])) {
		return Match{}, false
	}
	j := i + 1
	if j < len(text) && text[j] == '-' {
		j++
	}
	name := j
	for j < len(text) && (isAlnum(text[j]) || (text[j] == '-' || text[j] == '_') && j > name) {
		j++
	}
	if j == name || !NamesCredential(text[name:j]) || j == len(text) {
		return Match{}, false
	}
	flag, flagName := text[i:j], text[name:j]
	joined := text[j] == '='
	switch {
	case joined:
		j++
	case text[j] == ' ' || text[j] == '\t':
		for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
			j++
		}
	default:
		return Match{}, false
	}
	loc := shellWord.FindStringIndex(text[j:])
	if loc == nil {
		return Match{}, false
	}
	word := text[j : j+loc[1]]
	v := unquote(word)
	if !LiteralArgument(v) || !joined && (strings.HasPrefix(word, "-") || !looksRandom(v) || promptsForPassword(text, i, flagName)) { // --token --verbose
		return Match{}, false
	}
	return Match{What: fmt.Sprintf("a literal value of the flag %q", flag), Start: i, End: j + loc[1], Flag: flag}, true
}

var shellWord = regexp.MustCompile(`^` + shellValue)

// promptsForPassword reports whether the flag at text[i], named name, is
// a --password that takes no value after a space (PasswordSwitch), the
// words before it being those of its simple command.
func promptsForPassword(text string, i int, name string) bool {
	start := strings.LastIndexAny(text[:i], "\n;|&(`") + 1
	return PasswordSwitch(strings.Fields(text[start:i]), name)
}

// PasswordSwitch reports whether a flag named name (without its dashes),
// given to a command whose words before it are words, is a --password
// that takes no value after a space: PostgreSQL's clients read it as a
// switch that forces a prompt (psql --password mydb1 names the database),
// and MySQL's and MariaDB's take a password only after an =
// (--password=...), reading the word after a space as another argument.
// The command is any of the words, so that sudo -u postgres psql and
// /usr/bin/psql count.
func PasswordSwitch(words []string, name string) bool {
	if !strings.EqualFold(name, "password") {
		return false
	}
	for _, word := range words {
		word = unquote(word)
		if passwordPrompters[word[strings.LastIndexByte(word, '/')+1:]] {
			return true
		}
	}
	return false
}

// passwordPrompters are the commands whose --password takes no value
// after a space (PasswordSwitch).
var passwordPrompters = map[string]bool{
	"psql": true, "pg_dump": true, "pg_dumpall": true, "pg_restore": true, "pg_basebackup": true, "pgbench": true,
	"createdb": true, "dropdb": true, "createuser": true, "dropuser": true, "vacuumdb": true, "reindexdb": true, "clusterdb": true,
	"mysql": true, "mysqldump": true, "mysqladmin": true, "mysqlimport": true, "mysqlsh": true,
	"mariadb": true, "mariadb-dump": true, "mariadb-admin": true, "mariadb-import": true,
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z'
}

// NamesCredential reports whether a name, of a command-line flag without
// its dashes, a variable, a key, or a mesh's argument or map entry, says
// it holds a credential: its last word, or its last two, is a
// credential's, as in --password, --db-token, --api-key,
// AWS_SECRET_ACCESS_KEY, clientSecret and PGPASSWORD, or one of these
// followed by a word for its value (--secret-string, private_key_pem), or
// Rails's secret_key_base. A name that
// ends in another word says where a credential is or what kind it is
// (--token-file, --password-stdin, --passphrase-fd, --secret-name,
// AWS_ACCESS_KEY_ID, max_tokens), and one that starts with a word of a
// switch (--no-password, --ask-password, --prompt-password) takes no
// value.
func NamesCredential(name string) bool {
	words := splitWords(name)
	if len(words) == 0 || switchWords[words[0]] {
		return false
	}
	if last := len(words) - 1; last > 0 && valueWords[words[last]] {
		words = words[:last]
	}
	last := words[len(words)-1]
	if n := len(words); n > 1 && credentialEndings[words[n-2]+last] || n > 2 && credentialEndings[words[n-3]+words[n-2]+last] {
		return true
	}
	for _, w := range credentialWords {
		if strings.HasSuffix(last, w) {
			return true
		}
	}
	return false
}

// credentialWords end a word that holds a credential: dbpassword and
// pgpassword as password, and the pairs of credentialEndings run together.
var credentialWords = []string{"password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "accesskey", "privatekey", "accountkey", "masterkey", "credential", "credentials"}

// credentialEndings are the last two or three words of a name, run
// together, that hold a credential where the last alone does not (a key
// is as often a sort key): api_key, secret_key, and Rails's
// secret_key_base, the key its sessions and cookies are signed with.
var credentialEndings = map[string]bool{"apikey": true, "accesskey": true, "privatekey": true, "accountkey": true, "masterkey": true, "secretkey": true, "authkey": true, "secretkeybase": true}

// valueWords may follow a credential's word in a name for its value,
// or for its encoding (PRIVATE_KEY_PEM, SSH_KEY... _BASE64).
var valueWords = map[string]bool{"value": true, "string": true, "text": true, "plain": true, "plaintext": true, "pem": true, "base64": true, "b64": true}

// switchWords start the names of flags that switch a credential's use on
// or off, and take no value.
var switchWords = map[string]bool{"no": true, "ask": true, "prompt": true, "skip": true, "disable": true, "show": true, "hide": true, "print": true, "use": true, "require": true}

// splitWords splits a name into lower-case words at -, _, . and where a
// lower-case letter or a digit meets a capital (clientSecret).
func splitWords(name string) []string {
	var words []string
	start := 0
	for i := 0; i <= len(name); i++ {
		switch {
		case i == len(name) || name[i] == '-' || name[i] == '_' || name[i] == '.':
			if i > start {
				words = append(words, strings.ToLower(name[start:i]))
			}
			start = i + 1
		case i > start && 'A' <= name[i] && name[i] <= 'Z' && ('a' <= name[i-1] && name[i-1] <= 'z' || '0' <= name[i-1] && name[i-1] <= '9'):
			words = append(words, strings.ToLower(name[start:i]))
			start = i
		}
	}
	return words
}

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
