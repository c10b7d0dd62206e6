package snowsql

import (
	"regexp"
	"strings"
	"testing"

	_ "github.com/meshc/meshc/internal/golden" // defines -update for go test ./...
)

func TestIdent(t *testing.T) {
	for in, want := range map[string]string{
		"npi":           "npi",
		"PRESCRIBERS":   "PRESCRIBERS",
		"_x$1":          "_x$1",
		"order":         `"ORDER"`, // reserved: quoted in upper case, the same object
		"Select":        `"SELECT"`,
		"my col":        `"my col"`,
		`a"b`:           `"a""b"`,
		"1st":           `"1st"`,
		"":              `""`,
		"x; DROP TABLE": `"x; DROP TABLE"`,
		"amt$$usd":      `"AMT$$USD"`, // $$ starts a string for Snowflake's clients: quoted in upper case, the same object
		"amt$usd":       "amt$usd",
	} {
		if got := Ident(in); got != want {
			t.Errorf("Ident(%q) = %s, want %s", in, got, want)
		}
	}
	if got := QualifiedName("DB", "", "T"); got != "DB.T" {
		t.Errorf("QualifiedName skips empty parts: got %s", got)
	}
}

func TestString(t *testing.T) {
	for in, want := range map[string]string{
		"ONC":                  "'ONC'",
		"O'Brien":              "'O''Brien'",
		`C:\path`:              `'C:\\path'`,
		`\'; DROP --`:          `'\\''; DROP --'`,
		"":                     "''",
		"a\x00b\x1b[31m\r\x7f": `'a\x00b\x1b[31m\x0d\x7f'`,
		"two\nlines\tand é":    "'two\nlines\tand é'",
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestIsIdentifier checks the loop against the rule it implements.
func TestIsIdentifier(t *testing.T) {
	rule := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*$`)
	names := []string{"", "é", "P$START", "x_9$", "a$$", "A$$B", "_$$$"}
	for c := range 256 { // every byte, alone and after a letter
		names = append(names, string(rune(c)), "a"+string(byte(c)), string(byte(c)))
	}
	for _, name := range names {
		if got, want := IsIdentifier(name), rule.MatchString(name) && !strings.Contains(name, "$$"); got != want {
			t.Errorf("IsIdentifier(%q) = %v, want %v", name, got, want)
		}
	}
}
