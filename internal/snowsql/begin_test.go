package snowsql

import (
	"strings"
	"testing"
)

func TestBlockBegin(t *testing.T) {
	for _, c := range []struct {
		script string
		want   string // the statement found, "" for none
		words  string // its words, comments left out, joined by |
	}{
		{"BEGIN; DELETE FROM T; INSERT INTO T SELECT 1; COMMIT;", "BEGIN", ""},
		{"begin work;\nDELETE FROM T;\nCOMMIT;", "begin work", ""},
		{"DELETE FROM T;\n-- all at once\n  BEGIN  -- now\n ;", "BEGIN", ""},
		{"BEGIN NAME load_t; COMMIT;", "BEGIN NAME load_t", ""},
		{"BEGIN WORK NAME \"load t\"; COMMIT;", "BEGIN WORK NAME \"load t\"", "BEGIN|WORK|NAME|\"load t\""},
		{"DELETE FROM T; BEGIN", "BEGIN", ""},
		// Comments are left out of the words, and a quoted name kept whole.
		{"BEGIN /* x */ WORK;", "BEGIN /* x */ WORK", "BEGIN|WORK"},
		{"begin -- now\n  name /* the load */ reload;", "begin -- now\n  name /* the load */ reload", "begin|name|reload"},
		{"BEGIN NAME \"load  t\"; COMMIT;", "BEGIN NAME \"load  t\"", "BEGIN|NAME|\"load  t\""},
		// Statements Snowflake Scripting runs as written.
		{"BEGIN TRANSACTION; DELETE FROM T; COMMIT;", "", ""},
		{"BEGIN TRANSACTION NAME t; COMMIT;", "", ""},
		{"START TRANSACTION; DELETE FROM T; COMMIT;", "", ""},
		{"BEGIN\n  DELETE FROM T;\nEND;", "", ""},
		{"DECLARE n INTEGER; BEGIN n := 1; END;", "", ""},
		{"SELECT 'BEGIN;'; -- BEGIN;\n/* BEGIN; */ SELECT $$BEGIN;$$;", "", ""},
		{"BEGINNING;", "", ""},
		{"BEGIN 'x';", "", ""},
	} {
		start, end, words, ok := BlockBegin(c.script)
		got := ""
		if ok {
			got = c.script[start:end]
		}
		if got != c.want {
			t.Errorf("BlockBegin(%q) = %q, want %q", c.script, got, c.want)
		}
		if c.words == "" { // the words are the statement's
			c.words = strings.Join(strings.Fields(c.want), "|")
		}
		if got := strings.Join(words, "|"); got != c.words {
			t.Errorf("BlockBegin(%q) words = %q, want %q", c.script, got, c.words)
		}
	}
}

// FuzzBlockBegin checks that BlockBegin never panics and that what it
// finds starts with BEGIN and ends at a word.
func FuzzBlockBegin(f *testing.F) {
	for _, s := range []string{"BEGIN;", "begin work name \"x\";", "BEGIN TRANSACTION;", "SELECT '", "/* BEGIN; */", "$$BEGIN;$$ BEGIN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script string) {
		start, end, words, ok := BlockBegin(script)
		if !ok {
			return
		}
		if start < 0 || end > len(script) || start >= end || !strings.EqualFold(script[start:min(start+5, end)], "BEGIN") {
			t.Fatalf("BlockBegin(%q) = %d, %d: %q", script, start, end, script[start:end])
		}
		if len(words) == 0 || words[0] != script[start:start+5] || !strings.HasSuffix(script[:end], words[len(words)-1]) {
			t.Fatalf("BlockBegin(%q) words = %q, not from BEGIN to the end of %q", script, words, script[start:end])
		}
		for _, w := range words {
			if !strings.HasPrefix(w, `"`) && (strings.Contains(w, "--") || strings.Contains(w, "/*")) {
				t.Fatalf("BlockBegin(%q) words = %q: a comment kept", script, words)
			}
		}
	})
}
