package snowsql

import "testing"

func TestFirstWord(t *testing.T) {
	for sql, want := range map[string]string{
		"select 1":                            "SELECT",
		"  \n\tWITH a AS (SELECT 1) SELECT *": "WITH",
		"((select 1))":                        "SELECT",
		"-- a comment\nDELETE FROM t":         "DELETE",
		"// a comment\ntruncate table t":      "TRUNCATE",
		"/* a\n comment */ /**/update t set":  "UPDATE",
		"/* unclosed":                         "",
		"'text'":                              "",
		"":                                    "",
		"   ":                                 "",
		"insert_rows":                         "INSERT_ROWS",
		"merge into t":                        "MERGE",
		"-- only a comment":                   "",
	} {
		if got := FirstWord(sql); got != want {
			t.Errorf("FirstWord(%q) = %q, want %q", sql, got, want)
		}
		if got := FirstWord([]byte(sql)); got != want {
			t.Errorf("FirstWord([]byte(%q)) = %q, want %q", sql, got, want)
		}
	}
}

func TestUnrunnable(t *testing.T) {
	for sql, runs := range map[string]bool{
		"SELECT 1;":                          true,
		"\ufeffSELECT 1;":                    false, // a byte-order mark Snowflake refuses
		"SELECT '\ufeff';":                   true,  // one inside is text
		"-- only a comment":                  false,
		"SELECT \x00":                        false,
		"SELECT 'caf\xe9'":                   false, // Windows-1252
		"  \n/* a */ CREATE TABLE t (a INT)": true,
	} {
		if got := Unrunnable(sql) == ""; got != runs {
			t.Errorf("Unrunnable(%q) = %q, want runnable %v", sql, Unrunnable(sql), runs)
		}
	}
}
