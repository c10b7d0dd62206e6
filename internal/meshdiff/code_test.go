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
