# How the Snowflake target runs steps: each product becomes a task graph
# in its domain's schema, and each step a task. A runner block says what
# the task runs:
#
#   kind = "statements"  the step's SQL (its sql argument, or the content
#                        of its file argument), as one Snowflake Scripting
#                        block;
#   kind = "dbt"         EXECUTE DBT PROJECT on the dbt_project object, with
#                        ARGS = 'build --select <the step's select>';
#   sql = "CALL ..."     one statement written here, whose {{NAME}}
#                        placeholders are the step's arguments as SQL
#                        values: text as a quoted string, a list as an
#                        ARRAY_CONSTRUCT, a secret as the name of its SECRET
#                        object in secrets_schema, an unset one as NULL.
#
# Runners of tools outside Snowflake (python, shell, talend, alteryx) have
# no block here: a step on one is an error unless the platform team says
# how Snowflake runs it, such as a procedure that calls the tool through
# an external access integration. Tests always run as Snowflake Scripting
# blocks that raise an error when the test's query returns rows.
#
# A platform team overrides any of these settings in its own
# target "snowflake" block (in mesh.hcl or a platform folder).

target "snowflake" {
  # Only one run of a graph at a time: two runs must not write the same
  # tables.
  overlap_policy = "NO_OVERLAP"
  # A graph whose runs fail three times in a row is suspended until someone
  # looks at it, rather than failing every hour.
  suspend_after_failures = 3
  # The longest a task may run.
  timeout = "1h"
  # How soon a serverless task started by its inputs should finish; Snowflake
  # sizes its compute for it.
  target_completion_interval = "30m"

  runner "sql" {
    kind = "statements"
  }

  runner "dbt" {
    kind = "dbt"
  }
}
