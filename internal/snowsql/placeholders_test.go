package snowsql

import (
	"strings"
	"testing"
)

func TestPlaceholders(t *testing.T) {
	type found struct{ kind, name, text, err string }
	for sql, want := range map[string][]found{
		"SELECT 1": nil,
		"SELECT * FROM {{ input.prescribers }} AS p": {{kind: "input", name: "prescribers", text: "{{ input.prescribers }}"}},
		"FROM {{input.a}} JOIN {{	input.b_2 }}":      {{kind: "input", name: "a", text: "{{input.a}}"}, {kind: "input", name: "b_2", text: "{{	input.b_2 }}"}},
		"INSERT INTO {{ port.kpis }} SELECT 1":       {{kind: "port", name: "kpis", text: "{{ port.kpis }}"}},
		// Text in quotes and comments is the user's, unless it reads as
		// a placeholder.
		"SELECT '{{x}}', '{\"a\": {{1}}}' -- {{ not one }}": nil,
		"SELECT '{{ input.a }}'":                            {{kind: "input", name: "a", text: "{{ input.a }}", err: "inside a quoted string"}},
		`SELECT 1 AS "{{input.a}}"`:                         {{kind: "input", name: "a", text: "{{input.a}}", err: "inside a quoted identifier"}},
		"-- reads {{ input.a }}\nSELECT 1":                  {{kind: "input", name: "a", text: "{{ input.a }}", err: "inside a comment"}},
		"/* {{ port.a }} */ SELECT 1":                       {{kind: "port", name: "a", text: "{{ port.a }}", err: "inside a comment"}},
		"CALL X($$ {{ input.a }} $$)":                       {{kind: "input", name: "a", text: "{{ input.a }}", err: "inside a $$ string"}},
		// Malformed, outside quotes.
		"FROM {{ prescribers }}":               {{name: "prescribers", text: "{{ prescribers }}", err: "write {{ input.prescribers }} for the table that the product's input prescribers reads, or {{ port.prescribers }}"}},
		"FROM {{ inputs.a }}":                  {{text: "{{ inputs.a }}", err: "is not a placeholder"}},
		"FROM {{ ports.a }}":                   {{text: "{{ ports.a }}", err: "is not a placeholder: write {{ input.NAME }}"}},
		"FROM {{ input.a.b }}":                 {{text: "{{ input.a.b }}", err: "is not a placeholder"}},
		"FROM {{ input.a \n}}":                 {{text: "{{", err: "not closed"}},
		"FROM {{ input.a } JOIN {{ input.b }}": {{text: "{{ input.a } JOIN {{ input.b }}", err: "is not a placeholder"}},
		// Spaces that are none to the reader: the name is not what is
		// wrong.
		"FROM {{\u00a0input.a }}": {{text: "{{\u00a0input.a }}", err: "holds a non-breaking space (U+00A0), which looks like a space but is none"}},
		"FROM {{ input.a\u00a0}}": {{text: "{{ input.a\u00a0}}", err: "non-breaking space (U+00A0)"}},
		"FROM {{\u00a0a\u00a0}}":  {{text: "{{\u00a0a\u00a0}}", err: "non-breaking space (U+00A0)"}},
		"FROM {{ port.a\u2003}}":  {{text: "{{ port.a\u2003}}", err: "a Unicode space (U+2003)"}},
		"FROM {{\u200binput.a }}": {{text: "{{\u200binput.a }}", err: "an invisible character (U+200B)"}},
		// An object constant's closing braces are SQL.
		"SELECT {'a': {'b': 1}}": nil,
	} {
		got := Placeholders(sql)
		if len(got) != len(want) {
			t.Errorf("Placeholders(%q) = %+v, want %d", sql, got, len(want))
			continue
		}
		for i, p := range got {
			w := want[i]
			if p.Kind != w.kind || p.Name != w.name || sql[p.Start:p.End] != w.text || (w.err == "") != (p.Err == "") || !strings.Contains(p.Err, w.err) {
				t.Errorf("Placeholders(%q)[%d] = %q %q %q (%s), want %q %q %q (%s)", sql, i, p.Kind, p.Name, sql[p.Start:p.End], p.Err, w.kind, w.name, w.text, w.err)
			}
		}
	}
}

func TestFill(t *testing.T) {
	tables := map[string]string{"input.a": "DB.DEV_S.A", "input.b": `DB.DEV_S."b c"`, "port.k": "DB.DEV_MART.KPIS"}
	table := func(kind, name string) (string, bool) {
		name, ok := tables[kind+"."+name]
		return name, ok
	}
	for sql, want := range map[string]string{
		"SELECT * FROM {{ input.a }} JOIN {{input.b}} USING (id) -- '{{ x }}'": `SELECT * FROM DB.DEV_S.A JOIN DB.DEV_S."b c" USING (id) -- '{{ x }}'`,
		"SELECT '{{x}}'": "SELECT '{{x}}'",
		"INSERT INTO {{port.k}} SELECT * FROM {{ input.a }}": "INSERT INTO DB.DEV_MART.KPIS SELECT * FROM DB.DEV_S.A",
		"SELECT * FROM {{ input.c }}":                        "error: {{ input.c }} names no input of the product",
		"SELECT * FROM {{ port.a }}":                         "error: {{ port.a }} names no port of the product",
		"SELECT * FROM {{ c }}":                              "error: {{ c }} names neither an input nor a port: write {{ input.c }} for the table that the product's input c reads, or {{ port.c }} for the product's own port c",
		"SELECT '{{ input.a }}' FROM T":                      "error: {{ input.a }} is inside a quoted string, which meshc leaves as written: write it outside quotes and comments, where it stands for the table's name",
	} {
		got, err := Fill(sql, table)
		if err != nil {
			got = "error: " + err.Error()
		}
		if got != want {
			t.Errorf("Fill(%q) = %q, want %q", sql, got, want)
		}
	}
}

// FuzzPlaceholders reads any text as SQL with placeholders: never a
// panic; each placeholder is a piece of the text in order, starting with
// {{ and ending with }} unless it is one left open; and filling them
// leaves no well-formed one outside quotes and comments.
//
//	go test ./internal/snowsql -run '^$' -fuzz FuzzPlaceholders -fuzztime 1m
func FuzzPlaceholders(f *testing.F) {
	for _, s := range []string{"FROM {{ input.a }} JOIN {{input.b}}", "{{ port.k }} {{\u00a0input.a }}", "'{{ input.a }}' -- {{ x }}", "{{ a }} {{ input.", "$$ {{input.a}}", "{{{{ input.a }}}}", `"{{"{{ input.a }}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		last := 0
		bad := false
		for _, p := range Placeholders(sql) {
			if p.Start < last || p.End <= p.Start || p.End > len(sql) || !strings.HasPrefix(sql[p.Start:], "{{") {
				t.Fatalf("Placeholders(%q): %+v is not a piece of the text after %d", sql, p, last)
			}
			if p.Err == "" && !strings.HasSuffix(sql[:p.End], "}}") {
				t.Fatalf("Placeholders(%q): %+v does not end with }}", sql, p)
			}
			bad = bad || p.Err != ""
			last = p.End
		}
		filled, err := Fill(sql, func(string, string) (string, bool) { return "DB.S.T", true })
		if (err != nil) != bad {
			t.Fatalf("Fill(%q) = %v, though the placeholders' errors are %v", sql, err, bad)
		}
		if err == nil {
			for _, p := range Placeholders(filled) {
				if p.Err == "" {
					t.Fatalf("Fill(%q) = %q, which holds %q still", sql, filled, filled[p.Start:p.End])
				}
			}
		}
	})
}

func TestPlaceholderIn(t *testing.T) {
	for text, want := range map[string]string{
		"":                               "",
		"^[A-Z]{2}{3}$":                  "",
		"{{ x }} and {{ input.a }}":      "{{ input.a }}",
		"it's {{input.b_2}}, '{{ no }}'": "{{input.b_2}}",
		"{{{ input.a }}}":                "{{ input.a }}",
		"{{ input.a.b }}":                "",
		"x {{port.k}}":                   "{{port.k}}",
	} {
		start, end, found := PlaceholderIn(text)
		got := ""
		if found {
			got = text[start:end]
		}
		if got != want {
			t.Errorf("PlaceholderIn(%q) = %q, want %q", text, got, want)
		}
	}
}
