# Runners the data platform team adds to the standard library. They are
# written exactly like stdlib's (see meshc's stdlib/runners.mesh.hcl): a
# description and the parameters a step passes. Each target maps them to its
# own way of running them.

runner "snowpark" {
  description = "Runs a Snowpark Python stored procedure handler inside Snowflake, on the environment's warehouse, so that no data leaves the account."

  param "file" {
    type        = file
    description = "The Python module holding the handler, relative to the .mesh.hcl file that declares the step."
  }
  param "handler" {
    type        = string
    description = "The handler function, as module.function, for example \"segment_hcps.main\"."
  }
  param "packages" {
    type        = list(string)
    optional    = true
    description = "Packages from the Snowflake Anaconda channel the handler imports, for example [\"scikit-learn==1.5.1\"]."
  }
  param "warehouse" {
    type        = string
    optional    = true
    description = "A Snowpark-optimised warehouse to run on instead of the environment's, for memory-hungry models."
  }
}
