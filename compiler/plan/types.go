package plan

import "fmt"

// Type is a column type from meshc's closed set, each of which maps onto one
// Snowflake data type.
type Type struct {
	Name string // string, number, integer, float, boolean, date, time, timestamp_ntz, timestamp_ltz, timestamp_tz, variant, object, array, binary
	// Length, Precision and Scale are no wider than Snowflake's limits
	// need (134,217,728 and 38), so that a Column takes 112 bytes rather
	// than 128: a large mesh holds millions.
	Length int32 // string and binary; 0 means none given: Snowflake's default (DefaultStringLength for a string)
	// Precision is a number's digits, or the digits of a time's or
	// timestamp's fractional seconds: MaxTimePrecision when none is
	// given, as in Snowflake.
	Precision int8
	Scale     int8 // number
}

// String renders the type as written in the mesh language.
func (t Type) String() string {
	switch {
	case (t.Name == "string" || t.Name == "binary") && t.Length > 0:
		return fmt.Sprintf("%s(%d)", t.Name, t.Length)
	case t.Name == "number":
		return fmt.Sprintf("number(%d, %d)", t.Precision, t.Scale)
	case t.HasFraction() && t.Precision != MaxTimePrecision:
		// Snowflake's default is left out, so that timestamp_ntz and
		// timestamp_ntz(9), one type, read the same: in the manifest, to
		// policies, and to meshc diff, which compares them so.
		return fmt.Sprintf("%s(%d)", t.Name, t.Precision)
	}
	return t.Name
}

// Snowflake's limits on column types
// (https://docs.snowflake.com/en/sql-reference/data-types-text,
// https://docs.snowflake.com/en/sql-reference/data-types-numeric).
const (
	MaxStringLength = 134217728 // VARCHAR(n)
	MaxBinaryLength = 67108864  // BINARY(n)
	// DefaultStringLength is the length of a VARCHAR declared without
	// one, which is less than the longest a VARCHAR can be.
	DefaultStringLength = 16777216
	MaxPrecision        = 38
	MaxScale            = 37
	// MaxTimePrecision is the most digits of a TIME's or TIMESTAMP's
	// fractional seconds, nanoseconds, and the precision of one declared
	// without (https://docs.snowflake.com/en/sql-reference/data-types-datetime).
	MaxTimePrecision = 9
)

// Equal reports whether two types are one Snowflake type, however they
// are written: a string without a length and string(16777216) are both
// VARCHAR(16777216), and integer and number(38, 0) both NUMBER(38,0). A
// time or timestamp without a precision holds Snowflake's default, 9,
// already. meshc diff reports no change between equal types, and each
// accepts the other (AcceptedBy), as both compare their normal forms.
func (t Type) Equal(u Type) bool { return t.normal() == u.normal() }

// AcceptedBy reports whether a consumer expecting type want can read a
// column of type t without losing data: the same kind of value, at most as
// long or as precise. Integers are numbers with scale 0; a float accepts
// any number. A string without a length is as long as Snowflake's
// default, so string(16777216) and longer accept it, and it does not
// accept a longer one. A time or timestamp accepts one of the same kind
// with at most as many digits of fractional seconds.
func (t Type) AcceptedBy(want Type) bool {
	have := t.normal()
	want = want.normal()
	switch {
	case want.Name == "float":
		return have.Name == "float" || have.Name == "number"
	case have.Name != want.Name:
		return false
	case have.Name == "string":
		return have.Length <= want.Length
	case have.Name == "binary":
		return want.Length == 0 || (have.Length > 0 && have.Length <= want.Length)
	case have.Name == "number":
		return have.Precision-have.Scale <= want.Precision-want.Scale && have.Scale <= want.Scale
	case have.HasFraction():
		return have.Precision <= want.Precision
	}
	return true
}

// HasFraction reports whether the type holds fractional seconds, to a
// precision: a time or a timestamp.
func (t Type) HasFraction() bool {
	switch t.Name {
	case "time", "timestamp_ntz", "timestamp_ltz", "timestamp_tz":
		return true
	}
	return false
}

// ComparableWith reports whether values of the two types can be compared
// for equality: the same kind of value, whatever the length or precision.
// Numbers compare with numbers; dates and timestamps with each other, as
// Snowflake casts a DATE to the timestamp it is compared with, and one
// kind of timestamp to the other
// (https://docs.snowflake.com/en/sql-reference/data-type-conversion).
// A time is no timestamp: it has no date.
func (t Type) ComparableWith(u Type) bool {
	return t.Name == u.Name || (t.kind() != "" && t.kind() == u.kind())
}

// kind groups the types whose values Snowflake compares with each other.
func (t Type) kind() string {
	switch t.Name {
	case "number", "integer", "float":
		return "numeric"
	case "date", "timestamp_ntz", "timestamp_ltz", "timestamp_tz":
		return "datetime"
	}
	return ""
}

// normal is the type with Snowflake's defaults spelt out, so that types
// equal to Snowflake are equal values: integer is number(38, 0), and a
// string without a length has the default length.
func (t Type) normal() Type {
	switch {
	case t.Name == "integer":
		return Type{Name: "number", Precision: MaxPrecision, Scale: 0}
	case t.Name == "string" && t.Length == 0:
		t.Length = DefaultStringLength
	}
	return t
}
