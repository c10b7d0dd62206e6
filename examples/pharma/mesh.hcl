# The commercial analytics mesh of a US pharma brand team: AMA physician data
# mastered into a physician domain, payer and plan data mastered into a payer
# domain, both feeding the sales and payer warehouses, which the brand
# analytics team mixes into its own self-service products.

mesh "pharma" {
  description = "US commercial analytics: physician and payer master data, sales and payer warehouses, self-service brand analytics."

  # The platform team owns what no domain does: this file, platform/ (central
  # policies and waivers, blueprints, runners) and the files generated for
  # the whole mesh. meshc codeowners gives them to it in CODEOWNERS.
  owner = "data-platform@pharma.example"

  # Data flows up the layers: a product reads only from its own layer or a
  # lower one.
  layers = ["raw", "mastered", "integrated", "self_service"]

  # pii: names of people (HIPAA and state privacy law).
  # phi: health information about a patient, even de-identified.
  # restricted: licensed third-party data with contractual use limits
  # (AMA PDRP, IQVIA Xponent).
  classifications = ["public", "internal", "confidential", "restricted", "pii", "phi"]

  # The standard library's baseline governance policies: owners, described
  # and tested public ports, masked PII, freshness SLAs, naming and layering
  # (docs/governance.md). Exceptions are waivers, in platform/waivers.mesh.hcl.
  policy_sets = ["baseline"]
}

defaults {
  timezone    = "America/New_York"
  retries     = 2
  retry_delay = "10m"
  start_date  = "2026-01-05"
}

# The first environment is the default.
environment "prod" {
  description = "Production: the tables sales operations, managed markets and the brand teams report from."
  database    = "COMMERCIAL"
  warehouse   = "COMMERCIAL_TRANSFORM_WH"
  role        = "COMMERCIAL_TRANSFORMER"
  connection  = "snowflake_commercial_prod"
  dbt_target  = "prod"
}

environment "dev" {
  description   = "Development: a zero-copy clone of production; every schema is prefixed so that branches never touch production tables."
  database      = "COMMERCIAL_DEV"
  schema_prefix = "DEV_"
  warehouse     = "COMMERCIAL_DEV_WH"
  role          = "COMMERCIAL_DEVELOPER"
  connection    = "snowflake_commercial_dev"
  dbt_target    = "dev"
}
