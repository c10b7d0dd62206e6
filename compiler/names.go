package compiler

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/meshc/meshc/internal/snowsql"
	"github.com/meshc/meshc/internal/suggest"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
)

// This file holds the naming rules and the diagnostics every stage shares:
// a bad name, a duplicate, a reference to nothing.

const maxNameLength = 64

// checkName enforces the naming rule for mesh objects: lower-case snake
// case, with single underscores between words, at most 64 characters.
// Names become job, task and DAG ids in every target, so they are kept to
// what every target accepts as is; and since no name holds "__", a target
// can join names with "__" and never make two objects one.
//
// A bad name is reported once; the object is still declared under it, so
// that its body is checked and references to it do not fail as well. It
// reports whether the name is valid.
func (c *compiler) checkName(kind, name string, at diag.Range) bool {
	if isSnakeCase(name) && len(name) <= maxNameLength {
		return true
	}
	fixed := strings.Trim(strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '_'
	}, name), "_")
	for strings.Contains(fixed, "__") {
		fixed = strings.ReplaceAll(fixed, "__", "_")
	}
	hint := ""
	if fixed != "" && fixed != name && isSnakeCase(fixed) {
		hint = fmt.Sprintf(" For example: %q.", fixed)
	}
	if len(name) > maxNameLength {
		c.errorf("invalid-name", at, fmt.Sprintf("Invalid %s name", kind), "The name is %d characters long; names have at most %d, %s.", len(name), maxNameLength, nameRuleReason(kind))
		return false
	}
	c.errorf("invalid-name", at, fmt.Sprintf("Invalid %s name", kind),
		"%s names are lower-case snake case: a letter, then letters and digits, with single underscores between words, %s.%s", capitalize(kind), nameRuleReason(kind), hint)
	return false
}

// nameRuleReason says why a kind's names follow the rule. Governance's
// names reach no target: they follow it as every name does, one rule.
func nameRuleReason(kind string) string {
	switch kind {
	case "policy":
		return "like every name in a mesh, though a policy's goes only into waivers (policy.NAME) and the policy report"
	case "policy set":
		return "like every name in a mesh, though a policy set's goes only into the mesh block's policy_sets and the policy report"
	case "waiver":
		return "like every name in a mesh, though a waiver's goes only into the policy report"
	}
	return "because they become ids in GitLab, Airflow and Snowflake"
}

// isSnakeCase reports whether s is a lower-case letter, then letters,
// digits and single underscores, ending with no underscore: the regular
// expression ^[a-z][a-z0-9]*(_[a-z0-9]+)*$ (TestIsSnakeCase), without one,
// since every object's name is checked and a large mesh has hundreds of
// thousands.
func isSnakeCase(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' || s[len(s)-1] == '_' {
		return false
	}
	for i := 1; i < len(s); i++ {
		switch ch := s[i]; {
		case 'a' <= ch && ch <= 'z', '0' <= ch && ch <= '9':
		case ch == '_' && s[i-1] != '_':
		default:
			return false
		}
	}
	return true
}

// checkColumnName enforces the rule for column names: Snowflake identifiers
// that need no quoting.
func (c *compiler) checkColumnName(name string, at diag.Range) bool {
	if snowsql.IsIdentifier(name) && len(name) <= 255 {
		return true
	}
	c.errorf("invalid-name", at, "Invalid column name",
		"%sColumn names are Snowflake identifiers that need no quotes: a letter or underscore, then letters, digits, underscores or $, at most 255 characters.", dollarsFault(name))
	return false
}

// describedAs renders a parameter's description after its name: ": the
// description", or nothing when it has none.
func describedAs(description string) string {
	if description = strings.TrimSuffix(strings.TrimSpace(description), "."); description == "" {
		return ""
	}
	return ": " + description
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// duplicate reports a second declaration of a name.
func (c *compiler) duplicate(kind, name string, at, first diag.Range) {
	c.duplicateOf(kind, name, at, first, false)
}

// duplicateOf is duplicate for objects the standard library may declare.
func (c *compiler) duplicateOf(kind, name string, at, first diag.Range, firstInStdlib bool) {
	if firstInStdlib {
		c.errorf("duplicate-name", at, fmt.Sprintf("Duplicate %s", kind),
			"The standard library already has a %s named %q (%s). Give yours a name of its own, such as %q.", kind, name, first, "acme_"+name)
		return
	}
	c.errorf("duplicate-name", at, fmt.Sprintf("Duplicate %s", kind),
		"%s %s named %q is already declared at %s. Names must be unique: rename or remove one of them.", diag.Article(kind, true), kind, name, first)
}

// unknown reports a name that resolves to nothing, naming the closest
// candidate. The candidates are the names of kind where.
func (c *compiler) unknown(kind, name, where string, at diag.Range, candidates []string) {
	c.unknownBut(kind, name, where, at, candidates, "")
}

// unknownBut is unknown for a reference from the candidate except, which
// is neither suggested nor listed: a product's input of itself would be a
// cycle.
func (c *compiler) unknownBut(kind, name, where string, at diag.Range, candidates []string, except string) {
	detail := fmt.Sprintf("There is no %s named %q %s.", kind, name, where)
	key := [4]string{kind, where, name, except}
	hint, done := c.meant[key]
	if !done {
		list := c.listOf(kind, where, candidates)
		if except != "" && list.Nearest(name) == except {
			// Rare, so the shared list's index is kept for the others.
			list = suggest.NewList(without(candidates, except))
		}
		hint = list.DidYouMean(name)
		if hint == "" && kind == "column" {
			hint = c.columnMeant(where, name, candidates)
		}
		if c.meant == nil {
			c.meant = map[[4]string]string{}
		}
		c.meant[key] = hint
	}
	switch {
	case len(candidates) == 0:
		detail = fmt.Sprintf("There is no %s named %q %s; none is declared there.", kind, name, where)
	case hint != "":
		detail += hint
	case len(candidates) <= 8 && except == "":
		detail += fmt.Sprintf(" The %s there are: %s.", plural(kind), strings.Join(candidates, ", "))
	case len(candidates) <= 8 && len(candidates) > 1:
		detail += fmt.Sprintf(" The other %s there are: %s.", plural(kind), strings.Join(without(candidates, except), ", "))
	}
	c.errorf("unresolved-reference", at, fmt.Sprintf("Reference to an undeclared %s", kind), "%s", detail)
}

// without returns names less the name except, leaving names as they are.
func without(names []string, except string) []string {
	return slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == except })
}

// columnMeant is the did-you-mean of a column name, with case left out
// as resolving columns leaves it: SPECIALTI is one edit from specialty.
func (c *compiler) columnMeant(where, name string, candidates []string) string {
	folded := make([]string, len(candidates))
	for i, cand := range candidates {
		folded[i] = foldASCII(cand)
	}
	nearest := c.listOf("column, case folded", where, folded).Nearest(foldASCII(name))
	if i := slices.Index(folded, nearest); nearest != "" && i >= 0 {
		return fmt.Sprintf(" Did you mean %q?", candidates[i])
	}
	return ""
}

// scopeLists are a compilation's lists of candidates for unknown, by its
// kind and where: a domain's products, a port's columns. A scope of
// thousands of names may have thousands misspelt, and each list
// (suggest.List) makes an index for them once. Each is the list unknown
// was first given for its kind and where; callers that make their list
// anew for each name give equal lists, answered by the first.
type scopeLists struct {
	sync.Mutex
	lists map[[2]string]scopeList
}

type scopeList struct {
	names []string
	list  *suggest.List
}

// listOf returns the suggest.List for the candidates of kind where.
func (c *compiler) listOf(kind, where string, candidates []string) *suggest.List {
	s := &c.suggestions
	key := [2]string{kind, where}
	s.Lock()
	l, ok := s.lists[key]
	if !ok {
		l = scopeList{candidates, suggest.NewList(candidates)}
		if s.lists == nil {
			s.lists = map[[2]string]scopeList{}
		}
		s.lists[key] = l
	}
	s.Unlock()
	if !sameNames(l.names, candidates) {
		return suggest.NewList(candidates) // a list of its own: looked through once
	}
	return l.list
}

// sameNames reports whether a and b list the same names, at once when
// they are the same slice, as the lists scopes keep are.
func sameNames(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	return len(a) == 0 || &a[0] == &b[0] || slices.Equal(a, b)
}

// objectPart checks one part of a Snowflake object name.
func (c *compiler) objectPart(what string, s ast.String) {
	if s.Set && (!snowsql.IsIdentifier(s.V) || len(s.V) > maxIdentifier) {
		c.errorf("invalid-name", s.Range, fmt.Sprintf("Invalid %s name", what),
			"%s%q is not a Snowflake identifier that needs no quotes: use letters, digits, underscores and $, starting with a letter or underscore, at most 255 characters.", dollarsFault(s.V), clipName(s.V))
	}
}

// identifierFault says what keeps s from being a Snowflake identifier
// that needs no quotes, as a clause such as `it holds a space`, or is ""
// when it is one.
func identifierFault(s string) string {
	switch {
	case s == "":
		return "it is empty"
	case len(s) > maxIdentifier:
		return fmt.Sprintf("it is %d characters long, and Snowflake's names have at most %d", len(s), maxIdentifier)
	case strings.Contains(s, "$$"):
		return "it holds $$, " + dollarsReason
	case snowsql.IsIdentifier(s):
		return ""
	case s[0] >= '0' && s[0] <= '9' || s[0] == '$':
		return fmt.Sprintf("it starts with %q, and a name starts with a letter or underscore", s[:1])
	}
	for _, r := range s {
		switch {
		case r == '_' || r == '$', 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		case r == ' ':
			return "it holds a space"
		default:
			return fmt.Sprintf("it holds %q, and a name holds only letters, digits, _ and $", r)
		}
	}
	return ""
}

// dollarsReason is why a name may not hold "$$" (see snowsql.IsIdentifier).
const dollarsReason = "which Snowflake's clients (SnowSQL, the Snowflake CLI, dbt, Airflow's Snowflake hook) take for the start of a $$ string even inside a name, so the rest of the script would be read as text"

// dollarsFault is the sentence that says why a name holding "$$" is
// refused, with the name it could have, or "" for any other name.
func dollarsFault(name string) string {
	if !strings.Contains(name, "$$") {
		return ""
	}
	return fmt.Sprintf("%q holds $$, %s: write a single $ or an underscore, such as %q. ", clipName(name), dollarsReason, clipName(strings.ReplaceAll(name, "$$", "_")))
}

// maxIdentifier is the longest identifier Snowflake allows.
const maxIdentifier = 255

// clipName shortens a name too long to read whole in a message.
func clipName(s string) string {
	if len(s) > 64 {
		return s[:60] + "..."
	}
	return s
}

// prefixedSchema is a schema meshc fills in, with the environment's
// schema prefix put before it, checked against Snowflake's limit: a
// schema of 253 characters is fine in prod and too long with DEV_. at is
// where the schema is written, or the domain that gives its name.
func (c *compiler) prefixedSchema(schema string, at diag.Range) string {
	env := c.plan.Environment
	full := env.SchemaPrefix + schema
	if len(full) > maxIdentifier && len(schema) <= maxIdentifier {
		c.errorf("invalid-name", at, "Schema name too long in this environment",
			"In environment %s, schema_prefix %q makes the schema %s, %d characters, and Snowflake allows identifiers of at most %d. Shorten the schema's name, or the prefix.",
			env.Name, env.SchemaPrefix, clipName(full), len(full), maxIdentifier)
	}
	return full
}

// plural names more than one of kind, for messages.
func plural(kind string) string {
	if strings.HasSuffix(kind, "y") && !strings.HasSuffix(kind, "ey") {
		return strings.TrimSuffix(kind, "y") + "ies"
	}
	return kind + "s"
}
