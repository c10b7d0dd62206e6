package yamlout

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	_ "github.com/meshc/meshc/internal/golden" // defines -update for go test ./...
)

func TestMarshalGitLab(t *testing.T) {
	doc := new(Map).
		Set("stages", List{String("build"), String("test")}).
		Set("variables", new(Map).
			Set("FEATURE", String("on")).
			Set("GIT_DEPTH", String("1"))).
		Set("default", new(Map).
			Set("image", String("python:3.11-slim")).
			Set("tags", List{})).
		Set("build:orders", new(Map).
			Set("stage", String("build")).
			Set("needs", List{}).
			Set("script", List{
				String("echo hi"),
				String("set -e\nif [ -f x ]; then\n\n  make\nfi\n"),
			})).
		Comment("build:orders", "Built from orders.mesh.hcl:12\nDo not edit.").
		Set("test", new(Map).
			Set("needs", List{
				String("build:orders"),
				new(Map).Set("job", String("lint")).Set("optional", Bool(true)),
			}).
			Set("rules", List{
				new(Map).
					Set("if", String(`$CI_PIPELINE_SOURCE == "merge_request_event"`)).
					Set("when", String("never")),
				new(Map).Set("when", String("on_success")),
			}).
			Set("retry", Int(2)).
			Set("cache", new(Map)))
	want := `stages:
  - build
  - test

variables:
  FEATURE: "on"
  GIT_DEPTH: "1"

default:
  image: python:3.11-slim
  tags: []

# Built from orders.mesh.hcl:12
# Do not edit.
build:orders:
  stage: build
  needs: []
  script:
    - echo hi
    - |
      set -e
      if [ -f x ]; then

        make
      fi

test:
  needs:
    - build:orders
    - job: lint
      optional: true
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
      when: never
    - when: on_success
  retry: 2
  cache: {}
`
	if diff := cmp.Diff(want, marshal(t, doc)); diff != "" {
		t.Errorf("Marshal (-want +got):\n%s", diff)
	}
	roundTrip(t, doc)
}

func TestMarshalLayout(t *testing.T) {
	long := strings.Repeat("k", maxImplicitKey+1)
	for _, tc := range []struct {
		name string
		doc  Node
		want string
	}{
		{"empty map", new(Map), "{}\n"},
		{"empty list", List{}, "[]\n"},
		{"scalar", String("on"), "\"on\"\n"},
		{"root literal", String("a\nb"), "|-\n  a\n  b\n"},
		{"root list", List{Int(-1), Bool(false), new(Map), List{}},
			"- -1\n- false\n- {}\n- []\n"},
		{"nested lists", List{List{String("a"), List{String("b"), String("c")}}, String("d")},
			"- - a\n  - - b\n    - c\n- d\n"},
		{"nested maps are not spaced", new(Map).Set("a", new(Map).Set("b", String("x")).Set("c", new(Map).Set("d", String("z")))),
			"a:\n  b: x\n  c:\n    d: z\n"},
		{"comment on a list item's first key",
			List{new(Map).Set("a", String("x")).Set("b", String("z")).Comment("a", "first").Comment("b", "second")},
			"# first\n- a: x\n  # second\n  b: z\n"},
		{"literal in a map in a list",
			new(Map).Set("s", List{new(Map).Set("script", String("a\n  b\n"))}),
			"s:\n  - script: |\n      a\n        b\n"},
		{"comment cannot break out",
			new(Map).Set("a", String("x")).Comment("a", "one\r\ntwo\rthree\u2028four\x00\tfive  \n\nsix\n\n"),
			"# one\n# two\ufffdthree\ufffdfour\ufffd five\n#\n# six\na: x\n"},
		{"long key is explicit", new(Map).Set(long, List{String("v")}),
			"? " + long + "\n:\n  - v\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, marshal(t, tc.doc)); diff != "" {
				t.Errorf("Marshal (-want +got):\n%s", diff)
			}
			roundTrip(t, tc.doc)
		})
	}
}

func TestMarshalErrors(t *testing.T) {
	for _, tc := range []struct {
		doc  Node
		want string
	}{
		{new(Map).Set("a", String("x")).Set("a", Int(1)), `yamlout: key a set twice`},
		{new(Map).Set("\xff", String("x")).Set("\ufffd", Int(1)), `yamlout: key "` + "\ufffd" + `" set twice`},
		{new(Map).Set("a", nil), `yamlout: nil value for key a`},
		{List{nil}, `yamlout: nil list item`},
		{nil, `yamlout: nil document`},
		{new(Map).Set("a", String("x")).Comment("on", "?"), `yamlout: comment for key "on", which is not set`},
	} {
		out, err := Marshal(tc.doc)
		if err == nil || err.Error() != tc.want || out != nil {
			t.Errorf("Marshal(%#v) = %q, %v; want nil, %s", tc.doc, out, err, tc.want)
		}
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"build":              "build",
		"build:orders":       "build:orders",
		".template":          ".template",
		"$CI_COMMIT_SHA":     "$CI_COMMIT_SHA",
		"/usr/bin/env":       "/usr/bin/env",
		"echo 'a' && b | c":  "echo 'a' && b | c",
		"":                   `""`,
		"on":                 `"on"`,
		"a: b":               `"a: b"`,
		"a:":                 `"a:"`,
		"a #b":               `"a #b"`,
		"a#b":                `"a#b"`,
		" a":                 `" a"`,
		"a ":                 `"a "`,
		".e-3":               `".e-3"`,
		"back\\slash":        `back\slash`,
		`"x"`:                `"\"x\""`,
		"\\":                 `"\\"`,
		"a\nb\tc\rd":         `"a\nb\tc\rd"`,
		"\x00\x1b\x01\x7f":   `"\0\e\x01\x7F"`,
		"\u0085\u00a0":       `"\x85\xA0"`,
		"\u2028\u2029\ufeff": `"\u2028\u2029\uFEFF"`,
		"\U000e0001":         `"\U000E0001"`,
		"é🙂":                 `"é🙂"`,
		"a\xffb":             `"a` + "\ufffd" + `b"`,
	} {
		if got := quote(in); got != want {
			t.Errorf("quote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestLiteral(t *testing.T) {
	for in, want := range map[string]string{
		"a\nb":       "|-\n  a\n  b\n",
		"a\nb\n":     "|\n  a\n  b\n",
		"a\n\n\tb":   "|-\n  a\n\n  \tb\n",
		"a\nb\n\n":   `"a\nb\n\n"`, // keep would be needed
		"\na":        `"\na"`,      // leading empty line
		" a\nb":      `" a\nb"`,    // would set the indentation
		"\ta\nb":     `"\ta\nb"`,
		"a \nb":      `"a \nb"`, // trailing space
		"a\n  \nb":   `"a\n  \nb"`,
		"a\r\nb":     `"a\r\nb"`,
		"a\u2028\nb": `"a\u2028\nb"`,
		"\n":         `"\n"`,
		"a\n---\nb":  "|-\n  a\n  ---\n  b\n",
		"# x\n- y":   "|-\n  # x\n  - y\n",
	} {
		got := strings.TrimPrefix(marshal(t, new(Map).Set("k", String(in))), "k: ")
		if strings.TrimSuffix(got, "\n") != strings.TrimSuffix(want, "\n") {
			t.Errorf("value %q written as %q, want %q", in, got, want)
		}
		roundTrip(t, new(Map).Set("k", String(in)))
	}
}

// hostile holds strings that a careless emitter would let change a
// document's structure or type.
var hostile = []string{
	"on", "On", "ON", "off", "No", "no", "YES", "yes", "y", "Y", "n", "N",
	"true", "False", "null", "NULL", "~", "", " ",
	"1", "-1", "+1", "0", "007", "0x1F", "0o17", "0b101", "1_000", "1,000",
	"1e3", "1.5e+3", ".5", "5.", "-.5", ".e-3", ".E+3", ".inf", "-.Inf", ".NaN",
	"12:30:00", "190:20:30", "1:30.5", "2026-01-05", "2026-1-5 12:30:00",
	"2026-01-05T12:30:00Z", "<<", "=", ":sym", "a: b", "a:", "a :b", "a #b",
	"#x", "*x", "&x", "!!str", "!x", "- x", "-", "? x", "?", ":", ":x", "[x]", "{x}",
	"|", "|-", ">", "'x'", `"x"`, "%x", "%YAML 1.1", "@x", "`x", ",x", "a,b",
	" lead", "trail ", "\tx", "x\t", "a\tb", "\n", "a\n", "a\nb", "a\n\nb",
	"a\nb\n\n", "\na", "a\r\nb", "a\rb", "---", "...", "--- x", "a\n---\nb",
	"a\n...\nb", "\u2028", "a\u2029b", "\ufeffx", "\u0085", "\x00", "\x1b",
	"\x7f", "é", "🙂", "\U000e0001", `\`, `\n`, "key: value\nother: x",
	"x\n- y", "${CI_PROJECT_DIR}/out", `$X == "y"`,
	strings.Repeat("a", 5000), strings.Repeat("a b", 2000),
	strings.Repeat("é", maxImplicitKey-2), strings.Repeat("é", maxImplicitKey-1),
	strings.Repeat("x", maxImplicitKey), strings.Repeat("x", maxImplicitKey+1),
	strings.Repeat("line\n", 500),
}

func TestHostileRoundTrip(t *testing.T) {
	all := new(Map)
	for i, s := range hostile {
		all.Set(s, List{String(s), new(Map).Set(s, String(s)), List{String(s)}})
		all.Comment(s, s)
		roundTrip(t, List{String(s)})
		roundTrip(t, String(s))
		roundTrip(t, new(Map).Set("k", String(s)).Set(strconv.Itoa(i), new(Map).Set(s, String(s))))
	}
	roundTrip(t, all)
}

// yaml11 matches the plain scalars that YAML 1.1's type repository
// (yaml.org/type) or Ruby's Psych resolve to something other than a string.
// It is written from those sources, independently of implicit in the
// package, and plain output must never match it.
var yaml11 = regexp.MustCompile(`^(` + strings.Join([]string{
	`(?i:y|yes|n|no|true|false|on|off|null)|~|`, // Psych ignores case
	`[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+`,
	`[-+]?([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*`,
	`[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)`,
	`[0-9]{4}-[0-9]{2}-[0-9]{2}`,
	`[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?(([ \t]*)Z|[-+][0-9]{1,2}(:[0-9]{2})?)?`,
	`<<|=`,
	`:.+|[-+]?[0-9][0-9_,]*|0o[0-7]+`, // Psych's symbols and integers with commas; YAML 1.2 octal
}, "|") + `)$`)

func TestYAML11NeverPlain(t *testing.T) {
	words := []string{"y", "yes", "n", "no", "true", "false", "on", "off", "null"}
	var cases []string
	for _, w := range words {
		for mask := range 1 << len(w) { // every mix of upper and lower case
			b := []byte(w)
			for i := range b {
				if mask&(1<<i) != 0 {
					b[i] -= 'a' - 'A'
				}
			}
			cases = append(cases, string(b))
		}
	}
	cases = append(cases, hostile...)
	for _, s := range cases {
		q := quote(s)
		if yaml11.MatchString(s) && !strings.HasPrefix(q, `"`) {
			t.Errorf("quote(%q) = %s, want it double-quoted", s, q)
		}
	}
}

func FuzzQuote(f *testing.F) {
	for _, s := range hostile {
		if len(s) <= 64 { // the long ones make minimizing crawl; TestHostileRoundTrip has them
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		valid := strings.ToValidUTF8(s, "\uFFFD")
		switch q := quote(s); {
		case q == valid:
			if !plain(valid) || yaml11.MatchString(valid) {
				t.Errorf("quote(%q) = %s: plain, but YAML 1.1 reads it as another type", s, q)
			}
		case !strings.HasPrefix(q, `"`) || strings.ContainsAny(q, "\n\r"):
			t.Errorf("quote(%q) = %s: neither plain nor one double-quoted line", s, q)
		}
		roundTrip(t, new(Map).Set(s, List{String(s), new(Map).Set(s, String(s)), List{String(s)}}).Comment(s, s))
		roundTrip(t, List{String(s)})
		roundTrip(t, String(s))
	})
}

func marshal(t testing.TB, n Node) string {
	t.Helper()
	out, err := Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// roundTrip checks that n is written the same way twice and that a YAML
// parser reads back exactly n: the same keys, in order, and every string
// as a string.
func roundTrip(t testing.TB, n Node) {
	t.Helper()
	out := marshal(t, n)
	if again := marshal(t, n); again != out {
		t.Fatalf("Marshal is not deterministic:\n%s\n---\n%s", out, again)
	}
	if !strings.HasSuffix(out, "\n") || strings.HasSuffix(out, "\n\n") {
		t.Errorf("output does not end in exactly one newline: %q", out)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("output does not parse: %v\n%s", err, out)
	}
	if len(doc.Content) != 1 {
		t.Fatalf("output holds %d documents, want 1:\n%s", len(doc.Content), out)
	}
	if err := match(n, doc.Content[0], "$"); err != nil {
		t.Fatalf("%v\noutput:\n%s", err, out)
	}
}

func match(want Node, got *yaml.Node, path string) error {
	switch w := want.(type) {
	case *Map:
		if got.Kind != yaml.MappingNode || len(got.Content) != 2*w.Len() {
			return fmt.Errorf("%s: got kind %v with %d children, want a map of %d entries", path, got.Kind, len(got.Content), w.Len())
		}
		for i, en := range w.entries {
			if err := match(String(en.key), got.Content[2*i], path+".key"); err != nil {
				return err
			}
			if err := match(en.value, got.Content[2*i+1], fmt.Sprintf("%s[%q]", path, en.key)); err != nil {
				return err
			}
		}
	case List:
		if got.Kind != yaml.SequenceNode || len(got.Content) != len(w) {
			return fmt.Errorf("%s: got kind %v with %d children, want a list of %d", path, got.Kind, len(got.Content), len(w))
		}
		for i, item := range w {
			if err := match(item, got.Content[i], fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case String:
		return scalar(got, "!!str", strings.ToValidUTF8(string(w), "\uFFFD"), path)
	case Int:
		return scalar(got, "!!int", strconv.Itoa(int(w)), path)
	case Bool:
		return scalar(got, "!!bool", strconv.FormatBool(bool(w)), path)
	}
	return nil
}

func scalar(got *yaml.Node, tag, value, path string) error {
	if got.Kind != yaml.ScalarNode || got.ShortTag() != tag || got.Value != value {
		return fmt.Errorf("%s: got %v %s %q, want %s %q", path, got.Kind, got.ShortTag(), got.Value, tag, value)
	}
	return nil
}

// TestIsImplicit checks the shortcut of plain against the regular
// expression it stands for, on every string of up to five characters over
// the characters the expression cares about, and on fuzzed ones.
func TestIsImplicit(t *testing.T) {
	const chars = "aefilnorsuyAEFINOY.+-_~019"
	var all func(prefix string, n int)
	all = func(prefix string, n int) {
		if prefix != "" && (prefix[0] == '.' && len(prefix) > 1 && isLetter(prefix[1]) || isLetter(prefix[0])) {
			if got, want := isImplicit(prefix), implicit.MatchString(prefix); got != want {
				t.Fatalf("isImplicit(%q) = %v, the expression says %v", prefix, got, want)
			}
		}
		if n == 0 {
			return
		}
		for i := range len(chars) {
			all(prefix+chars[i:i+1], n-1)
		}
	}
	all("", 5)
}

func FuzzIsImplicit(f *testing.F) {
	for _, s := range []string{"yes", "Off", ".inf", ".NaN", ".e+5", "null", "nullable", ".x-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" || !(isLetter(s[0]) || s[0] == '.' && len(s) > 1 && isLetter(s[1])) {
			return
		}
		if got, want := isImplicit(s), implicit.MatchString(s); got != want {
			t.Fatalf("isImplicit(%q) = %v, the expression says %v", s, got, want)
		}
	})
}
