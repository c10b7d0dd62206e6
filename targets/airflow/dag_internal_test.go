package airflow

import (
	"regexp"
	"testing"
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
