package cli

import "testing"

// TestOwnerFlag checks that ownerFlag reads a flag's value from a build's
// owner command in either form pflag takes, with values quoted as
// shell.Quote quotes them, and not from inside another flag's value.
func TestOwnerFlag(t *testing.T) {
	for _, tt := range []struct{ owner, flag, want string }{
		{"meshc build --target gitlab --env prod", "--env", "prod"},
		{"meshc build --target=gitlab --env=prod", "--env", "prod"},
		{"meshc build --target gitlab --env=prod", "--target", "gitlab"},
		{"meshc build --target gitlab --mesh-dir 'a --env b' --env prod", "--env", "prod"},
		{"meshc build --target gitlab --mesh-dir 'a --env=b'", "--env", ""},
		{"meshc build --target gitlab --environment prod", "--env", ""},
		{"meshc build --target gitlab --env", "--env", ""},
	} {
		if got := ownerFlag(tt.owner, tt.flag); got != tt.want {
			t.Errorf("ownerFlag(%q, %q) = %q, want %q", tt.owner, tt.flag, got, tt.want)
		}
	}
}
