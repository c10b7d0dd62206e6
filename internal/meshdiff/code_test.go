package meshdiff

import "testing"

func TestSameCode(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{"length(port.tests) > 0", "length( port.tests )>0", true},
		{"upper(\n  port.object_name\n)", "upper(port.object_name)", true},
		{"[for c in port.columns : c.name]", "[for c in port.columns: c.name]", true},
		{"[for c in x : c]", "[forc in x : c]", false},
		{`"a  b"`, `"a b"`, false},
		{`"say \"a  b\"" == x`, `"say \"a  b\""==x`, true},
		{`"a\\" == "b  c"`, `"a\\"=="b  c"`, true},
		{"x > 0", "x >= 0", false},
	} {
		if got := sameCode(tt.a, tt.b); got != tt.same {
			t.Errorf("sameCode(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.same)
		}
	}
}

func TestOneLine(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"upper(\n  port.object_name\n)", "upper( port.object_name )"},
		{"  x  >\t0 ", "x > 0"},
		{`"a  b" ==  x`, `"a  b" == x`},
		{`"say \"a  b\""  ==  "c\\"  ==  "d  e"`, `"say \"a  b\"" == "c\\" == "d  e"`},
		{"x\r\n  == y", "x == y"},
	} {
		if got := oneLine(tt.in); got != tt.want {
			t.Errorf("oneLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestReplaceNames(t *testing.T) {
	columns := map[string]string{"PAID": "PAID"}
	moves := map[string]string{"DB.S.A": "DB.S.B", "DB.S.B": "DB.S.C", `DB.S."a b"`: "DB.S.D"}
	for _, tt := range []struct {
		sql    string
		column bool
		want   string
	}{
		{"select paid, o.Paid from t o where paid_at > 0", true, "select PAID, o.PAID from t o where paid_at > 0"},
		{"select 1 where kind not in ('paid', 'it''s paid')", true, "select 1 where kind not in ('paid', 'it''s paid')"},
		{"select $$paid$$ -- paid\n, paid /* paid */", true, "select $$paid$$ -- paid\n, PAID /* paid */"},
		{`select "paid", x$$paid from t`, true, `select "paid", x$$paid from t`},
		{"select * from DB.S.A join DB.S.B", false, "select * from DB.S.B join DB.S.C"},
		{"select * from DB.S.AB, XDB.S.A, DB.S.A.x", false, "select * from DB.S.AB, XDB.S.A, DB.S.B.x"},
		{`select 'DB.S.A' from DB.S."a b"`, false, `select 'DB.S.A' from DB.S.D`},
		{`select "x DB.S.A" from "DB".S.A, DB.S."A"`, false, `select "x DB.S.A" from "DB".S.A, DB.S."A"`},
	} {
		names := moves
		if tt.column {
			names = columns
		}
		if got := replaceNames(tt.sql, names, tt.column); got != tt.want {
			t.Errorf("replaceNames(%q) = %q, want %q", tt.sql, got, tt.want)
		}
	}
}
