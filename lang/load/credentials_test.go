package load

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/meshc/meshc/lang/diag"
)

// TestCredentialArguments checks which elements of a list of command-line
// arguments are literal credentials: the literal value a credential-named
// flag is given, as the next element or after its =, and nothing else.
func TestCredentialArguments(t *testing.T) {
	for args, want := range map[string]string{
		`["--table", "STG", "--token", "glp4t-9f8e7d6c5b4a3"]`: `"glp4t-9f8e7d6c5b4a3"`,
		`["--api-key=sk_live_51Habc"]`:                         `"--api-key=sk_live_51Habc"`,
		`["--password", "hunter2"]`:                            `"hunter2"`,
		`["--passwd", "hunter2"]`:                              `"hunter2"`,
		`["--apikey", "k3y"]`:                                  `"k3y"`,
		`["-secret", "s3cr3t"]`:                                `"s3cr3t"`,
		`["--client-secret", "c1i3nt"]`:                        `"c1i3nt"`,
		`["--access-key=-k3y"]`:                                `"--access-key=-k3y"`,
		`["--Password", "hunter2", "positional"]`:              `"hunter2"`,
		// Not credentials.
		`["--secret", secret.scoring_api]`:      "",
		`["--secret", "${secret.scoring_api}"]`: "",
		`["--token=${secret.x}"]`:               "",
		`["--token", ""]`:                       "",
		`["--password="]`:                       "",
		`["--token", "--verbose"]`:              "",
		`["--token", "$TOKEN"]`:                 "",
		`["--password=$${DB_PASSWORD}"]`:        "",
		`["--token-file", "/run/secrets/t"]`:    "",
		`["--secret-name", "SCORING"]`:          "",
		`["-p", "5432", "--table", "STG"]`:      "",
		`["--token"]`:                           "",
		`["token", "abc"]`:                      "",
		`["--password hunter2"]`:                "",
	} {
		src := []byte("args = " + args + "\n")
		f, hds := hclsyntax.ParseConfig(src, "step.mesh.hcl", hcl.InitialPos)
		if hds.HasErrors() {
			t.Fatalf("%s: %s", args, hds)
		}
		ds := findCredentials(diag.NewFile("step.mesh.hcl", src), f.Body.(*hclsyntax.Body))
		got := ""
		for _, d := range ds {
			if d.Code != "literal-credential" {
				continue
			}
			if got != "" {
				t.Errorf("%s: more than one literal credential: %v", args, ds)
			}
			start, end := d.Subject.Offsets()
			got = string(src[start:end])
			if !strings.Contains(d.Detail, "secret block") {
				t.Errorf("%s: the detail does not say to use a secret block: %s", args, d.Detail)
			}
		}
		if got != want {
			t.Errorf("%s: literal credential %q, want %q", args, got, want)
		}
	}
}
