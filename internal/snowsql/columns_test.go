package snowsql

import (
	"slices"
	"testing"
)

func TestColumnNames(t *testing.T) {
	for expr, want := range map[string][]string{
		"amount >= 0":                       {"AMOUNT"},
		"amout >= 0 AND Region IS NOT NULL": {"AMOUT", "REGION"},
		"npi RLIKE '[0-9]{10}' -- a comment naming nothing\n AND x /* y */ = 1":                         {"NPI", "X"},
		"loaded_at > DATEADD(day, -7, CURRENT_TIMESTAMP) AND d < CURRENT_DATE":                          {"LOADED_AT", "D"},
		"EXTRACT(YEAR FROM ts) > 2000 AND DATE_TRUNC(month, ts) = ts":                                   {"TS", "TS", "TS"},
		"CASE WHEN a BETWEEN 0 AND 10 THEN TRUE ELSE b::number(12, 0) IS NULL END":                      {"A", "B"},
		"TRY_CAST(npi AS NUMBER) IS NOT NULL AND CAST(x AS DOUBLE PRECISION) > 0":                       {"NPI", "X"},
		"payload:customer.id IS NOT NULL AND payload['a'] = 1":                                          {"PAYLOAD", "PAYLOAD"},
		"FILTER(tags, t -> t > 0) = tags AND TRANSFORM(xs, (a, b) -> a + b) = xs":                       {"TAGS", "TAGS", "XS", "XS"},
		"ts > TIMESTAMP '2020-01-01' AND ts < DATE '2030-01-01' + INTERVAL '1 day'":                     {"TS", "TS"},
		"P.amount >= 0 AND \"Amount\" IS NULL OR amount > $threshold + 1.5e3":                           {"AMOUNT"},
		"FLATTEN(input => v) IS NOT NULL AND s LIKE 'a%' ESCAPE '!'":                                    {"V", "S"},
		"x IS DISTINCT FROM y AND z NOT IN (1, 2) AND w = ANY (3, 4)":                                   {"X", "Y", "Z", "W"},
		"SUM(x) OVER (PARTITION BY r ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) > 0": {"X", "R", "TS"},
		"s = $$it's {here}$$": {"S"}, // s is a date part only in a call
		"d > DATEADD(d, 1, d) AND INTERVAL '2' DAY TO HOUR = i": {"D", "I"}, // a column d in a call is taken for a date part: missed
	} {
		names, ok := ColumnNames(expr)
		if !ok {
			t.Errorf("ColumnNames(%q) gave up", expr)
			continue
		}
		var got []string
		for _, n := range names {
			got = append(got, n.Name)
			if written := expr[n.Start:n.End]; !equalFoldASCII(written, n.Name) {
				t.Errorf("ColumnNames(%q): %s is at %d:%d, which holds %q", expr, n.Name, n.Start, n.End, written)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("ColumnNames(%q) = %q, want %q", expr, got, want)
		}
	}
}

// TestColumnNamesGivesUp checks the expressions ColumnNames does not read
// names in: their names may be another table's, or no names at all.
func TestColumnNamesGivesUp(t *testing.T) {
	for _, expr := range []string{
		"amount <= (SELECT MAX(limit_amount) FROM LIMITS)",
		"EXISTS (select 1 from other where other.id = id)",
		"OBJECT_CONSTRUCT('a', 1) = {'a': 1}",
		"amount > {{ threshold }}",
		"naïve = 1",
	} {
		if names, ok := ColumnNames(expr); ok {
			t.Errorf("ColumnNames(%q) = %v, want it to give up", expr, names)
		}
	}
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 'a' - 'A'
		}
		if 'a' <= y && y <= 'z' {
			y -= 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
