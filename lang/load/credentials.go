package load

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/meshc/meshc/internal/credscan"
	"github.com/meshc/meshc/lang/diag"
	"github.com/zclconf/go-cty/cty"
)

// Credentials are never written into a mesh: they live in a vault or in the
// orchestrator and are referenced through secret blocks. This pass looks at
// every literal string in a file, whatever block it is in, so that no new
// attribute can become a way to commit a password.

// credentialName reports whether an attribute's or a map entry's name
// says it holds a credential, read by its words as a flag's is
// (credscan.NamesCredential): password, db_token and clientSecret do;
// max_tokens, token_file, secrets_schema and description do not. Files
// are checked in parallel and use few names, so the answers are kept.
func credentialName(name string) bool {
	if v, ok := credentialNameCache.Load(name); ok {
		return v.(bool)
	}
	v := credscan.NamesCredential(name)
	credentialNameCache.Store(name, v)
	return v
}

var credentialNameCache sync.Map

// findCredentials checks the body of a file whose text is src.
func findCredentials(file *diag.File, src []byte, body *hclsyntax.Body) diag.Diagnostics {
	return credentialScan{file, src}.in(body, "")
}

// credentialScan checks one file: its ranges, and its text, where a
// credential found inside a string is looked for (credentialAt).
type credentialScan struct {
	file *diag.File
	src  []byte
}

// in checks a body of a block of the type given ("" at a file's top
// level).
func (c credentialScan) in(body *hclsyntax.Body, blockType string) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, attr := range body.Attributes {
		ds = append(ds, c.attribute(attr, blockType)...)
	}
	for _, b := range body.Blocks {
		ds = append(ds, c.in(b.Body, b.Type)...)
	}
	return ds
}

func (c credentialScan) attribute(attr *hclsyntax.Attribute, blockType string) diag.Diagnostics {
	file := c.file
	s, ok := literalString(attr.Expr)
	if lit, isLit := attr.Expr.(*hclsyntax.LiteralValueExpr); isLit && lit.Val.Type() == cty.Number {
		s, ok = lit.Val.AsBigFloat().String(), true // a numeric PIN or key is a credential too
	}
	if ok && s != "" && credentialName(attr.Name) && blockType == "environment" {
		// An environment names where to connect; a secret block would
		// not help, as no environment argument takes one.
		return diag.Diagnostics{diag.Errorf("literal-credential", rng(file, attr.Expr.Range()), "Credential written as a literal",
			"The argument %q holds a literal value. Credentials must never be committed, and an environment holds none: it names where its tables are and, with connection, the orchestrator's connection, whose login each target keeps in its own store (GitLab's CI/CD variables that the Snowflake CLI reads, the Airflow connection, a Snowflake SECRET). Remove it, and put the credential there.",
			attr.Name)}
	}
	if ok && s != "" && credentialName(attr.Name) {
		return diag.Diagnostics{diag.Errorf("literal-credential", rng(file, attr.Expr.Range()), "Credential written as a literal",
			"The argument %q holds a literal value. Credentials must never be committed: declare a secret block, such as secret \"%s\" { vault = \"path/in/vault#key\" }, and refer to it here as secret.%s.",
			attr.Name, strings.ToLower(attr.Name), strings.ToLower(attr.Name))}
	}
	return c.patterns(attr.Expr)
}

// patterns checks every string in an expression, including those inside
// lists, maps and call arguments, for values that are credentials
// whatever their name (credscan): private keys, well-known token formats,
// connection strings with an inline password, a command line's flags and
// variables given one, and Snowflake SQL's PASSWORD = '...' and kin, for
// a step's inline sql.
func (c credentialScan) patterns(e hclsyntax.Expression) diag.Diagnostics {
	switch e := e.(type) {
	case *hclsyntax.TupleConsExpr:
		var ds diag.Diagnostics
		for i, x := range e.Exprs {
			if d, checked := credentialArgument(c.file, e.Exprs[:i], x); checked {
				if d != nil {
					ds = append(ds, d)
				}
				continue
			}
			ds = append(ds, c.patterns(x)...)
		}
		return ds
	case *hclsyntax.ObjectConsExpr:
		var ds diag.Diagnostics
		for _, item := range e.Items {
			if d := credentialEntry(c.file, item); d != nil {
				ds = append(ds, d)
				continue
			}
			ds = append(ds, c.patterns(item.ValueExpr)...)
		}
		return ds
	case *hclsyntax.FunctionCallExpr:
		var ds diag.Diagnostics
		for _, x := range e.Args {
			ds = append(ds, c.patterns(x)...)
		}
		return ds
	}
	if t, ok := e.(*hclsyntax.TemplateExpr); ok && interpolates(t) {
		return c.templateText(t.Parts)
	}
	s, ok := literalString(e)
	if !ok {
		return nil
	}
	m, found := credscan.Find(s)
	if !found {
		return nil
	}
	fix := "store it in a vault, declare a secret block for it, and refer to the secret instead"
	switch {
	case strings.HasSuffix(m.What, " in SQL"):
		// SQL takes no mesh secret: Snowflake keeps it instead.
		fix = "keep it in a Snowflake secret created outside the mesh, which the SQL names; a stage can take a storage integration rather than keys"
	case m.Flag != "":
		variable := strings.ToUpper(credentialFlagName(m.Flag))
		fix = fmt.Sprintf("keep it in a variable of the CI system or the orchestrator and give the flag the variable, as in %s \"$%s\", or declare a secret block and give it to the step through a runner parameter of type secret", m.Flag, variable)
	case strings.Contains(m.What, "variable"):
		fix = fmt.Sprintf("leave the assignment out and set %s in the CI system's or the orchestrator's variables, or declare a secret block and give it to the step through a runner parameter of type secret", m.Assigned)
	}
	whole := rng(c.file, e.Range())
	subject, located := c.credentialAt(e, s, m)
	where := ""
	if !located && strings.Contains(s, "\n") {
		where = fmt.Sprintf(", on its line %d", m.Line(s))
	}
	return diag.Diagnostics{{Severity: diag.Error, Code: "literal-credential", Summary: "Credential written as a literal",
		Detail:  fmt.Sprintf("This string looks like %s%s. Credentials must never be committed: %s.", m.What, where, fix),
		Subject: subject.Ptr(), Context: whole.Ptr()}}
}

// interpolates reports whether a template interpolates a variable. It
// asks Variables, which walks the template and allocates, only of one
// with more than literal text: every quoted string of the mesh is a
// template, and asking it of each cost a fifth more allocation while
// loading 100,000 products, and a collection more.
func interpolates(t *hclsyntax.TemplateExpr) bool {
	for _, p := range t.Parts {
		if _, literal := p.(*hclsyntax.LiteralValueExpr); !literal {
			return len(t.Variables()) > 0
		}
	}
	return false
}

// templateText checks the text of a template that interpolates, as a test
// kind's sql does: its text between the interpolations is committed as
// written, and so is the text inside its directives, in either branch of
// an %{ if } and the body of a %{ for }, whatever they evaluate to.
func (c credentialScan) templateText(parts []hclsyntax.Expression) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, part := range parts {
		switch p := part.(type) {
		case *hclsyntax.LiteralValueExpr:
			ds = append(ds, c.patterns(p)...)
		case *hclsyntax.ConditionalExpr: // %{ if }, or ${ x ? "..." : "..." }
			ds = append(ds, c.patterns(p.TrueResult)...)
			ds = append(ds, c.patterns(p.FalseResult)...)
		case *hclsyntax.TemplateJoinExpr: // %{ for }
			if f, ok := p.Tuple.(*hclsyntax.ForExpr); ok {
				ds = append(ds, c.patterns(f.ValExpr)...)
			}
		}
	}
	return ds
}

// credentialAt is where the credential m, found in s, the value of the
// string e, is written in the file: the first line of its text, the n-th
// time it appears in e's source as it is the n-th time in s. The two
// counts differ where the string spells that text otherwise, as with an
// escape (\u0041KIA..., $${) or a heredoc's <<- indent inside it; it is
// then e's range, and false.
func (c credentialScan) credentialAt(e hclsyntax.Expression, s string, m credscan.Match) (diag.Range, bool) {
	r := e.Range()
	text, _, _ := strings.Cut(s[m.Start:m.End], "\n")
	if text == "" || r.Start.Line == 0 || r.End.Byte > len(c.src) {
		return rng(c.file, r), false
	}
	inValue, inSource := occurrences(s, text), occurrences(string(c.src[r.Start.Byte:r.End.Byte]), text)
	if len(inValue) != len(inSource) {
		return rng(c.file, r), false
	}
	start := r.Start.Byte + inSource[slices.Index(inValue, m.Start)]
	return c.file.Range(start, start+len(text)), true
}

// occurrences are where text starts in s, overlapping or not.
func occurrences(s, text string) []int {
	var at []int
	for from := 0; ; {
		i := strings.Index(s[from:], text)
		if i < 0 {
			return at
		}
		at = append(at, from+i)
		from += i + 1
	}
}

// credentialEntry reports an entry of a map, such as a target block's
// variables, whose name says it holds a credential and whose value is
// literal text: the name rule holds for map keys as for arguments. A value
// with a $ refers to a variable of the CI system or the orchestrator
// ("$SNOWFLAKE_PASSWORD"), where the credential is kept.
func credentialEntry(file *diag.File, item hclsyntax.ObjectConsItem) *diag.Diagnostic {
	var name string
	key, ok := item.KeyExpr.(*hclsyntax.ObjectConsKeyExpr)
	if !ok {
		return nil
	}
	if name = hcl.ExprAsKeyword(key.Wrapped); name == "" {
		if name, ok = literalString(key.Wrapped); !ok {
			return nil
		}
	}
	value, ok := literalString(item.ValueExpr)
	if !ok || value == "" || variableRef.MatchString(value) || !credentialName(name) || locatesCredential.MatchString(name) {
		return nil
	}
	return diag.Errorf("literal-credential", rng(file, item.ValueExpr.Range()), "Credential written as a literal",
		"The entry %q holds a literal value. Credentials must never be committed: keep it in the CI system's variables and refer to it, as in %s = \"$%s\" on GitLab (Airflow tasks keep the worker's environment: leave the entry out), or declare a secret block and pass it to the steps that need it.",
		name, name, name)
}

// credentialArgument reports an element of a list of command-line
// arguments that passes a credential-named flag a literal value: the
// element after "--token" or "--password", or the value of
// "--api-key=...". The flag's name is read as a flag's in a command line
// written as one string is (credscan.NamesCredential), so that
// --token-file and --secret-name, which say where a credential is, are
// not. A value that stands for a credential (credscan.LiteralArgument:
// "$TOKEN", "/run/secrets/token", "<token>") or is another flag, or an
// interpolation such as "${secret.x}", is not a literal credential. It
// reports whether x is a credential flag's value, which the patterns of
// credscan need not read again: "--password=$DB_PASSWORD" is not
// a connection string's password.
func credentialArgument(file *diag.File, before []hclsyntax.Expression, x hclsyntax.Expression) (*diag.Diagnostic, bool) {
	value, ok := literalString(x)
	if !ok {
		return nil, false
	}
	flag, joined := "", false
	if name, v, found := strings.Cut(value, "="); found && strings.HasPrefix(name, "-") {
		flag, value, joined = name, v, true // --api-key=sk_live_...
	} else if len(before) > 0 {
		if prev, ok := literalString(before[len(before)-1]); ok && !strings.Contains(prev, "=") {
			flag = prev // "--token", "glp4t-..."
		}
	}
	switch {
	case !credentialFlag(flag) || !joined && strings.HasPrefix(value, "-"): // "--token", "--verbose"
		return nil, false
	case !joined && credscan.PasswordSwitch(literalWords(before), strings.TrimLeft(flag, "-")): // "psql", "--password", "mydb1"
		return nil, false
	case !credscan.LiteralArgument(value):
		return nil, true
	}
	name := credentialFlagName(flag)
	return diag.Errorf("literal-credential", rng(file, x.Range()), "Credential written as a literal",
		"The flag %q is given a literal value, which would be committed and copied into the generated pipelines. Credentials must never be committed: declare a secret block, such as secret \"%s\" { vault = \"path/in/vault#key\" }, and give it to the step through a runner parameter of type secret (%s = secret.%s) rather than on its command line.",
		flag, name, name, name), true
}

// literalWords are the literal strings among a list's elements.
func literalWords(list []hclsyntax.Expression) []string {
	var words []string
	for _, x := range list {
		if w, ok := literalString(x); ok {
			words = append(words, w)
		}
	}
	return words
}

// credentialFlag reports whether a command-line flag (-x, --x) is named for
// a credential.
func credentialFlag(flag string) bool {
	return strings.HasPrefix(flag, "-") && !strings.ContainsAny(flag, " \t") && credscan.NamesCredential(strings.TrimLeft(flag, "-"))
}

// credentialFlagName is a flag's name without its dashes, with - read as
// _: --api-key is api_key.
func credentialFlagName(flag string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimLeft(flag, "-"), "-", "_"))
}

// variableRef matches a value that is only a variable's name, $NAME or
// ${NAME}: the CI system or the orchestrator fills it in.
var variableRef = regexp.MustCompile(`^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$`)

// locatesCredential matches the entry names that say where a credential
// is though their last word is a credential's: GOOGLE_APPLICATION_CREDENTIALS
// is a file's path. Other such names end in a word that says so (_PATH,
// _URL, _FILE), which credentialName reads.
var locatesCredential = regexp.MustCompile(`(?i)^GOOGLE_APPLICATION_CREDENTIALS$`)

// literalString returns the value of a string literal or a template with no
// interpolations; anything else is not a literal credential.
func literalString(e hclsyntax.Expression) (string, bool) {
	// The common forms, read without evaluating them.
	if t, ok := e.(*hclsyntax.TemplateExpr); ok && len(t.Parts) == 1 {
		e = t.Parts[0]
	}
	if lit, ok := e.(*hclsyntax.LiteralValueExpr); ok {
		return plainString(lit.Val)
	}
	switch e.(type) {
	case *hclsyntax.TemplateExpr, *hclsyntax.TemplateWrapExpr:
	default:
		return "", false
	}
	if len(e.Variables()) > 0 {
		return "", false
	}
	v, hds := e.Value(nil)
	if hds.HasErrors() || v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}
