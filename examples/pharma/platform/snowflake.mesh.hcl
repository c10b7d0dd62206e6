# How the Snowflake target runs this mesh. Settings not written here come
# from meshc's standard library (stdlib/snowflake.mesh.hcl).
#
# The platform team runs the steps of tools outside Snowflake through
# procedures of its own in COMMERCIAL_PLATFORM.RUNNERS. They read this
# repository through a Snowflake Git repository stage, reach Talend Cloud,
# the Alteryx gallery and Tableau through external access integrations, and
# run shell commands as Snowpark Container Services jobs in the platform's
# tools image.

target "snowflake" {
  # The sales warehouse's dbt project, deployed as a dbt project object.
  dbt_project = "COMMERCIAL.DBT.COMMERCIAL_MESH"
  # The SECRET objects behind the mesh's secrets.
  secrets_schema = "COMMERCIAL_PLATFORM.SECRETS"

  runner "python" {
    sql = "CALL COMMERCIAL_PLATFORM.RUNNERS.RUN_PYTHON({{script}}, {{args}})"
  }

  runner "shell" {
    sql = "CALL COMMERCIAL_PLATFORM.RUNNERS.RUN_COMMAND({{command}})"
  }

  runner "talend" {
    sql = "CALL COMMERCIAL_PLATFORM.RUNNERS.RUN_TALEND_TASK({{job}}, {{token}})"
  }

  runner "alteryx" {
    sql = "CALL COMMERCIAL_PLATFORM.RUNNERS.RUN_ALTERYX_WORKFLOW({{workflow}}, {{token}})"
  }

  runner "snowpark" {
    sql = "CALL COMMERCIAL_PLATFORM.RUNNERS.RUN_SNOWPARK({{file}}, {{handler}}, {{packages}}, {{warehouse}})"
  }
}
