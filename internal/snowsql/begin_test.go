package snowsql

import (
	"strings"
	"testing"
)

func TestBlockBegin(t *testing.T) {
	for _, c := range []struct {
		script string
		want   string // the statement found, "" for none
	}{
		{"BEGIN; DELETE FROM T; INSERT INTO T SELECT 1; COMMIT;", "BEGIN"},
		{"begin work;\nDELETE FROM T;\nCOMMIT;", "begin work"},
		{"DELETE FROM T;\n-- all at once\n  BEGIN  -- now\n ;", "BEGIN"},
		{"BEGIN NAME load_t; COMMIT;", "BEGIN NAME load_t"},
		{"BEGIN WORK NAME \"load t\"; COMMIT;", "BEGIN WORK NAME \"load t\""},
		{"DELETE FROM T; BEGIN", "BEGIN"},
		// Statements Snowflake Scripting runs as written.
		{"BEGIN TRANSACTION; DELETE FROM T; COMMIT;", ""},
		{"BEGIN TRANSACTION NAME t; COMMIT;", ""},
		{"START TRANSACTION; DELETE FROM T; COMMIT;", ""},
		{"BEGIN\n  DELETE FROM T;\nEND;", ""},
		{"DECLARE n INTEGER; BEGIN n := 1; END;", ""},
		{"SELECT 'BEGIN;'; -- BEGIN;\n/* BEGIN; */ SELECT $$BEGIN;$$;", ""},
		{"BEGINNING;", ""},
		{"BEGIN 'x';", ""},
	} {
		start, end, ok := BlockBegin(c.script)
		got := ""
		if ok {
			got = c.script[start:end]
		}
		if got != c.want {
			t.Errorf("BlockBegin(%q) = %q, want %q", c.script, got, c.want)
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
		start, end, ok := BlockBegin(script)
		if !ok {
			return
		}
		if start < 0 || end > len(script) || start >= end || !strings.EqualFold(script[start:min(start+5, end)], "BEGIN") {
			t.Fatalf("BlockBegin(%q) = %d, %d: %q", script, start, end, script[start:end])
		}
	})
}
