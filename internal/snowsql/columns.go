package snowsql

import (
	"strings"
)

// A Name is an unquoted name in SQL text: upper-cased, as Snowflake
// resolves it, with where it is written.
type Name struct {
	Name       string
	Start, End int
}

// ColumnNames returns the names in a SQL expression over one table that
// Snowflake can only read as that table's columns, in order: the
// unquoted names that are not a function's (a name before "("), a
// keyword's, a date or time part's in a call (DATEADD(day, ...)), a qualified
// name's part (t.c, v:path.field), a cast's type (x::number, CAST(x AS
// DATE)), a typed literal's (DATE '2024-01-31'), a named argument's
// (input => x) or a lambda's parameter (x -> x > 0).
//
// ok is false when the expression holds what it cannot read names in
// without guessing: a subquery, whose names are another table's; braces,
// which a template or an object constant may hold; and characters beyond
// ASCII, which no unquoted name holds. A caller then checks nothing.
func ColumnNames(expr string) (names []Name, ok bool) {
	toks, ok := tokens(expr)
	if !ok {
		return nil, false
	}
	lambda := map[string]bool{}
	for i, t := range toks {
		if t.text == "->" {
			for _, p := range lambdaParams(toks[:i]) {
				lambda[p] = true
			}
		}
	}
	var calls []bool // for each parenthesis open, whether it is a call's
	for i, t := range toks {
		prev, next := token{}, token{}
		if i > 0 {
			prev = toks[i-1]
		}
		if i+1 < len(toks) {
			next = toks[i+1]
		}
		switch {
		case t.text == "(":
			calls = append(calls, prev.kind == wordToken && !expressionKeywords[prev.text])
		case t.text == ")" && len(calls) > 0:
			calls = calls[:len(calls)-1]
		}
		if t.kind != wordToken {
			continue
		}
		// A date part is written in a call, DATEADD(day, ...), or after
		// an interval's text, INTERVAL '2' DAY TO HOUR: elsewhere, d or
		// s is a column's name.
		datePart := dateParts[t.text] && (len(calls) > 0 && calls[len(calls)-1] || prev.kind == stringToken || prev.text == "TO")
		switch {
		case t.text == "SELECT":
			return nil, false // a subquery
		case expressionKeywords[t.text], datePart, lambda[t.text],
			strings.HasPrefix(t.text, "CURRENT_"), // CURRENT_DATE and kin, written without ()
			next.text == "(", next.text == ".", next.text == "=>", next.kind == stringToken,
			prev.text == ".", prev.text == ":", prev.text == "::", prev.text == "AS" && prev.kind == wordToken:
			continue
		}
		names = append(names, Name{Name: t.text, Start: t.start, End: t.end})
	}
	return names, true
}

// lambdaParams returns the parameters of the lambda whose arrow follows
// toks: x in x -> ..., x and y in (x, y) -> ... and (x INT, y INT) -> ....
func lambdaParams(toks []token) []string {
	if len(toks) == 0 {
		return nil
	}
	last := toks[len(toks)-1]
	if last.kind == wordToken {
		return []string{last.text}
	}
	if last.text != ")" {
		return nil
	}
	var params []string
	for i := len(toks) - 2; i >= 0 && toks[i].text != "("; i-- {
		if toks[i].kind == wordToken {
			params = append(params, toks[i].text) // and type names, which are not columns either
		}
	}
	return params
}

type tokenKind uint8

const (
	punctToken  tokenKind = iota // an operator or punctuation: ( ) , . : :: => -> and others
	wordToken                    // an unquoted name, upper-cased
	otherToken                   // a number, a $variable, a quoted identifier
	stringToken                  // a quoted or $$ string
)

type token struct {
	kind       tokenKind
	text       string
	start, end int
}

// tokens splits a SQL expression into tokens, leaving out white space and
// comments; ok is false for text ColumnNames does not read.
func tokens(sql string) (toks []token, ok bool) {
	for i := 0; i < len(sql); {
		c := sql[i]
		switch end, what := skipQuoted(sql, i); {
		case end > i && what == "a comment":
			i = end
			continue
		case end > i:
			kind := stringToken
			if what == "a quoted identifier" {
				kind = otherToken
			}
			toks = append(toks, token{kind, sql[i:end], i, end})
			i = end
			continue
		}
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c >= 0x80 || c == '{' || c == '}':
			return nil, false
		case identByte(c):
			start := i
			for i < len(sql) && identByte(sql[i]) {
				i++
			}
			kind := wordToken
			if c == '$' || '0' <= c && c <= '9' {
				kind = otherToken // $1, $variable, 42, 1E5
			}
			toks = append(toks, token{kind, strings.ToUpper(sql[start:i]), start, i})
		default:
			n := 1
			if i+1 < len(sql) {
				switch sql[i : i+2] {
				case "::", "=>", "->":
					n = 2
				}
			}
			toks = append(toks, token{punctToken, sql[i : i+n], i, i + n})
			i += n
		}
	}
	return toks, true
}

// expressionKeywords are the words of Snowflake's expressions that are
// not names: operators, literals, and the words of CASE, CAST, window
// frames and their kin. A misspelt column that is one of them is missed.
var expressionKeywords = wordSet(`AND OR NOT IS NULL TRUE FALSE IN BETWEEN LIKE ILIKE RLIKE REGEXP
	ESCAPE ANY ALL SOME EXISTS DISTINCT FROM CASE WHEN THEN ELSE END AS INTERVAL DATE TIME TIMESTAMP
	WITH WITHOUT LOCAL ZONE TO OVER PARTITION BY ORDER ASC DESC NULLS FIRST LAST ROWS RANGE UNBOUNDED
	PRECEDING FOLLOWING CURRENT ROW WITHIN GROUP IGNORE RESPECT COLLATE FOR LEADING TRAILING BOTH
	PRECISION VARYING LOCALTIME LOCALTIMESTAMP`)

// dateParts are Snowflake's date and time parts and their abbreviations,
// which functions such as DATEADD, DATEDIFF, DATE_TRUNC and EXTRACT take
// unquoted
// (https://docs.snowflake.com/en/sql-reference/functions-date-time#label-supported-date-time-parts).
var dateParts = wordSet(`YEAR Y YY YYY YYYY YR YEARS YRS MONTH MM MON MONS MONTHS DAY D DD DAYS
	DAYOFMONTH DAYOFWEEK WEEKDAY DOW DW DAYOFWEEKISO WEEKDAY_ISO DOW_ISO DW_ISO DAYOFYEAR YEARDAY
	DOY DY WEEK W WK WEEKOFYEAR WOY WY WEEKISO WEEK_ISO WEEKOFYEARISO WEEKOFYEAR_ISO QUARTER Q QTR
	QTRS QUARTERS YEAROFWEEK YEAROFWEEKISO HOUR H HH HR HOURS HRS MINUTE M MI MIN MINUTES MINS
	SECOND S SEC SECONDS SECS MILLISECOND MS MSEC MILLISECONDS MICROSECOND US USEC MICROSECONDS
	NANOSECOND NS NSEC NANOSEC NSECOND NANOSECONDS NANOSECS NSECONDS EPOCH_SECOND EPOCH
	EPOCH_SECONDS EPOCH_MILLISECOND EPOCH_MILLISECONDS EPOCH_MICROSECOND EPOCH_MICROSECONDS
	EPOCH_NANOSECOND EPOCH_NANOSECONDS TIMEZONE_HOUR TZH TIMEZONE_MINUTE TZM`)

func wordSet(words string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(words) {
		set[w] = true
	}
	return set
}
