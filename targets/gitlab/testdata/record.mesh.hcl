# Replaces examples/pharma/platform/gitlab.mesh.hcl for the end-to-end run
# with gitlab-ci-local: every job records that it ran instead of reaching
# Snowflake, and the test named by MESHC_FAIL_TEST fails.

target "gitlab" {
  granularity = "product"

  runner "sql" {
    script = ["echo \"$MESHC_PRODUCT $CI_JOB_NAME\" {{file}} >> \"$MESHC_RECORD\""]
  }
  runner "python" {
    script = ["echo \"$MESHC_PRODUCT $CI_JOB_NAME\" {{script}} >> \"$MESHC_RECORD\""]
  }
  runner "shell" {
    script = ["echo \"$MESHC_PRODUCT $CI_JOB_NAME\" >> \"$MESHC_RECORD\""]
  }
  runner "dbt" {
    script = ["echo \"$MESHC_PRODUCT $CI_JOB_NAME\" >> \"$MESHC_RECORD\""]
  }
  runner "talend" {
    script = ["echo \"$MESHC_PRODUCT $CI_JOB_NAME\" >> \"$MESHC_RECORD\""]
  }
  runner "alteryx" {
    script = ["echo \"$MESHC_PRODUCT $CI_JOB_NAME\" >> \"$MESHC_RECORD\""]
  }
  runner "snowpark" {
    image  = "registry.example.com/commercial-data/snowpark-runner:2.3"
    script = ["echo \"$MESHC_PRODUCT $CI_JOB_NAME\" {{file}} >> \"$MESHC_RECORD\""]
  }
  test {
    script = [
      "echo \"$MESHC_PRODUCT $CI_JOB_NAME\" >> \"$MESHC_RECORD\"",
      "test -s {{sql}}",
      "test \"$MESHC_TEST\" != \"$MESHC_FAIL_TEST\"",
    ]
  }
}
