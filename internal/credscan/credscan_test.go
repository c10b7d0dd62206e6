package credscan

import (
	"reflect"
	"regexp"
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
		"host=db1 user=svc password=hunter2":      `password=hunter2`,
		"Server=db;Uid=svc, Pwd=hunter2;":         `Pwd=hunter2`,
		"Server=db;Uid=svc;Pwd=hunter2;":          `Pwd=hunter2`,
		"postgres://svc:hunter2@db.example.com/x": `://svc:hunter2@`,
		"redis://:hunter2@cache:6379":             `://:hunter2@`,
		"snowflake://svc:Hunter2@acme/DB":         `://svc:Hunter2@`,
		"DefaultEndpointsProtocol=https;AccountName=raw;AccountKey=bWFzdGVyS2V5PT0=;EndpointSuffix=core.windows.net": `AccountKey=bWFzdGVyS2V5PT0=`,
		"spring.datasource.password=hunter2":                                  `password=hunter2`,
		"https://api.example.com/v1?access_token=9f8e7d6c5b":                  `?access_token=9f8e7d6c5b`,
		"https://raw.blob.core.windows.net/c?sv=2022-11-02&sp=r&sig=bWFzdGVy": `&sig=bWFzdGVy`,
		// Tokens and keys.
		"-----BEGIN RSA PRIVATE KEY-----\nMIIE":   `-----BEGIN RSA PRIVATE KEY-----`,
		"-----BEGIN PGP PRIVATE KEY BLOCK-----\n": `-----BEGIN PGP PRIVATE KEY BLOCK-----`,
		"key AKIAIOSFODNN7EXAMPLE":                `AKIAIOSFODNN7EXAMPLE`,
		// A private key's base64 without its PEM lines, PKCS #8 and #1.
		"ALTER USER SVC SET RSA_PUBLIC_KEY = 'MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQ'": `MIIEvgIBADANBgkqhkiG9w0BAQEFAASC`,
		"MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun":                         `MIIEpAIBAAKCA`,
		// Flags named for a credential, in a command line written as one
		// string: a value after an =, or after a space one that has a
		// digit or is long.
		"curl --token abc123 https://gitlab.example.com/api":           `--token abc123`,
		"sh -c 'load --password=hunter2 --table STG'":                  `--password=hunter2`,
		`snow sql --password "Hunter2!" -q "select 1"`:                 `--password "Hunter2!"`,
		"aws secretsmanager create-secret --secret-string s3cr3tValue": `--secret-string s3cr3tValue`,
		"tool --client-secret 9f8e7d6c5b4a3f2e1d0c":                    `--client-secret 9f8e7d6c5b4a3f2e1d0c`,
		"tool --api-key=abc":                                           `--api-key=abc`,
		"tool -secret s3cr3t":                                          `-secret s3cr3t`,
		"psql --password=hunter2 mydb1":                                `--password=hunter2`,
		"mysql -u svc --password=hunter2 mydb1":                        `--password=hunter2`,
		// HTTP's credentials.
		`curl -H "Authorization: Bearer 9f8e7d6c5b4a3f2e1d0c" https://x`:               `Bearer 9f8e7d6c5b4a3f2e1d0c`,
		`curl -H 'Authorization: Basic c3ZjOmh1bnRlcjI=' https://x`:                    `Authorization: Basic c3ZjOmh1bnRlcjI=`,
		`curl --header "X-API-Key: k3y9f8e7" https://x`:                                `X-API-Key: k3y9f8e7`,
		"CREATE API INTEGRATION i API_PROVIDER = aws_api_gateway API_KEY = 'k3y9f8e7'": `API_KEY = 'k3y9f8e7'`,
		// Variables a command sets, and a configuration file's keys.
		"export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCY && aws s3 ls": `AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCY`,
		"export SECRET_KEY_BASE=9f8e7d6c5b4a3f2e1d0c && bin/rails s":               `SECRET_KEY_BASE=9f8e7d6c5b4a3f2e1d0c`,
		"production:\n  secret_key_base: 9f8e7d6c5b4a3f2e1d0c\n":                   `secret_key_base: 9f8e7d6c5b4a3f2e1d0c`,
		"GITLAB_TOKEN='glp4t-9f8e7d6c5b4a3' ./publish.sh":                          `GITLAB_TOKEN='glp4t-9f8e7d6c5b4a3'`,
		"outputs:\n  prod:\n    password: hunter2\n":                               `password: hunter2`,
		`{"type": "service_account", "client_secret": "abc"}`:                      `client_secret": "abc"`,
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
		// Columns and expressions of SQL, where a literal would be quoted.
		"MERGE INTO users u USING staged s ON u.id = s.id WHEN MATCHED THEN UPDATE SET u.password = s.password": "",
		"UPDATE users SET password = crypt(pw, gen_salt('bf'))":                                                 "",
		"UPDATE users SET password = new_password WHERE id = 1":                                                 "",
		"UPDATE users SET password=excluded.password":                                                           "",
		"UPDATE users SET password = other_col WHERE id = 1":                                                    "",
		"UPDATE users SET updated = 1, password = other_col":                                                    "",
		"SELECT * FROM users WHERE id = 1 AND password = other_col":                                             "",
		"SELECT * FROM users u JOIN staged s ON (password = other_col)":                                         "",
		"SELECT * FROM users WHERE password = @pw":                                                              "",
		// Masks, placeholders and the credential's name in its place.
		"password=********":                      "",
		"password=...":                           "",
		"password=[REDACTED]":                    "",
		"password={pw}":                          "",
		"postgres://svc:****@db/x":               "",
		"postgres://user:password@host/db":       "",
		"postgres://svc:${PGPASSWORD}@db/x":      "",
		"Connect with `password=...` in the URL": "",
		`password_secret = secret.x`:             "",
		`db_password = secret.db_password`:       "",
		"-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA": "",
		`curl -H "Authorization: Bearer $TOKEN" https://x`:                         "",
		"Calls send a Bearer token, or Basic authentication":                       "",
		`curl -H "X-Request-Id: 9f8e7d6c" -H "X-API-Key: $KEY" https://x`:          "",
		// Flags that stand for a credential, say where one is, switch one
		// on, or are named in prose.
		`curl --token "$TOKEN" https://x`:                                                "",
		"curl --token ${TOKEN} https://x":                                                "",
		"curl --token {{token}} https://x":                                               "",
		`curl --token "$(cat /run/secrets/token)" https://x`:                             "",
		"curl --password-file /run/secrets/pw":                                           "",
		"curl --password-file pw.txt":                                                    "",
		"tool --token-env GITLAB_TOKEN":                                                  "",
		"tool --token-env NAME2":                                                         "",
		"docker login --password-stdin registry2.example.com":                            "",
		"gpg --batch --passphrase-fd 0 -d f.gpg":                                         "",
		"psql --no-password -h db1":                                                      "",
		"psql --password mydb1":                                                          "",
		"sudo -u postgres /usr/bin/psql -h db1 --password analytics2":                    "",
		"pg_dump --password -f out.sql mydb1 && mysql --password mydb1 < out.sql":        "",
		"tool --credentials /etc/creds.json":                                             "",
		"tool --token @token.txt":                                                        "",
		"tool --token TOKEN --api-key YOUR_API_KEY":                                      "",
		"tool --max-tokens 1000":                                                         "",
		"tool --token --verbose":                                                         "",
		"Pass --token with each call, or use --password to be prompted.":                 "",
		"dbt run --profiles-dir . --target prod":                                         "",
		"MESHC_TOKEN={{token}} python3 - {{job}}":                                        "",
		"export AWS_ACCESS_KEY_ID=$AWS_KEY GOOGLE_APPLICATION_CREDENTIALS=/run/key.json": "",
		"export DBT_TOKEN_COUNT=12345":                                                   "",
		"Password: see the vault\nToken: none\nmax_tokens: 1000\n":                       "",
		`{"password": "{{ env_var('DBT_PASSWORD') }}"}`:                                  "",
		`password=ab`: "",
		`SELECT 1`:    "",
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
		`password=hunter2`:                        "a password in a connection string",
		"curl --token abc123 https://x":           `a literal value of the flag "--token"`,
		"export AWS_SECRET_ACCESS_KEY=wJalrXUtnF": "a literal value of the variable AWS_SECRET_ACCESS_KEY",
		"  password: hunter2":                     `a literal value of the key "password"`,
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

// TestNamesCredential checks which names of flags, variables and keys say
// they hold a credential: by their last word or two, not by a credential's
// word anywhere in them.
func TestNamesCredential(t *testing.T) {
	for name, want := range map[string]bool{
		"password": true, "db-password": true, "PGPASSWORD": true, "Password": true, "passwd": true,
		"api-key": true, "apikey": true, "ACCESS-KEY": true, "AWS_SECRET_ACCESS_KEY": true,
		"client_secret": true, "clientSecret": true, "keyStorePassword": true, "AWS_SESSION_TOKEN": true,
		"secret-string": true, "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE": true, "new-password": true,
		"token-file": false, "password-stdin": false, "passphrase-fd": false, "secret-name": false,
		"AWS_ACCESS_KEY_ID": false, "max_tokens": false, "tokenizer": false, "no-password": false,
		"ask-password": false, "key": false, "sort-key": false, "token-env": false, "p": false, "": false,
		"secret_key_base": true, "SECRET_KEY_BASE": true, "key_base": false, "database": false,
		"private_key_pem": true, "SSH_PRIVATE_KEY_BASE64": true, "MAX_TOKENS": false, "token_count": false, "key_pem": false,
	} {
		if got := NamesCredential(name); got != want {
			t.Errorf("NamesCredential(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestFindAllOnce checks that a credential two patterns find is listed
// once, as the match that starts first names it.
func TestFindAllOnce(t *testing.T) {
	all := FindAll("PGPASSWORD=hunter2 psql -h db")
	if len(all) != 1 || all[0].What != "a literal value of the variable PGPASSWORD" {
		t.Errorf("FindAll = %+v, want PGPASSWORD's value once", all)
	}
}

// TestAnchoredPatterns checks that a pattern run only where at accepts a
// start (locs) finds what a search of the whole text finds, with its
// expression unanchored as before: \b for the SQL properties, a line's ^
// for a configuration file's keys.
func TestAnchoredPatterns(t *testing.T) {
	texts := []string{
		"CREATE USER a PASSWORD = 'Hunter2Hunter2!';\nSELECT 1;\r\n-- conn: password=hunter2hunter2\nALTER USER b SET PASSWORD = $pw;\n",
		"ALTER USER u SET MUST_CHANGE_PASSWORD = TRUE, password\n  =\n 'x''y', api_key = $$k3y\nmore$$ master_KEY='m' xAPI_KEY = 'no'",
		"outputs:\n  prod:\n    password: hunter2\n    - token: 'abc123' # note\r\n  key: v\nsecret_key_base: 9f8e7d6c5b4a3f2e1d0c",
		"PASSWORD = '", "password:", "", "\n\n",
	}
	for _, p := range patterns {
		if p.at == nil {
			continue
		}
		searched := regexp.MustCompile(strings.NewReplacer(`(?is)\A`, `(?is)\b`, `(?m)\A`, `(?m)^`).Replace(p.re.String()))
		if searched.String() == p.re.String() {
			t.Fatalf("no unanchored form of %s", p.re)
		}
		for _, text := range texts {
			if got, want := p.locs(text), searched.FindAllStringSubmatchIndex(text, -1); !reflect.DeepEqual(got, want) {
				t.Errorf("%s in %q: %v, want %v", p.re, text, got, want)
			}
		}
	}
}
