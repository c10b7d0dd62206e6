package credscan

import (
	"strings"
	"testing"
)

// TestFind checks the patterns both ways: each credential is found, with
// the text of its match, and the texts that only name, describe or stand
// for a credential are not.
func TestFind(t *testing.T) {
	for text, want := range map[string]string{
		// Snowflake's credential properties.
		`CREATE USER SVC_BI PASSWORD = 'Hunter2Hunter2!'`:                                        `PASSWORD = 'Hunter2Hunter2!'`,
		`ALTER USER SVC_BI SET PASSWORD='Hunter2Hunter2!' MUST_CHANGE_PASSWORD = TRUE`:           `PASSWORD='Hunter2Hunter2!'`,
		`create user svc password = "Hunter2Hunter2!"`:                                           `password = "Hunter2Hunter2!"`,
		`CREATE SECRET s TYPE = PASSWORD USERNAME = 'svc' PASSWORD = 'it''s me'`:                 `PASSWORD = 'it''s me'`,
		`CREATE SECRET s TYPE = GENERIC_STRING SECRET_STRING = 'sk-9f8e7d'`:                      `SECRET_STRING = 'sk-9f8e7d'`,
		`CREATE SECURITY INTEGRATION i OAUTH_CLIENT_SECRET = 'c1i3nt'`:                           `OAUTH_CLIENT_SECRET = 'c1i3nt'`,
		`CREATE SECRET s TYPE = OAUTH2 OAUTH_REFRESH_TOKEN = 'r3fr3sh'`:                          `OAUTH_REFRESH_TOKEN = 'r3fr3sh'`,
		"CREATE STAGE s URL = 's3://b/' ENCRYPTION = (TYPE = 'AWS_CSE' MASTER_KEY = 'bWFzdGVy')": `MASTER_KEY = 'bWFzdGVy'`,
		"CREDENTIALS = (AWS_KEY_ID = 'id' AWS_SECRET_KEY = 'wJalrXUt')":                          `AWS_SECRET_KEY = 'wJalrXUt'`,
		"CREDENTIALS = (AZURE_SAS_TOKEN = '?sv=2020&sig=abc')":                                   `AZURE_SAS_TOKEN = '?sv=2020&sig=abc'`,
		"CREATE USER u PASSWORD = $$Hunter2$$":                                                   `PASSWORD = $$Hunter2$$`,
		"SELECT 1;\n-- set PASSWORD = 'Hunter2'\n":                                               `PASSWORD = 'Hunter2'`,
		// Connection strings, also in SQL comments.
		"-- conn: password=hunter2hunter2":        `password=hunter2hunter2`,
		"Server=db;Uid=svc;Pwd=hunter2;":          `Pwd=hunter2`,
		"postgres://svc:hunter2@db.example.com/x": `://svc:hunter2@`,
		// Tokens and keys.
		"-----BEGIN RSA PRIVATE KEY-----\nMIIE": `-----BEGIN RSA PRIVATE KEY-----`,
		"key AKIAIOSFODNN7EXAMPLE":              `AKIAIOSFODNN7EXAMPLE`,
		// Not credentials.
		`CREATE USER u PASSWORD = ''`:                                       "",
		`CREATE USER u PASSWORD = ""`:                                       "",
		`ALTER USER u SET PASSWORD = $pw`:                                   "",
		`ALTER USER u SET PASSWORD = $pw, MUST_CHANGE_PASSWORD = TRUE`:      "",
		`ALTER USER u SET PASSWORD = :pw`:                                   "",
		`ALTER USER u SET PASSWORD = IDENTIFIER($pw)`:                       "",
		`CREATE USER u PASSWORD = '&{svc_password}'`:                        "",
		`CREATE USER u PASSWORD = '{{ var.value.svc_password }}'`:           "",
		`-- set PASSWORD = '<from vault>'`:                                  "",
		`-- conn: password=<from vault>`:                                    "",
		`ALTER USER u SET MUST_CHANGE_PASSWORD = TRUE`:                      "",
		`ALTER USER u SET PASSWORD_POLICY = pp; CREATE PASSWORD POLICY x`:   "",
		`SELECT password_hash FROM users WHERE password_hash = 'abc'`:       "",
		`CREATE USER u RSA_PUBLIC_KEY = 'MIIBIjANBgkqh' COMMENT = 'pw'`:     "",
		`CREATE STAGE s CREDENTIALS = (AWS_ROLE = 'arn:aws:iam::1:role/r')`: "",
		`mysql --password=$DB_PASSWORD`:                                     "",
		`password=ab`:                                                       "",
		`SELECT 1`:                                                          "",
	} {
		m, found := Find(text)
		got := ""
		if found {
			got = text[m.Start:m.End]
		}
		if got != want {
			t.Errorf("%s: found %q, want %q", text, got, want)
		}
	}
}

// TestFindAll checks that every credential of a file is found, in order,
// with its line.
func TestFindAll(t *testing.T) {
	text := "CREATE USER a PASSWORD = 'Hunter2Hunter2!';\nSELECT 1;\r\n-- conn: password=hunter2hunter2\nALTER USER b SET PASSWORD = $pw;\n"
	var lines []int
	for _, m := range FindAll(text) {
		lines = append(lines, m.Line(text))
	}
	if len(lines) != 2 || lines[0] != 1 || lines[1] != 3 {
		t.Errorf("lines %v, want [1 3]", lines)
	}
}

// TestWhat checks that a credential in SQL is named for its property, as
// the user would search the file for it.
func TestWhat(t *testing.T) {
	for text, want := range map[string]string{
		`alter user u set password = 'Hunter2'`:                    "a literal PASSWORD in SQL",
		`CREDENTIALS = (AWS_KEY_ID = 'id' AWS_SECRET_KEY = 'k3y')`: "a literal AWS_SECRET_KEY in SQL",
		`password=hunter2`: "a password in a connection string",
	} {
		if m, _ := Find(text); m.What != want {
			t.Errorf("%s: %q, want %q", text, m.What, want)
		}
	}
}

// TestInFile checks the detail a target reports for a step's file.
func TestInFile(t *testing.T) {
	if _, found := InFile("sql/x.sql", "ALTER USER u SET PASSWORD = $pw;\n"); found {
		t.Error("a session variable reported as a credential")
	}
	detail, found := InFile("sql/x.sql", "SELECT 1;\nCREATE USER u PASSWORD = 'Hunter2';\n")
	if want := "The file sql/x.sql holds a literal PASSWORD in SQL on line 2, "; !found || !strings.HasPrefix(detail, want) || !strings.Contains(detail, "secret") {
		t.Errorf("detail %q, want it to start with %q and say to use a secret", detail, want)
	}
}
