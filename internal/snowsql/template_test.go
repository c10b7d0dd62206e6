package snowsql

import (
	"strings"
	"testing"
)

func TestTemplate(t *testing.T) {
	good := []struct {
		text, want string
		names      []string
	}{
		{"CALL P.RUN({{job}}, {{token}})", "CALL P.RUN('j''x', NULL)", []string{"job", "token"}},
		{"SELECT '{' || {{job}} /* }} */\n", "SELECT '{' || 'j''x' /* }} */\n", []string{"job"}},
		{`SELECT 'it''s {x}', "a""b", $$ {x} $$, {{job}}`, `SELECT 'it''s {x}', "a""b", $$ {x} $$, 'j''x'`, []string{"job"}},
		{"no placeholders", "no placeholders", nil},
		{"CALL P({{job}});  ", "CALL P('j''x')", []string{"job"}},
	}
	values := map[string]string{"job": String("j'x"), "token": "NULL"}
	for _, g := range good {
		tmpl, err := Parse(g.text)
		if err != nil {
			t.Errorf("Parse(%q): %v", g.text, err)
			continue
		}
		if got := strings.Join(tmpl.Names(), ","); got != strings.Join(g.names, ",") {
			t.Errorf("Names(%q) = %s", g.text, got)
		}
		got, err := tmpl.Render(values)
		if err != nil || got != g.want {
			t.Errorf("Render(%q) = %q, %v; want %q", g.text, got, err, g.want)
		}
	}
	bad := map[string]string{
		"SELECT '{{job}}'":               "inside a quoted string",
		`SELECT 'a\'{{job}}'`:            "inside a quoted string",
		`SELECT "{{job}}"`:               "inside a quoted identifier",
		"SELECT $${{job}}$$":             "inside a $$ string",
		"SELECT 1 -- {{job}}":            "line comment",
		"SELECT {{job}} // x":            "line comment",
		"SELECT 1 /* {{job}} */":         "inside a comment",
		"CALL X({{job}}); DROP SCHEMA S": "a second statement",
		"SELECT {{Job}}":                 "malformed placeholder",
		"SELECT {{job}":                  "malformed placeholder",
		"SELECT job}}":                   "}} without {{",
		"SELECT 'unclosed {{job}}":       "inside a quoted string",
	}
	for text, want := range bad {
		if _, err := Parse(text); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v; want an error with %q", text, err, want)
		}
	}
}

func TestTerminated(t *testing.T) {
	for sql, want := range map[string]bool{
		"select 1;":                   true,
		"select 1; -- done\n":         true,
		"select 1;\n/* end; */\n":     true,
		"select 1":                    false,
		"select ';'":                  false,
		"select 1 -- ;":               false,
		"select $$;$$":                false,
		"a; b":                        false,
		"":                            false,
		"select 1; select 2;\n\n  \t": true,
	} {
		if got := Terminated(sql); got != want {
			t.Errorf("Terminated(%q) = %v, want %v", sql, got, want)
		}
	}
}

func TestSplit(t *testing.T) {
	got := Split("-- head\nSELECT 1; SELECT ';' /* ; */;\nEXECUTE IMMEDIATE $$ BEGIN x; END; $$;\n-- only a comment;\n")
	want := []string{"-- head\nSELECT 1", "SELECT ';' /* ; */", "EXECUTE IMMEDIATE $$ BEGIN x; END; $$"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Split = %q, want %q", got, want)
	}
}

func TestSchemaQualified(t *testing.T) {
	for sql, want := range map[string]string{
		"MERGE INTO PHYSICIAN.PRESCRIBERS AS t":                                                 "PHYSICIAN.PRESCRIBERS",
		"select * from physician.x":                                                             "physician.x",
		"SELECT * FROM COMMERCIAL.PHYSICIAN.PRESCRIBERS":                                        "",
		"SELECT * FROM PRESCRIBERS":                                                             "",
		"SELECT 'PHYSICIAN.X' -- PHYSICIAN.Y\n/* PHYSICIAN.Z */ FROM T":                         "",
		`SELECT $$PHYSICIAN.Y$$ FROM T`:                                                         "",
		"SELECT * FROM MY_PHYSICIAN.X, PHYSICIANS.Y":                                            "",
		"SELECT * FROM PAYER.PLANS JOIN PHYSICIAN.P$1":                                          "PHYSICIAN.P$1",
		"SELECT * FROM PAYER.PLANS, PHYSICIAN.P":                                                "PHYSICIAN.P",
		"SELECT * FROM PAYER.PLANS AS p, physician.p AS q WHERE 1 = 1":                          "physician.p",
		"SELECT * FROM A WHERE x IN (1, 2), PHYSICIAN.P":                                        "",
		"SELECT PHYSICIAN. FROM T":                                                              "",
		"SELECT physician.npi FROM P AS physician":                                              "",
		"SELECT a FROM P AS physician WHERE physician.a IS DISTINCT FROM physician.b":           "",
		"SELECT EXTRACT(YEAR FROM physician.d), TRIM(' ' FROM physician.n) FROM P AS physician": "",
		"SELECT * FROM (SELECT * FROM PHYSICIAN.P)":                                             "PHYSICIAN.P",
		"SELECT * FROM /* the staged rows */ PHYSICIAN.STG":                                     "PHYSICIAN.STG",
		`SELECT * FROM "PHYSICIAN".P`:                                                           `"PHYSICIAN".P`,
		`SELECT * FROM PHYSICIAN."P q"`:                                                         `PHYSICIAN."P q"`,
		`SELECT * FROM "physician".P`:                                                           "",
		"CREATE OR REPLACE VIEW\n  physician.v AS SELECT 1":                                     "physician.v",
		"UPDATE PHYSICIAN.P SET x = 1":                                                          "PHYSICIAN.P",
		"GRANT SELECT ON TABLE PHYSICIAN.P TO ROLE R":                                           "PHYSICIAN.P",
		"TRUNCATE PHYSICIAN.P":                                                                  "PHYSICIAN.P",
		"CREATE TABLE T CLONE PHYSICIAN.P":                                                      "PHYSICIAN.P",
		"CREATE TABLE IF NOT EXISTS PHYSICIAN.X (a int)":                                        "PHYSICIAN.X",
		"create transient table if not exists physician.x (a int)":                              "physician.x",
		"CREATE VIEW IF NOT EXISTS PHYSICIAN.V AS SELECT 1":                                     "PHYSICIAN.V",
		"DROP TABLE IF EXISTS PHYSICIAN.X":                                                      "PHYSICIAN.X",
		"TRUNCATE TABLE IF EXISTS PHYSICIAN.X":                                                  "PHYSICIAN.X",
		"TRUNCATE IF EXISTS PHYSICIAN.X":                                                        "PHYSICIAN.X",
		"ALTER TABLE IF EXISTS STG SWAP WITH PHYSICIAN.Y":                                       "PHYSICIAN.Y",
		"ALTER TABLE STG RENAME TO PHYSICIAN.Y":                                                 "PHYSICIAN.Y",
		"ALTER TABLE STG RENAME COLUMN a TO b":                                                  "",
		"CREATE TABLE STG LIKE PHYSICIAN.P":                                                     "PHYSICIAN.P",
		"CREATE TABLE DB.S.STG LIKE PHYSICIAN.P":                                                "PHYSICIAN.P",
		"SELECT * FROM T WHERE a LIKE physician.b":                                              "",
		"INSERT OVERWRITE INTO PHYSICIAN.P SELECT 1":                                            "PHYSICIAN.P",
		"SELECT * FROM PHYSICIAN.MASTER.P":                                                      "",
		"SELECT * FROM T WHERE NOT EXISTS (SELECT 1 FROM PHYSICIAN.P)":                          "PHYSICIAN.P",
	} {
		if got := SchemaQualified(sql, "PHYSICIAN"); got != want {
			t.Errorf("SchemaQualified(%q) = %q, want %q", sql, got, want)
		}
	}
}

// FuzzSchemaQualified reads any text as SQL: never a panic, and a name
// found is a piece of the text.
//
//	go test ./internal/snowsql -run '^$' -fuzz FuzzSchemaQualified -fuzztime 1m
func FuzzSchemaQualified(f *testing.F) {
	for _, s := range []string{"MERGE INTO PHYSICIAN.P AS t", `SELECT * FROM "PHYSICIAN"."P`, "FROM PHYSICIAN.", "SELECT EXTRACT(YEAR FROM x)) FROM A, PHYSICIAN.B;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		if name := SchemaQualified(sql, "PHYSICIAN"); name != "" && !strings.Contains(sql, name) {
			t.Errorf("SchemaQualified(%q) = %q, not in the text", sql, name)
		}
	})
}

func TestUnterminated(t *testing.T) {
	for sql, want := range map[string]string{
		"select 1;":               "select 1",
		"select 1; -- done":       "select 1 -- done",
		"select 1;\n/* end; */\n": "select 1\n/* end; */\n",
		"select ';'":              "select ';'",
		"select 1 -- ;":           "select 1 -- ;",
		"a; b;":                   "a; b",
		"select 1;; ; -- end":     "select 1  -- end",
		"":                        "",
	} {
		if got := Unterminated(sql); got != want {
			t.Errorf("Unterminated(%q) = %q, want %q", sql, got, want)
		}
	}
}

func TestEndsInComment(t *testing.T) {
	for sql, want := range map[string]bool{
		"a >= 0 -- never negative":   true,
		"a >= 0 // never negative":   true,
		"a >= 0 -- never negative\n": false,
		"a >= 0 /* note */":          false,
		"a = '--'":                   false,
		"a = 1 -- one\n-- two":       true,
		"-- only":                    true,
		"":                           false,
	} {
		if got := EndsInComment(sql); got != want {
			t.Errorf("EndsInComment(%q) = %v, want %v", sql, got, want)
		}
	}
}

func TestUnclosed(t *testing.T) {
	for sql, want := range map[string]string{
		"x <> 'a;":           "a quoted string",
		`x <> 'it\'s`:        "a quoted string",
		"x <> 'it''s'":       "",
		`x <> 'a\\'`:         "",
		"x >= 0 /* c":        "a comment",
		"x >= 0 /* c */":     "",
		"x >= 0 -- c":        "",
		`"col`:               "a quoted identifier",
		`"co""l"`:            "",
		"$$ body":            "a $$ string",
		"$$ body $$ = x":     "",
		"'a' || '/*' || 'b'": "",
		"":                   "",
	} {
		if got := Unclosed(sql); got != want {
			t.Errorf("Unclosed(%q) = %q, want %q", sql, got, want)
		}
	}
}

// Unclosed returns what SQL text leaves open at its end: "a quoted
// string", "a quoted identifier", "a $$ string" or "a comment" (/* with no
// */), or "" when it closes all it opens. Text put after an unclosed one
// would become part of it. It is ShapeOf's reference: the same reading,
// made of scanQuoted, the reading Split and Terminated share.
func Unclosed(sql string) string {
	for i := 0; i < len(sql); {
		end, what, closed := scanQuoted(sql, i)
		switch {
		case !closed:
			return what
		case end > i:
			i = end
		default:
			i++
		}
	}
	return ""
}
