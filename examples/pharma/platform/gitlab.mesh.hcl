# How the GitLab CI target runs this mesh. Settings not written here come
# from meshc's standard library (stdlib/gitlab.mesh.hcl).

target "gitlab" {
  # One child pipeline per product keeps each merge request's diff small.
  granularity = "product"
  # GitLab.com Premium allows 1000 jobs per pipeline.
  job_limit = 1000
  # Jobs run on the platform team's runners, which reach Snowflake through
  # its private link.
  tags           = ["commercial-data"]
  vault_audience = "https://vault.commercial.example.com"

  # The platform team's image has the Snowflake CLI preinstalled; its
  # credentials are CI/CD variables of the project.
  runner "sql" {
    image = "registry.example.com/commercial-data/snowflake-cli:3.11"
    script = [
      "snow sql --temporary-connection --enable-templating NONE --filename {{file}}",
    ]
  }

  # snowpark-run uploads the module and calls its handler as an anonymous
  # stored procedure on the environment's warehouse.
  runner "snowpark" {
    image = "registry.example.com/commercial-data/snowpark-runner:2.3"
    script = [
      "snowpark-run --file {{file}} --handler {{handler}} {{--packages packages}} {{--warehouse warehouse}}",
    ]
  }

  # The Python steps use the Snowflake connector, and the Tableau refresh
  # tabcmd: the platform's images have them.
  runner "python" {
    image = "registry.example.com/commercial-data/python-snowflake:3.12"
  }

  runner "shell" {
    image = "registry.example.com/commercial-data/tableau-tabcmd:2.2"
  }

  test {
    image = "registry.example.com/commercial-data/snowflake-cli:3.11"
    script = [
      "snow sql --temporary-connection --enable-templating NONE --format JSON --filename {{sql}} > failing_rows.json",
      "python3 -c 'import json, sys; rows = json.load(open(\"failing_rows.json\")); print(len(rows), \"failing rows\"); sys.exit(1 if rows else 0)'",
    ]
  }
}
