package docs_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

var tableDelimiter = regexp.MustCompile(`^\|( *:?-+:? *\|)+$`)

// TestTablesWhole checks that every table row in the docs belongs to a
// table: a row that does not follow another must be a table's header,
// with the delimiter row under it. A paragraph written between two rows
// ends the table, and Markdown shows the rows after it as a stray line
// of text.
func TestTablesWhole(t *testing.T) {
	for _, doc := range docFiles(t) {
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		inCode := false
		for i, line := range lines {
			if strings.HasPrefix(line, "```") {
				inCode = !inCode
			}
			if inCode || !strings.HasPrefix(line, "|") || i > 0 && strings.HasPrefix(lines[i-1], "|") {
				continue
			}
			if i+1 == len(lines) || !tableDelimiter.MatchString(lines[i+1]) {
				t.Errorf("%s:%d: a table row outside a table (a paragraph between the rows ends it): %s", doc, i+1, line)
			}
		}
	}
}
