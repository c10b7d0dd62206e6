package snowsql

import "testing"

// shapeCases are texts whose quotes, comments and semicolons ShapeOf must
// read as Unclosed and Split do.
var shapeCases = []string{
	"", ";", " ; ;\n", "SELECT 1", "SELECT 1;", "SELECT 1; ", "SELECT 1;;", "SELECT 1; -- done",
	"SELECT 1; SELECT 2", "SELECT 1; /* c */ ; SELECT 2;", "-- only\n/* comments */",
	"SELECT 'a;b'", "SELECT 'it''s; x'", `SELECT 'a\'; b'`, `SELECT 'a\\'; SELECT 2`, `SELECT '\`,
	`SELECT "a;""b"`, `SELECT "a`, `SELECT "a""`, "SELECT $$ ; $$", "SELECT $$ ; $", "SELECT $1, $",
	"SELECT 1 -- ; x\n; SELECT 2", "SELECT 1 // ;", "SELECT 1 /* ; */", "SELECT 1 /* ;", "SELECT 1 /*/",
	"SELECT 1 - 2 / 3", "SELECT 1;\u00a0", "SELECT 1;\u00a0x", "SELECT 1;\u2028;é", "SELECT 1;\xff",
	"SELECT 1;\x85", "; x", "'", "\"", "$$", "/*", "--", "//", "-", "/", "$", "'';\"\";$$$$",
}

func TestShapeOf(t *testing.T) {
	for _, sql := range shapeCases {
		sameShape(t, sql)
	}
	for sql, want := range map[string]Shape{
		"SELECT 1;":                     {Statements: 1},
		"SELECT 1; SELECT 2":            {Statements: 2, SecondAt: 8},
		"SELECT 1;; /* x */ ; SELECT 2": {Statements: 2, SecondAt: 19},
		"SELECT 'a":                     {Open: "a quoted string", OpenAt: 7},
		"SELECT 1; /* x":                {Open: "a comment", OpenAt: 10},
	} {
		got := ShapeOf(sql)
		if got.Open != "" {
			got.Statements, got.SecondAt = 0, 0 // not said once a quote is open
		}
		if got != want {
			t.Errorf("ShapeOf(%q) = %+v, want %+v", sql, got, want)
		}
	}
}

// sameShape checks ShapeOf against Unclosed and Split, on a string and on
// bytes.
func sameShape(t *testing.T, sql string) {
	t.Helper()
	for _, got := range []Shape{ShapeOf(sql), ShapeOf([]byte(sql))} {
		if want := Unclosed(sql); got.Open != want {
			t.Errorf("ShapeOf(%q).Open = %q; Unclosed gives %q", sql, got.Open, want)
		}
		if got.Open != "" {
			if Unclosed(sql[:got.OpenAt]) != "" || Unclosed(sql[got.OpenAt:]) != got.Open {
				t.Errorf("ShapeOf(%q).OpenAt = %d, where nothing open starts", sql, got.OpenAt)
			}
			continue
		}
		split := Split(sql)
		if got.Statements != len(split) {
			t.Errorf("ShapeOf(%q).Statements = %d; Split gives %q", sql, got.Statements, split)
		}
		if got.Statements > 1 && (sql[got.SecondAt] != ';' || len(Split(sql[:got.SecondAt])) != 1 || len(Split(sql[:got.SecondAt+1])) != 1) {
			t.Errorf("ShapeOf(%q).SecondAt = %d, not the semicolon before the second statement", sql, got.SecondAt)
		}
	}
}

func FuzzShapeOf(f *testing.F) {
	for _, sql := range shapeCases {
		f.Add(sql)
	}
	f.Fuzz(sameShape)
}

var shapeBench = []string{
	"SELECT child.*\nFROM FINANCE_P12_MAIN AS child\nWHERE child.customer_id IS NOT NULL\n  AND NOT EXISTS (SELECT 1 FROM SALES.SALES_P3 AS parent WHERE parent.id = child.customer_id)",
	"SELECT * FROM FINANCE.FINANCE_P12 WHERE status NOT IN ('ACTIVE', 'INACTIVE', 'PENDING')",
}

// BenchmarkShapeOf is a rendered test's check, against Unclosed and Split
// (BenchmarkUnclosedSplit) that it stands for.
func BenchmarkShapeOf(b *testing.B) {
	for b.Loop() {
		for _, sql := range shapeBench {
			ShapeOf(sql)
		}
	}
}

func BenchmarkUnclosedSplit(b *testing.B) {
	for b.Loop() {
		for _, sql := range shapeBench {
			Unclosed(sql)
			Split(sql)
		}
	}
}
