package airflow

import (
	"regexp"
	"strings"
	"testing"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/snowsql"
)

// FuzzValidKey checks validKey against the pattern it stands for: the
// ASCII form of Airflow's KEY_REGEX, as meshc emits ASCII ids only.
func FuzzValidKey(f *testing.F) {
	airflowKey := regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
	for _, s := range []string{"", "a", "d0.p1", "steps.x-y_Z9", "a b", "é", "a\n", "\xff", "a/b", "a$"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validKey(s), airflowKey.MatchString(s); got != want {
			t.Errorf("validKey(%q) = %v, Airflow's pattern says %v", s, got, want)
		}
	})
}

// FuzzTestTaskID checks testTaskID on the tests of two columns of one
// port: each id, with the group's prefix, is a key Airflow takes, the ids
// of two columns differ unless both are cut and their hex digits are the
// same (which the build reports), and a test ID Airflow takes is kept.
func FuzzTestTaskID(f *testing.F) {
	long := "C" + strings.Repeat("_X", 125) + "$Y$Z" // 255 characters
	for _, s := range [][2]string{{"amount$usd", "amount_usd"}, {"a$", "a_"}, {"_", "A"}, {long, long[:254] + "Q"}, {long[:234], long[:233] + "Q"}} {
		f.Add(s[0], s[1], false)
		f.Add(s[0], s[1], true)
	}
	f.Fuzz(func(t *testing.T, a, b string, longNames bool) {
		if !snowsql.IsIdentifier(a) || !snowsql.IsIdentifier(b) || len(a) > 255 || len(b) > 255 || strings.EqualFold(a, b) {
			return // not two columns of one port
		}
		port, name := "main", "not_null"
		if longNames { // mesh names have at most 64 characters
			port, name = "p"+strings.Repeat("_x", 31)+"y", "t"+strings.Repeat("_x", 31)+"y"
		}
		test := func(column string) *plan.Test {
			p := &plan.Port{Name: port}
			return &plan.Test{ID: port + "." + column + "." + name, Name: name, Port: p, Column: &plan.Column{Name: column}}
		}
		ta, tb := test(a), test(b)
		ia, ib := testTaskID(ta), testTaskID(tb)
		for _, id := range []string{ia, ib} {
			if full := testsGroup + "." + id; !validKey(full) || len(full) > maxKey {
				t.Errorf("Airflow refuses the task id %q (%d characters)", full, len(full))
			}
		}
		cut := func(id string) bool { return strings.Contains(id, "--") }
		if ia == ib && !(cut(ia) && cut(ib)) {
			t.Errorf("the tests of columns %q and %q are both the task %q", a, b, ia)
		}
		if validKey(ta.ID) && len(testsGroup)+1+len(ta.ID) <= maxKey && ia != ta.ID {
			t.Errorf("test %s is the task %s; want its ID", ta.ID, ia)
		}
	})
}

// TestTestTaskIDLongNames checks testTaskID at the longest names a mesh
// writes, 64 characters for a port and a test and 255 for a column, and
// that names longer than a mesh allows do not make it panic.
func TestTestTaskIDLongNames(t *testing.T) {
	column := "c" + strings.Repeat("$x", 127) // 255 characters
	for _, n := range []int{64, 200} {
		port, name := "p"+strings.Repeat("x", n-1), "t"+strings.Repeat("x", n-1)
		test := &plan.Test{ID: port + "." + column + "." + name, Name: name, Port: &plan.Port{Name: port}, Column: &plan.Column{Name: column}}
		id := testTaskID(test)
		if !strings.HasPrefix(id, port+".") || !strings.HasSuffix(id, "."+name) || !validKey(id) {
			t.Errorf("testTaskID of %d-character names = %q; want the port's and the test's names around the column's", n, id)
		}
		if full := testsGroup + "." + id; n == 64 && len(full) > maxKey {
			t.Errorf("the task id %q is %d characters; Airflow allows %d", full, len(full), maxKey)
		}
	}
}
