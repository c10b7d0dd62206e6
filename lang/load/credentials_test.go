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
		`["/usr/bin/psql", "--password=hunter2", "mydb1"]`:     `"--password=hunter2"`,
		// Not credentials.
		`["--secret", secret.scoring_api]`:                         "",
		`["--secret", "${secret.scoring_api}"]`:                    "",
		`["--token=${secret.x}"]`:                                  "",
		`["--token", ""]`:                                          "",
		`["--password="]`:                                          "",
		`["--token", "--verbose"]`:                                 "",
		`["--token", "$TOKEN"]`:                                    "",
		`["--password=$${DB_PASSWORD}"]`:                           "",
		`["--token-file", "/run/secrets/t"]`:                       "",
		`["--secret-name", "SCORING"]`:                             "",
		`["-p", "5432", "--table", "STG"]`:                         "",
		`["--token"]`:                                              "",
		`["token", "abc"]`:                                         "",
		`["psql", "-h", "db1", "--password", "mydb1"]`:             "",
		`["-c", "curl --password hunter2 https://db.example.com"]`: `--password hunter2`,
	} {
		src := []byte("args = " + args + "\n")
		f, hds := hclsyntax.ParseConfig(src, "step.mesh.hcl", hcl.InitialPos)
		if hds.HasErrors() {
			t.Fatalf("%s: %s", args, hds)
		}
		ds := findCredentials(diag.NewFile("step.mesh.hcl", src), src, f.Body.(*hclsyntax.Body))
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

// TestCredentialPositions checks that a credential found inside a string
// is reported where it is written, line and column, in a heredoc whose
// <<- takes off an indent as in a quoted string; and at the whole string,
// naming the line in it, where the string spells it with an escape.
func TestCredentialPositions(t *testing.T) {
	for _, c := range []struct {
		src       string
		line, col int32
		text      string
		where     string // the detail's ", on its line N", when not found
	}{
		{"sql = <<-SQL\n    SELECT 1;\n    CREATE USER u PASSWORD = 'Hunter2';\n  SQL\n", 3, 19, `PASSWORD = 'Hunter2'`, ""},
		{"sql = <<SQL\nSELECT 1;\n\n  CREATE USER u PASSWORD = 'Hunter2';\nSQL\n", 4, 17, `PASSWORD = 'Hunter2'`, ""},
		{"sql = <<-SQL\n\tSELECT '$${x}';\n\t\tALTER USER u SET PASSWORD = 'Hunter2';\n\tSQL\n", 3, 20, `PASSWORD = 'Hunter2'`, ""},
		{"command = \"echo \\\"hi\\\" && curl --token abc123 https://x\"\n", 1, 32, `--token abc123`, ""},
		{"sql = \"-- password=hunter2\\nSELECT 1; -- password=hunter2\"\n", 1, 11, `password=hunter2`, ""},
		{"key = <<-EOT\n  id:\n  \\u0041KIAIOSFODNN7EXAMPL3\n  AKIAIOSFODNN7EXAMPL3\nEOT\n", 4, 3, `AKIAIOSFODNN7EXAMPL3`, ""},
		{"key = \"id:\\n\\u0041KIAIOSFODNN7EXAMPL3\"\n", 1, 7, `"id:\n\u0041KIAIOSFODNN7EXAMPL3"`, ", on its line 2"},
		{"sql = <<-SQL\n    SELECT ${column}\n    FROM ${table} -- password=hunter2\n  SQL\n", 3, 22, `password=hunter2`, ""},
		// Inside a template's directives, in either branch, or the body
		// of a for.
		{"command = \"%{ if var.x }curl --token abc123 https://x%{ endif }\"\n", 1, 30, `--token abc123`, ""},
		{"command = \"%{ if var.x }true%{ else }curl --token abc123 https://x%{ endif }\"\n", 1, 43, `--token abc123`, ""},
		{"sql = <<-SQL\n  %{ for t in var.tables }\n  GRANT SELECT ON ${t} TO r;\n  %{ endfor }\n  CREATE USER u PASSWORD = 'Hunter2';\n  SQL\n", 5, 17, `PASSWORD = 'Hunter2'`, ""},
		{"sql = <<-SQL\n  %{ for t in var.tables }\n  -- ${t}: password=hunter2\n  %{ endfor }\n  SQL\n", 3, 12, `password=hunter2`, ""},
	} {
		src := []byte(c.src)
		f, hds := hclsyntax.ParseConfig(src, "step.mesh.hcl", hcl.InitialPos)
		if hds.HasErrors() {
			t.Fatalf("%q: %s", c.src, hds)
		}
		ds := findCredentials(diag.NewFile("step.mesh.hcl", src), src, f.Body.(*hclsyntax.Body))
		if len(ds) != 1 {
			t.Errorf("%q: %d diagnostics, want 1: %v", c.src, len(ds), ds)
			continue
		}
		start, end := ds[0].Subject.Offsets()
		if p := ds[0].Subject.Start(); p.Line != c.line || p.Column != c.col || string(src[start:end]) != c.text {
			t.Errorf("%q: at %d:%d %q, want %d:%d %q", c.src, p.Line, p.Column, src[start:end], c.line, c.col, c.text)
		}
		if got := strings.Contains(ds[0].Detail, ", on its line"); got != (c.where != "") || c.where != "" && !strings.Contains(ds[0].Detail, c.where) {
			t.Errorf("%q: detail %q, want %q in it", c.src, ds[0].Detail, c.where)
		}
		if ds[0].Context == nil || ds[0].Context.Start().Line > c.line {
			t.Errorf("%q: the context is not the string around the credential", c.src)
		}
	}
}

// TestCredentialNames checks which arguments and map entries are literal
// credentials by their names: those whose last word or two name one, not
// every name holding a credential's word, such as max_tokens.
func TestCredentialNames(t *testing.T) {
	for src, want := range map[string]bool{
		`api_token = "abc123"`:                                       true,
		`clientSecret = "c1i3nt"`:                                    true,
		`private_key_pem = "MIIEvQ"`:                                 true,
		`pin_password = 1234`:                                        true,
		`variables = { SNOWFLAKE_PASSWORD = "h2" }`:                  true,
		`variables = { "DBT_API_TOKEN" = "abc123" }`:                 true,
		`secret_key_base = "9f8e7d6c5b4a"`:                           true,
		`variables = { SECRET_KEY_BASE = "9f8e7d6c5b4a" }`:           true,
		`max_tokens = 1000`:                                          false,
		`token_count = 5`:                                            false,
		`password_file = "/run/secrets/db"`:                          false,
		`secrets_schema = "SECRETS"`:                                 false,
		`variables = { MAX_TOKENS = "1000" }`:                        false,
		`variables = { OPENAI_MAX_TOKENS = "4096" }`:                 false,
		`variables = { TOKENIZER = "cl100k_base" }`:                  false,
		`variables = { SNOWFLAKE_PASSWORD = "$PW" }`:                 false,
		`variables = { PRIVATE_KEY_PATH = "/k.p8" }`:                 false,
		`variables = { GOOGLE_APPLICATION_CREDENTIALS = "/k.json" }`: false,
	} {
		b := []byte(src + "\n")
		f, hds := hclsyntax.ParseConfig(b, "step.mesh.hcl", hcl.InitialPos)
		if hds.HasErrors() {
			t.Fatalf("%s: %s", src, hds)
		}
		ds := findCredentials(diag.NewFile("step.mesh.hcl", b), b, f.Body.(*hclsyntax.Body))
		if got := len(ds) > 0; got != want {
			t.Errorf("%s: literal credential %v, want %v: %v", src, got, want, ds)
		}
	}
}
