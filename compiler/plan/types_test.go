package plan

import (
	"testing"
	"time"

	_ "github.com/meshc/meshc/internal/golden" // defines -update for go test ./...
)

func TestAcceptedBy(t *testing.T) {
	str := func(n int32) Type { return Type{Name: "string", Length: n} }
	num := func(p, s int8) Type { return Type{Name: "number", Precision: p, Scale: s} }
	integer, float := Type{Name: "integer"}, Type{Name: "float"}
	ntz := func(p int8) Type { return Type{Name: "timestamp_ntz", Precision: p} }
	for _, tc := range []struct {
		have, want Type
		ok         bool
	}{
		{str(10), str(20), true},
		{str(10), str(0), true}, // no length: Snowflake's default, 16777216
		{str(0), str(20), false},
		{str(30), str(20), false},
		{str(0), str(16777216), true}, // both VARCHAR(16777216)
		{str(0), str(134217728), true},
		{str(0), str(16777215), false},
		{str(16777216), str(0), true},
		{str(16777217), str(0), false}, // longer than the default
		{str(134217728), str(134217728), true},
		{num(10, 2), num(38, 4), true},
		{num(38, 4), num(10, 2), false},
		{num(10, 0), integer, true},
		{integer, num(10, 0), false},
		{integer, float, true},
		{float, integer, false},
		{str(10), integer, false},
		{Type{Name: "timestamp_ntz"}, Type{Name: "timestamp_tz"}, false},
		{Type{Name: "date"}, Type{Name: "date"}, true},
		{ntz(3), ntz(9), true},
		{ntz(9), ntz(3), false}, // would lose digits of a second
		{ntz(0), ntz(0), true},
		{Type{Name: "time", Precision: 6}, Type{Name: "time", Precision: 3}, false},
		{Type{Name: "time", Precision: 3}, ntz(9), false},
	} {
		if got := tc.have.AcceptedBy(tc.want); got != tc.ok {
			t.Errorf("%s.AcceptedBy(%s) = %v, want %v", tc.have, tc.want, got, tc.ok)
		}
	}
}

// TestEqual checks which types are one Snowflake type, and that equal
// types accept each other, as meshc diff and typed inputs must agree.
func TestEqual(t *testing.T) {
	str := func(n int32) Type { return Type{Name: "string", Length: n} }
	bin := func(n int32) Type { return Type{Name: "binary", Length: n} }
	num := func(p, s int8) Type { return Type{Name: "number", Precision: p, Scale: s} }
	ntz := func(p int8) Type { return Type{Name: "timestamp_ntz", Precision: p} }
	integer := Type{Name: "integer"}
	for _, tc := range []struct {
		a, b  Type
		equal bool
	}{
		{str(0), str(16777216), true}, // both VARCHAR(16777216)
		{str(0), str(16777215), false},
		{str(0), str(134217728), false},
		{str(10), str(10), true},
		{integer, num(38, 0), true}, // both NUMBER(38,0)
		{integer, num(18, 0), false},
		{num(38, 0), num(38, 2), false},
		{ntz(9), ntz(9), true}, // timestamp_ntz is timestamp_ntz(9) once declared
		{ntz(9), ntz(3), false},
		{ntz(9), Type{Name: "timestamp_ltz", Precision: 9}, false},
		{bin(0), bin(0), true},
		{bin(0), bin(67108864), false},
		{Type{Name: "float"}, num(38, 0), false},
	} {
		if got := tc.a.Equal(tc.b); got != tc.equal {
			t.Errorf("%s.Equal(%s) = %v, want %v", tc.a, tc.b, got, tc.equal)
		}
		if got := tc.b.Equal(tc.a); got != tc.equal {
			t.Errorf("%s.Equal(%s) = %v, want %v", tc.b, tc.a, got, tc.equal)
		}
		if tc.equal && !(tc.a.AcceptedBy(tc.b) && tc.b.AcceptedBy(tc.a)) {
			t.Errorf("%s and %s are equal but do not accept each other", tc.a, tc.b)
		}
	}
}

func TestComparableWith(t *testing.T) {
	typ := func(name string) Type { return Type{Name: name} }
	for _, tc := range []struct {
		a, b Type
		ok   bool
	}{
		{Type{Name: "string", Length: 10}, typ("string"), true},
		{typ("integer"), Type{Name: "number", Precision: 12, Scale: 2}, true},
		{typ("float"), typ("integer"), true},
		{typ("date"), typ("timestamp_ntz"), true},
		{typ("timestamp_ltz"), typ("timestamp_tz"), true},
		{typ("timestamp_ntz"), typ("date"), true},
		{typ("time"), typ("timestamp_ntz"), false}, // a time has no date
		{typ("date"), typ("time"), false},
		{typ("string"), typ("integer"), false},
		{typ("boolean"), typ("date"), false},
		{typ("variant"), typ("object"), false},
	} {
		if got := tc.a.ComparableWith(tc.b); got != tc.ok {
			t.Errorf("%s.ComparableWith(%s) = %v, want %v", tc.a, tc.b, got, tc.ok)
		}
		if got := tc.b.ComparableWith(tc.a); got != tc.ok {
			t.Errorf("%s.ComparableWith(%s) = %v, want %v", tc.b, tc.a, got, tc.ok)
		}
	}
}

func TestTypeString(t *testing.T) {
	for typ, want := range map[Type]string{
		{Name: "string"}: "string",
		{Name: "number", Precision: 38, Scale: 0}: "number(38, 0)",
		{Name: "timestamp_ntz", Precision: 9}:     "timestamp_ntz", // Snowflake's default, as most write it
		{Name: "timestamp_tz", Precision: 3}:      "timestamp_tz(3)",
		{Name: "time", Precision: 0}:              "time(0)",
	} {
		if got := typ.String(); got != want {
			t.Errorf("%#v.String() = %s, want %s", typ, got, want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{7 * 24 * time.Hour: "7d", 36 * time.Hour: "36h", 90 * time.Minute: "90m", 0: "0d"} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
