# How the GitLab CI target runs steps and tests: one job template per
# runner, and one for tests. A platform team overrides any of these settings
# in its own target "gitlab" block (in mesh.hcl or a platform folder),
# setting by setting: its image, script or variables replace these.
#
# Script lines are shell commands. {{NAME}} stands for the step's argument
# NAME as shell words, quoted so that the shell sees the value exactly;
# {{FLAG NAME}} writes FLAG and the value only when the argument is set.
# A secret argument becomes a reference to the variable GitLab fills from
# the vault, never the value. In HCL, write $${ for a literal ${.
#
# Jobs reach Snowflake through the Snowflake CLI. Its account, user and
# credentials are CI/CD variables of the project (SNOWFLAKE_ACCOUNT,
# SNOWFLAKE_USER, SNOWFLAKE_AUTHENTICATOR, SNOWFLAKE_PRIVATE_KEY_RAW...);
# meshc sets SNOWFLAKE_DATABASE, SNOWFLAKE_WAREHOUSE and SNOWFLAKE_ROLE from
# the environment. These images install their tools on every run; a
# platform team will want prebuilt images instead.

target "gitlab" {
  granularity      = "product"
  trigger_strategy = "depend"
  job_limit        = 500
  vault_audience   = "$VAULT_SERVER_URL"
  vault_engine     = "kv-v2"

  runner "sql" {
    image = "python:3.12-slim"
    script = [
      "pip install --quiet --root-user-action=ignore snowflake-cli",
      "snow sql --temporary-connection --enable-templating NONE --filename {{file}}",
    ]
  }

  runner "python" {
    image  = "python:3.12-slim"
    script = ["python {{script}} {{args}}"]
  }

  runner "shell" {
    image  = "alpine:3.20"
    script = ["sh -c {{command}}"]
  }

  runner "dbt" {
    image  = "ghcr.io/dbt-labs/dbt-snowflake:1.9.latest"
    script = ["dbt build --select {{select}} {{--project-dir project_dir}}"]
  }

  # TALEND_API_URL is the Talend Cloud API of the account's region, such as
  # https://api.eu.cloud.talend.com; the job is the Talend task's
  # executable id.
  runner "talend" {
    image = "curlimages/curl:8.10.1"
    script = [
      "job={{job}} token={{token}}",
      "curl --fail-with-body --silent --show-error -X POST \"$TALEND_API_URL/processing/executions\" -H \"Authorization: Bearer $token\" -H 'Content-Type: application/json' --data-binary \"{\\\"executable\\\": \\\"$job\\\"}\"",
    ]
  }

  # ALTERYX_API_URL is the Alteryx Server API, such as
  # https://alteryx.example.com/webapi.
  runner "alteryx" {
    image = "curlimages/curl:8.10.1"
    script = [
      "workflow={{workflow}} token={{token}}",
      "curl --fail-with-body --silent --show-error -X POST \"$ALTERYX_API_URL/v3/workflows/$workflow/jobs\" -H \"Authorization: Bearer $token\" -H 'Content-Type: application/json' --data-binary '{}'",
    ]
  }

  # A test job runs the test's query, written to a .sql file beside the
  # pipelines ({{sql}}), and fails when it returns rows. meshc adds the
  # JUnit report that shows the result in merge requests.
  test {
    image = "python:3.12-slim"
    script = [
      "pip install --quiet --root-user-action=ignore snowflake-cli",
      "snow sql --temporary-connection --enable-templating NONE --format JSON --filename {{sql}} > failing_rows.json",
      "python3 -c 'import json, sys; rows = json.load(open(\"failing_rows.json\")); print(len(rows), \"failing rows\"); sys.exit(1 if rows else 0)'",
    ]
  }
}
