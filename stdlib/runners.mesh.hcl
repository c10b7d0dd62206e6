# The standard runners: how a step's work is described. Each target maps a
# runner to its own way of running it (a GitLab job script, an Airflow
# operator, a Snowflake task body). A step passes the runner's parameters as
# arguments, next to run = runner.NAME.

runner "sql" {
  description    = "Runs SQL statements on Snowflake, from a file in the domain's folder or written inline."
  exactly_one_of = ["file", "sql"]

  param "file" {
    type        = file
    optional    = true
    description = "A .sql file, relative to the .mesh.hcl file that declares the step."
  }
  param "sql" {
    type        = string
    optional    = true
    description = "SQL statements written inline, for short steps."
  }
}

runner "python" {
  description = "Runs a Python script."

  param "script" {
    type        = file
    description = "The script, relative to the .mesh.hcl file that declares the step."
  }
  param "args" {
    type        = list(string)
    optional    = true
    description = "Command-line arguments passed to the script."
  }
}

runner "shell" {
  description = "Runs a shell command."

  param "command" {
    type        = string
    description = "The command line, run with sh -c."
  }
}

runner "dbt" {
  description = "Builds a selection of a dbt project: dbt build --select SELECT."

  param "select" {
    type        = string
    description = "The dbt node selection, for example \"tag:prescribers+\"."
  }
  param "project_dir" {
    type        = dir
    optional    = true
    description = "The dbt project's folder, relative to the .mesh.hcl file that declares the step; the default is the mesh's root folder."
  }
}

runner "talend" {
  description = "Triggers a Talend job and waits for it."

  param "job" {
    type        = string
    description = "The Talend Cloud task to run, by its executable id, for example \"logsys_master_d\"."
  }
  param "token" {
    type        = secret
    optional    = true
    description = "The Talend API token, as a reference to a secret block."
  }
}

runner "alteryx" {
  description = "Runs an Alteryx workflow and waits for it."

  param "workflow" {
    type        = string
    description = "The workflow's id on the Alteryx server, which the v3 API starts jobs by (its name will not do)."
  }
  param "token" {
    type        = secret
    optional    = true
    description = "An OAuth 2 access token of the Alteryx Server API, as a reference to a secret block."
  }
}
