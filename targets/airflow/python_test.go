package airflow

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/meshc/meshc/lang/diag"
)

var trickyStrings = []string{
	"", "plain", `"`, `""`, `"""`, `""""`, `\`, `\\`, `ends with \`, "ends with \"", "'''", "a\nb", "a\nb\n", "\n", "\n\n",
	"\"\n\"", "\\\n", "x\"\"\"\ny", "tab\there", "cr\r\nlf", "nul\x00", "bell\a", "\u2028\u2029", "\u202eevil\u202c",
	"\ufeffbom", "été", "😀", "\x7f", "{{ x }}", "__import__('os').system('id')", "\"); import os; (\"", "\\N{BULLET}", "\\x41",
}

// TestPyStringWithPython has Python read each literal back.
func TestPyStringWithPython(t *testing.T) {
	py := os.Getenv("MESHC_PYTHON")
	if py == "" {
		py = "python3"
	}
	if _, err := exec.LookPath(py); err != nil {
		t.Skipf("no %s", py)
	}
	var src strings.Builder
	src.WriteString("import json, sys\nvalues = [\n")
	for _, s := range trickyStrings {
		src.WriteString(pyString(s) + ",\n")
	}
	src.WriteString("]\njson.dump([[ord(c) for c in v] for v in values], sys.stdout)\n")
	file := filepath.Join(t.TempDir(), "strings.py")
	if err := os.WriteFile(file, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, file).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s\n%s", err, out, src.String())
	}
	var got [][]rune
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	for i, s := range trickyStrings {
		if string(got[i]) != s {
			t.Errorf("pyString(%q) = %s, which Python reads as %q", s, pyString(s), string(got[i]))
		}
	}
}

// pyDecode reads a literal as Python would, for the forms pyString writes.
func pyDecode(lit string) (string, error) {
	var body string
	switch {
	case strings.HasPrefix(lit, `"""\`+"\n") && strings.HasSuffix(lit, `"""`) && len(lit) >= 8:
		body = lit[5 : len(lit)-3]
	case strings.HasPrefix(lit, `"`) && strings.HasSuffix(lit, `"`) && len(lit) >= 2:
		body = lit[1 : len(lit)-1]
		if strings.Contains(body, "\n") {
			return "", fmt.Errorf("raw newline in a one-line literal")
		}
	default:
		return "", fmt.Errorf("not a literal: %q", lit)
	}
	var b strings.Builder
	quotes := 0
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == '"' {
			if quotes++; quotes == 3 || !strings.HasPrefix(lit, `"""`) {
				return "", fmt.Errorf("unescaped quote ends the literal at %d", i)
			}
			b.WriteByte(c)
			continue
		}
		quotes = 0
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(body) {
			return "", fmt.Errorf("trailing backslash")
		}
		switch e := body[i]; e {
		case '\\', '"':
			b.WriteByte(e)
		case '\n':
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			v, err := strconv.ParseUint(body[i+1:i+1+n], 16, 32)
			if err != nil {
				return "", err
			}
			b.WriteRune(rune(v))
			i += n
		default:
			return "", fmt.Errorf("unknown escape \\%c", e)
		}
	}
	if strings.HasPrefix(lit, `"""`) && strings.HasSuffix(body, `"`) && !strings.HasSuffix(body, `\"`) {
		return "", fmt.Errorf("a quote before the closing quotes")
	}
	return b.String(), nil
}

func FuzzPyString(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // the loader rejects such files
		}
		lit := pyString(s)
		got, err := pyDecode(lit)
		if err != nil {
			t.Fatalf("pyString(%q) = %s: %v", s, lit, err)
		}
		if got != s {
			t.Fatalf("pyString(%q) = %s, read back as %q", s, lit, got)
		}
		for _, line := range strings.Split(lit, "\n") {
			if strings.ContainsFunc(line, func(r rune) bool { return r < 0x20 || r == 0x7f || r == 0x2028 || r == 0x2029 || r == 0x202e }) {
				t.Fatalf("pyString(%q) writes a control or format character: %q", s, lit)
			}
		}
	})
}

// unliteral undoes literal's escapes and fails on other Jinja syntax.
func unliteral(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '{' || i+1 == len(s) || !strings.ContainsRune("{%#", rune(s[i+1])) {
			b.WriteByte(s[i])
			continue
		}
		rest := s[i:]
		switch {
		case len(rest) >= 10 && rest[:4] == "{{ '" && rest[6:10] == "' }}":
			b.WriteString(rest[4:6])
			i += 9
		case len(rest) >= 9 && rest[:4] == "{{ '" && rest[5:9] == "' }}":
			b.WriteString(rest[4:5])
			i += 8
		default:
			return "", fmt.Errorf("Jinja syntax at %d: %q", i, rest)
		}
	}
	return b.String(), nil
}

func FuzzLiteral(f *testing.F) {
	for _, s := range append(trickyStrings, "{{{", "{%%}", "{#}", "x.sql", "y.sh", "{x.json", "a{{'b'}}.bash") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lit := literal(s)
		got, err := unliteral(lit)
		if err != nil || got != s {
			t.Fatalf("literal(%q) = %q, read back as %q (%v)", s, lit, got, err)
		}
		for _, ext := range templateExtensions {
			if strings.HasSuffix(lit, ext) {
				t.Fatalf("literal(%q) = %q ends like a template file", s, lit)
			}
		}
	})
}

func TestCheckKey(t *testing.T) {
	b := &builder{}
	b.checkKey("task id", strings.Repeat("a", maxKey), "names", diag.Range{})
	b.checkKey("task id", "tests.a.b.c", "names", diag.Range{})
	if len(b.diags) != 0 {
		t.Fatalf("250 characters: %v", b.diags)
	}
	b.checkKey("task id", strings.Repeat("a", maxKey+1), "names", diag.Range{})
	b.checkKey("DAG id", "d.p\u00e9", "names", diag.Range{})
	b.checkKey("DAG id", "has space", "names", diag.Range{})
	b.checkKey("task id", "tests.main.amount$usd.not_null", "names", diag.Range{})
	if len(b.diags) != 4 {
		t.Fatalf("want 4 diagnostics, got %v", b.diags)
	}
	for i, want := range []string{"allows 250", `holds 'é'`, `holds ' '`, `holds '$'`} {
		if d := b.diags[i]; !strings.Contains(d.Detail, want) {
			t.Errorf("diagnostic %d says %q, want it to say %s", i, d.Detail, want)
		}
	}
}
