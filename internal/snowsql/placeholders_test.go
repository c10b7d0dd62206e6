package snowsql

import (
	"strings"
	"testing"
)

func TestInputPlaceholders(t *testing.T) {
	type found struct{ name, text, err string }
	for sql, want := range map[string][]found{
		"SELECT 1": nil,
		"SELECT * FROM {{ input.prescribers }} AS p": {{name: "prescribers", text: "{{ input.prescribers }}"}},
		"FROM {{input.a}} JOIN {{	input.b_2 }}":      {{name: "a", text: "{{input.a}}"}, {name: "b_2", text: "{{	input.b_2 }}"}},
		// Text in quotes and comments is the user's, unless it reads as
		// a placeholder.
		"SELECT '{{x}}', '{\"a\": {{1}}}' -- {{ not one }}": nil,
		"SELECT '{{ input.a }}'":                            {{name: "a", text: "{{ input.a }}", err: "inside a quoted string"}},
		`SELECT 1 AS "{{input.a}}"`:                         {{name: "a", text: "{{input.a}}", err: "inside a quoted identifier"}},
		"-- reads {{ input.a }}\nSELECT 1":                  {{name: "a", text: "{{ input.a }}", err: "inside a comment"}},
		"/* {{ input.a }} */ SELECT 1":                      {{name: "a", text: "{{ input.a }}", err: "inside a comment"}},
		"CALL X($$ {{ input.a }} $$)":                       {{name: "a", text: "{{ input.a }}", err: "inside a $$ string"}},
		// Malformed, outside quotes.
		"FROM {{ prescribers }}":               {{text: "{{ prescribers }}", err: "write {{ input.prescribers }}"}},
		"FROM {{ inputs.a }}":                  {{text: "{{ inputs.a }}", err: "is not a placeholder"}},
		"FROM {{ input.a.b }}":                 {{text: "{{ input.a.b }}", err: "is not a placeholder"}},
		"FROM {{ input.a \n}}":                 {{text: "{{", err: "not closed"}},
		"FROM {{ input.a } JOIN {{ input.b }}": {{text: "{{ input.a } JOIN {{ input.b }}", err: "is not a placeholder"}},
		// An object constant's closing braces are SQL.
		"SELECT {'a': {'b': 1}}": nil,
	} {
		got := InputPlaceholders(sql)
		if len(got) != len(want) {
			t.Errorf("InputPlaceholders(%q) = %+v, want %d", sql, got, len(want))
			continue
		}
		for i, p := range got {
			w := want[i]
			if p.Name != w.name || sql[p.Start:p.End] != w.text || (w.err == "") != (p.Err == "") || !strings.Contains(p.Err, w.err) {
				t.Errorf("InputPlaceholders(%q)[%d] = %q %q (%s), want %q %q (%s)", sql, i, p.Name, sql[p.Start:p.End], p.Err, w.name, w.text, w.err)
			}
		}
	}
}

func TestFillInputs(t *testing.T) {
	table := func(name string) (string, bool) {
		return map[string]string{"a": "DB.DEV_S.A", "b": `DB.DEV_S."b c"`}[name], name == "a" || name == "b"
	}
	for sql, want := range map[string]string{
		"SELECT * FROM {{ input.a }} JOIN {{input.b}} USING (id) -- '{{ x }}'": `SELECT * FROM DB.DEV_S.A JOIN DB.DEV_S."b c" USING (id) -- '{{ x }}'`,
		"SELECT '{{x}}'":                "SELECT '{{x}}'",
		"SELECT * FROM {{ input.c }}":   "error: {{ input.c }} names no input of the product",
		"SELECT * FROM {{ c }}":         "error: {{ c }} names no input: write {{ input.c }} for the table of the product's input c",
		"SELECT '{{ input.a }}' FROM T": "error: {{ input.a }} is inside a quoted string, which meshc leaves as written: write it outside quotes and comments, where it stands for the table's name",
	} {
		got, err := FillInputs(sql, table)
		if err != nil {
			got = "error: " + err.Error()
		}
		if got != want {
			t.Errorf("FillInputs(%q) = %q, want %q", sql, got, want)
		}
	}
}

// FuzzInputPlaceholders reads any text as SQL with placeholders: never a
// panic; each placeholder is a piece of the text in order, starting with
// {{ and ending with }} unless it is one left open; and filling them
// leaves no well-formed one outside quotes and comments.
//
//	go test ./internal/snowsql -run '^$' -fuzz FuzzInputPlaceholders -fuzztime 1m
func FuzzInputPlaceholders(f *testing.F) {
	for _, s := range []string{"FROM {{ input.a }} JOIN {{input.b}}", "'{{ input.a }}' -- {{ x }}", "{{ a }} {{ input.", "$$ {{input.a}}", "{{{{ input.a }}}}", `"{{"{{ input.a }}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		last := 0
		bad := false
		for _, p := range InputPlaceholders(sql) {
			if p.Start < last || p.End <= p.Start || p.End > len(sql) || !strings.HasPrefix(sql[p.Start:], "{{") {
				t.Fatalf("InputPlaceholders(%q): %+v is not a piece of the text after %d", sql, p, last)
			}
			if p.Err == "" && !strings.HasSuffix(sql[:p.End], "}}") {
				t.Fatalf("InputPlaceholders(%q): %+v does not end with }}", sql, p)
			}
			bad = bad || p.Err != ""
			last = p.End
		}
		filled, err := FillInputs(sql, func(string) (string, bool) { return "DB.S.T", true })
		if (err != nil) != bad {
			t.Fatalf("FillInputs(%q) = %v, though the placeholders' errors are %v", sql, err, bad)
		}
		if err == nil {
			for _, p := range InputPlaceholders(filled) {
				if p.Err == "" {
					t.Fatalf("FillInputs(%q) = %q, which holds %q still", sql, filled, filled[p.Start:p.End])
				}
			}
		}
	})
}

func TestInputPlaceholderIn(t *testing.T) {
	for text, want := range map[string]string{
		"":                               "",
		"^[A-Z]{2}{3}$":                  "",
		"{{ x }} and {{ input.a }}":      "{{ input.a }}",
		"it's {{input.b_2}}, '{{ no }}'": "{{input.b_2}}",
		"{{{ input.a }}}":                "{{ input.a }}",
		"{{ input.a.b }}":                "",
	} {
		start, end, found := InputPlaceholderIn(text)
		got := ""
		if found {
			got = text[start:end]
		}
		if got != want {
			t.Errorf("InputPlaceholderIn(%q) = %q, want %q", text, got, want)
		}
	}
}
