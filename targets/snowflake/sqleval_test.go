package snowflake_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A tiny evaluator of the SQL expressions and queries that the blocks
// dropping retired graphs write, so that the deploy model runs their SQL
// rather than a Go copy of it: a mistake in a filter, a column's case or
// a name's quoting then fails the tests. It knows only what those blocks
// use, as Snowflake documents it:
//
//   - string literals ('' and \ escapes, \xhh), "quoted" identifiers,
//     unquoted identifiers (upper-cased, as Snowflake stores them),
//     record.field, and :variables;
//   - ||, =, <>, [NOT] IN (list), NOT, AND, OR, with NULL as SQL has it
//     (SHOW TASKS gives a task without a comment a NULL one);
//   - LOWER, REPLACE (its replacement '' when left out), STARTSWITH and
//     ENDSWITH;
//   - SELECT items [AS alias] FROM TABLE(RESULT_SCAN(:v)) or FROM
//     (SELECT ...), WHERE, ORDER BY names.
//
// Anything else is an error, so that SQL the model does not know is not
// taken for SQL it does.

// sqlValue is a string, a boolean or NULL.
type sqlValue struct {
	null   bool
	isBool bool
	s      string
	b      bool
}

var sqlNull = sqlValue{null: true}

func sqlString(s string) sqlValue { return sqlValue{s: s} }
func sqlBool(b bool) sqlValue     { return sqlValue{isBool: true, b: b} }

// sqlRow maps a column's name, as Snowflake stores it, to its value.
type sqlRow map[string]sqlValue

type sqlToken struct {
	kind string // "str", "qid" (quoted identifier), "id", "var", "sym"
	text string
}

func sqlTokens(src string) ([]sqlToken, error) {
	var out []sqlToken
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\n' || c == '\t':
			i++
		case c == '\'':
			var b strings.Builder
			for i++; ; i++ {
				if i >= len(src) {
					return nil, fmt.Errorf("unterminated string")
				}
				if src[i] == '\'' {
					if i+1 < len(src) && src[i+1] == '\'' {
						b.WriteByte('\'')
						i++
						continue
					}
					i++
					break
				}
				if src[i] == '\\' && i+1 < len(src) {
					i++
					if src[i] == 'x' && i+2 < len(src) {
						n, err := strconv.ParseUint(src[i+1:i+3], 16, 8)
						if err != nil {
							return nil, err
						}
						b.WriteByte(byte(n))
						i += 2
						continue
					}
				}
				b.WriteByte(src[i])
			}
			out = append(out, sqlToken{"str", b.String()})
		case c == '"':
			end := i + 1
			var b strings.Builder
			for ; ; end++ {
				if end >= len(src) {
					return nil, fmt.Errorf("unterminated identifier")
				}
				if src[end] == '"' {
					if end+1 < len(src) && src[end+1] == '"' {
						b.WriteByte('"')
						end++
						continue
					}
					break
				}
				b.WriteByte(src[end])
			}
			out = append(out, sqlToken{"qid", b.String()})
			i = end + 1
		case c == ':' || isIdentStart(c):
			start := i
			if c == ':' {
				i++
			}
			for i < len(src) && (isIdentStart(src[i]) || src[i] >= '0' && src[i] <= '9' || src[i] == '$' || src[i] == '.') {
				i++
			}
			kind, text := "id", strings.ToUpper(src[start:i])
			if c == ':' {
				kind, text = "var", text[1:]
			}
			out = append(out, sqlToken{kind, text})
		case strings.HasPrefix(src[i:], "||"), strings.HasPrefix(src[i:], "<>"):
			out = append(out, sqlToken{"sym", src[i : i+2]})
			i += 2
		case strings.ContainsRune("(),=", rune(c)):
			out = append(out, sqlToken{"sym", string(c)})
			i++
		default:
			return nil, fmt.Errorf("unexpected %q", src[i:])
		}
	}
	return out, nil
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// sqlExpr evaluates to a value in a row, with variables.
type sqlExpr func(row sqlRow, vars map[string]sqlValue) (sqlValue, error)

type sqlParser struct {
	toks []sqlToken
	pos  int
}

func (p *sqlParser) peek(text string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].kind != "str" && p.toks[p.pos].kind != "qid" && p.toks[p.pos].text == text
}

func (p *sqlParser) accept(text string) bool {
	if p.peek(text) {
		p.pos++
		return true
	}
	return false
}

func (p *sqlParser) expect(text string) error {
	if !p.accept(text) {
		return fmt.Errorf("expected %s at token %d of %v", text, p.pos, p.toks)
	}
	return nil
}

func (p *sqlParser) or() (sqlExpr, error) {
	return p.binary(p.and, "OR", func(x, y sqlValue) sqlValue {
		switch {
		case x.isBool && x.b || y.isBool && y.b:
			return sqlBool(true)
		case x.null || y.null:
			return sqlNull
		}
		return sqlBool(false)
	})
}

func (p *sqlParser) and() (sqlExpr, error) {
	return p.binary(p.not, "AND", func(x, y sqlValue) sqlValue {
		switch {
		case x.isBool && !x.b || y.isBool && !y.b:
			return sqlBool(false)
		case x.null || y.null:
			return sqlNull
		}
		return sqlBool(true)
	})
}

// binary parses operands joined by op, left to right.
func (p *sqlParser) binary(operand func() (sqlExpr, error), op string, apply func(x, y sqlValue) sqlValue) (sqlExpr, error) {
	left, err := operand()
	for err == nil && p.accept(op) {
		var right sqlExpr
		if right, err = operand(); err == nil {
			l := left
			left = func(row sqlRow, vars map[string]sqlValue) (sqlValue, error) {
				x, err := l(row, vars)
				if err != nil {
					return x, err
				}
				y, err := right(row, vars)
				return apply(x, y), err
			}
		}
	}
	return left, err
}

func (p *sqlParser) not() (sqlExpr, error) {
	if !p.accept("NOT") {
		return p.comparison()
	}
	e, err := p.not()
	return func(row sqlRow, vars map[string]sqlValue) (sqlValue, error) {
		v, err := e(row, vars)
		if v.null || err != nil {
			return v, err
		}
		return sqlBool(!v.b), nil
	}, err
}

func (p *sqlParser) comparison() (sqlExpr, error) {
	left, err := p.concat()
	if err != nil {
		return nil, err
	}
	switch {
	case p.peek("=") || p.peek("<>"):
		equal := p.toks[p.pos].text == "="
		p.pos++
		right, err := p.concat()
		return func(row sqlRow, vars map[string]sqlValue) (sqlValue, error) {
			x, err := left(row, vars)
			if err != nil {
				return x, err
			}
			y, err := right(row, vars)
			if x.null || y.null || err != nil {
				return sqlNull, err
			}
			return sqlBool((x.s == y.s) == equal), nil
		}, err
	case p.peek("IN") || p.peek("NOT"):
		negated := p.accept("NOT")
		if err := p.expect("IN"); err != nil {
			return nil, err
		}
		list, err := p.list()
		return func(row sqlRow, vars map[string]sqlValue) (sqlValue, error) {
			x, err := left(row, vars)
			if x.null || err != nil {
				return sqlNull, err
			}
			found := false
			for _, e := range list {
				y, err := e(row, vars)
				if err != nil {
					return y, err
				}
				found = found || !y.null && y.s == x.s
			}
			return sqlBool(found != negated), nil
		}, err
	}
	return left, nil
}

func (p *sqlParser) concat() (sqlExpr, error) {
	return p.binary(p.primary, "||", func(x, y sqlValue) sqlValue {
		if x.null || y.null {
			return sqlNull
		}
		return sqlString(x.s + y.s)
	})
}

// list parses ( expr, ... ).
func (p *sqlParser) list() ([]sqlExpr, error) {
	if err := p.expect("("); err != nil {
		return nil, err
	}
	var out []sqlExpr
	for {
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		if !p.accept(",") {
			return out, p.expect(")")
		}
	}
}

// sqlFunctions are the functions the blocks call, on strings.
var sqlFunctions = map[string]func(args []string) (sqlValue, error){
	"LOWER": func(a []string) (sqlValue, error) {
		if len(a) != 1 {
			return sqlNull, fmt.Errorf("LOWER takes 1 argument")
		}
		return sqlString(strings.ToLower(a[0])), nil
	},
	"REPLACE": func(a []string) (sqlValue, error) {
		if len(a) == 2 {
			a = append(a, "")
		}
		if len(a) != 3 {
			return sqlNull, fmt.Errorf("REPLACE takes 2 or 3 arguments")
		}
		return sqlString(strings.ReplaceAll(a[0], a[1], a[2])), nil
	},
	"STARTSWITH": func(a []string) (sqlValue, error) {
		if len(a) != 2 {
			return sqlNull, fmt.Errorf("STARTSWITH takes 2 arguments")
		}
		return sqlBool(strings.HasPrefix(a[0], a[1])), nil
	},
	"ENDSWITH": func(a []string) (sqlValue, error) {
		if len(a) != 2 {
			return sqlNull, fmt.Errorf("ENDSWITH takes 2 arguments")
		}
		return sqlBool(strings.HasSuffix(a[0], a[1])), nil
	},
}

func (p *sqlParser) primary() (sqlExpr, error) {
	if p.pos >= len(p.toks) {
		return nil, fmt.Errorf("expression expected at the end")
	}
	t := p.toks[p.pos]
	p.pos++
	switch {
	case t.kind == "str":
		return func(sqlRow, map[string]sqlValue) (sqlValue, error) { return sqlString(t.text), nil }, nil
	case t.kind == "var":
		return func(_ sqlRow, vars map[string]sqlValue) (sqlValue, error) {
			v, ok := vars[t.text]
			if !ok {
				return v, fmt.Errorf("variable %s is not set", t.text)
			}
			return v, nil
		}, nil
	case t.kind == "sym" && t.text == "(":
		e, err := p.or()
		if err == nil {
			err = p.expect(")")
		}
		return e, err
	case t.kind == "id" && p.peek("("):
		f := sqlFunctions[t.text]
		if f == nil {
			return nil, fmt.Errorf("function %s is not modelled", t.text)
		}
		args, err := p.list()
		return func(row sqlRow, vars map[string]sqlValue) (sqlValue, error) {
			var strs []string
			for _, a := range args {
				v, err := a(row, vars)
				if err != nil || v.null {
					return sqlNull, err
				}
				if v.isBool {
					return sqlNull, fmt.Errorf("%s of a boolean", t.text)
				}
				strs = append(strs, v.s)
			}
			return f(strs)
		}, err
	case t.kind == "id" || t.kind == "qid":
		// A column of the row, or a record's field (a variable).
		return func(row sqlRow, vars map[string]sqlValue) (sqlValue, error) {
			if v, ok := row[t.text]; ok {
				return v, nil
			}
			if v, ok := vars[t.text]; ok && t.kind == "id" {
				return v, nil
			}
			return sqlNull, fmt.Errorf("invalid identifier %s", t.text)
		}, nil
	}
	return nil, fmt.Errorf("unexpected %s", t.text)
}

// sqlEval evaluates an expression with variables (a record's fields are
// variables named RECORD.FIELD).
func sqlEval(src string, vars map[string]sqlValue) (sqlValue, error) {
	toks, err := sqlTokens(src)
	if err != nil {
		return sqlNull, err
	}
	p := &sqlParser{toks: toks}
	e, err := p.or()
	if err != nil {
		return sqlNull, err
	}
	if p.pos != len(toks) {
		return sqlNull, fmt.Errorf("unexpected %v after the expression", toks[p.pos:])
	}
	return e(nil, vars)
}

// sqlQuery runs a query on the result sets that the variables name
// (RESULT_SCAN(:v)), returning its rows in order.
func sqlQuery(src string, results map[string][]sqlRow, vars map[string]sqlValue) ([]sqlRow, error) {
	toks, err := sqlTokens(src)
	if err != nil {
		return nil, err
	}
	p := &sqlParser{toks: toks}
	rows, err := p.query(results, vars)
	if err == nil && p.pos != len(toks) {
		err = fmt.Errorf("unexpected %v after the query", toks[p.pos:])
	}
	return rows, err
}

func (p *sqlParser) query(results map[string][]sqlRow, vars map[string]sqlValue) ([]sqlRow, error) {
	if err := p.expect("SELECT"); err != nil {
		return nil, err
	}
	type item struct {
		name string
		e    sqlExpr
	}
	var items []item
	for {
		start := p.pos
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		name := ""
		if p.accept("AS") {
			if p.pos >= len(p.toks) || p.toks[p.pos].kind != "id" {
				return nil, fmt.Errorf("an alias expected")
			}
			name = p.toks[p.pos].text
			p.pos++
		} else if p.pos == start+1 && (p.toks[start].kind == "id" || p.toks[start].kind == "qid") {
			name = p.toks[start].text
		}
		items = append(items, item{name, e})
		if !p.accept(",") {
			break
		}
	}
	if err := p.expect("FROM"); err != nil {
		return nil, err
	}
	var from []sqlRow
	if p.accept("TABLE") {
		if err := p.expect("("); err != nil {
			return nil, err
		}
		if err := p.expect("RESULT_SCAN"); err != nil {
			return nil, err
		}
		if err := p.expect("("); err != nil {
			return nil, err
		}
		if p.pos >= len(p.toks) || p.toks[p.pos].kind != "var" {
			return nil, fmt.Errorf("RESULT_SCAN of a variable expected")
		}
		rs, ok := results[p.toks[p.pos].text]
		if !ok {
			return nil, fmt.Errorf("no result set %s", p.toks[p.pos].text)
		}
		p.pos++
		from = rs
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
	} else {
		if err := p.expect("("); err != nil {
			return nil, err
		}
		var err error
		if from, err = p.query(results, vars); err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
	}
	where := func(sqlRow, map[string]sqlValue) (sqlValue, error) { return sqlBool(true), nil }
	if p.accept("WHERE") {
		var err error
		if where, err = p.or(); err != nil {
			return nil, err
		}
	}
	var order []string
	if p.accept("ORDER") {
		if err := p.expect("BY"); err != nil {
			return nil, err
		}
		for {
			if p.pos >= len(p.toks) || p.toks[p.pos].kind != "id" {
				return nil, fmt.Errorf("a column expected in ORDER BY")
			}
			order = append(order, p.toks[p.pos].text)
			p.pos++
			if !p.accept(",") {
				break
			}
		}
	}
	var out []sqlRow
	for _, row := range from {
		keep, err := where(row, vars)
		if err != nil {
			return nil, err
		}
		if keep.null || !keep.b {
			continue
		}
		projected := sqlRow{}
		for _, it := range items {
			v, err := it.e(row, vars)
			if err != nil {
				return nil, err
			}
			projected[it.name] = v
		}
		out = append(out, projected)
	}
	for _, col := range order {
		for _, r := range out {
			if _, ok := r[col]; !ok {
				return nil, fmt.Errorf("ORDER BY %s: invalid identifier", col)
			}
		}
	}
	slices.SortStableFunc(out, func(x, y sqlRow) int {
		for _, col := range order {
			if c := strings.Compare(x[col].s, y[col].s); c != 0 {
				return c
			}
		}
		return 0
	})
	return out, nil
}
