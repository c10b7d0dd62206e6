package compiler

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/lang/ast"
	"github.com/zclconf/go-cty/cty"
)

// fractionalSeconds finds the fractional seconds of a time as text:
// "08:30:00.5", "2024-01-31 08:30:00.123 +01:00", "2024-01-31T08:30:00.5Z".
var fractionalSeconds = regexp.MustCompile(`\d:[0-5]\d\.(\d+)`)

// acceptedValuesPrecise reports, at each value, the values of an
// accepted_values list on a time or timestamp column that hold more
// digits of fractional seconds than the column: "08:30:00.5" in a
// time(0) column, which holds whole seconds. No row has such a value, so
// the test would not check what its list says. It is an error like a
// value Snowflake cannot convert (acceptedValuesOfType): the value is not
// of the column's type, for certain.
func (c *compiler) acceptedValuesPrecise(list cty.Value, col *plan.Column, v ast.Value) bool {
	if !col.Type.HasFraction() {
		return true
	}
	precise := true
	for it := list.ElementIterator(); it.Next(); {
		i, e := it.Element()
		s, _ := listItemText(e)
		m := fractionalSeconds.FindStringSubmatchIndex(s)
		if m == nil {
			continue
		}
		digits := len(strings.TrimRight(s[m[2]:m[3]], "0")) // 08:30:00.50 is 08:30:00.5
		if digits <= int(col.Type.Precision) {
			continue
		}
		precise = false
		cut := s[:m[2]+int(col.Type.Precision)] + s[m[3]:]
		if col.Type.Precision == 0 {
			cut = s[:m[2]-1] + s[m[3]:] // without the point
		}
		widen := ""
		if digits <= plan.MaxTimePrecision {
			widen = fmt.Sprintf(", or declare the column %s(%d)", col.Type.Name, digits)
		}
		unit := "digits"
		if digits == 1 {
			unit = "digit"
		}
		c.errorf("incompatible-type", elemRange(v, i), "Value not of the column's type",
			"accepted_values compares the column %s (%s) with each value, but %s has %d %s of fractional seconds, and the column holds %d: no row has that value, so the test would not check what the list says. List it as the column holds it, %s%s.",
			col.Name, col.Type, strconv.Quote(s), digits, unit, col.Type.Precision, strconv.Quote(cut), widen)
	}
	return precise
}
