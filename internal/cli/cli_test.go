package cli

import (
	"testing"

	"github.com/spf13/pflag"
)

// TestAsGiven checks that a command is repeated with its flags as given
// and its folder replaced or added, telling a flag's value, after a
// space, an = or a shorthand, from the folder.
func TestAsGiven(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "meshc build ../.."},
		{[]string{"--env", "dev"}, "meshc build --env dev ../.."},
		{[]string{"--env", "dev", "sub/a"}, "meshc build --env dev ../.."},
		{[]string{"sub/a", "--env=dev", "--check"}, "meshc build ../.. --env=dev --check"},
		{[]string{"--check", "sub/a"}, "meshc build --check ../.."},
		{[]string{"-e", "dev", "sub/a"}, "meshc build -e dev ../.."},
		{[]string{"-cedev", "sub/a"}, "meshc build -cedev ../.."},
		{[]string{"-ce", "dev", "sub/a"}, "meshc build -ce dev ../.."},
		{[]string{"--out", "my gen", "it's"}, "meshc build --out 'my gen' ../.."},
		{[]string{"--", "-sub"}, "meshc build -- ../.."},
		{[]string{"--env", "dev", "--"}, "meshc build --env dev -- ../.."},
		{[]string{"-", "--env", "dev"}, "meshc build ../.. --env dev"},
	} {
		fs := pflag.NewFlagSet("build", pflag.ContinueOnError)
		fs.StringP("env", "e", "", "")
		fs.String("out", "", "")
		fs.BoolP("check", "c", false, "")
		e := &env{}
		e.flags, e.args = fs, tc.args
		if got := e.asGiven("build", "../.."); got != tc.want {
			t.Errorf("asGiven of %q = %s, want %s", tc.args, got, tc.want)
		}
	}
}
