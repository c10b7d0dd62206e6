# How the Airflow target runs this mesh. Settings not written here come
# from meshc's standard library (stdlib/airflow.mesh.hcl).

target "airflow" {
  # The platform team's Airflow 3 deployment syncs this repository's mesh
  # folder to every worker, where Bash tasks run.
  mesh_path = "/opt/airflow/mesh/commercial"
  tags      = ["commercial-data"]

  # snowpark-run is on the workers' image, as on the GitLab runners: it
  # uploads the module and calls its handler as an anonymous stored
  # procedure on the environment's warehouse.
  runner "snowpark" {
    script = [
      "snowpark-run --file {{file}} --handler {{handler}} {{--packages packages}} {{--warehouse warehouse}}",
    ]
  }
}
