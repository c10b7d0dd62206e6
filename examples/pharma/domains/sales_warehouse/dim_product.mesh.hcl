product "dim_product" {
  version     = "1.1.0"
  description = "The product dimension: every NDC in our markets, ours and competitors', with its brand, molecule and market. Maintained by sales operations as a dbt seed, reviewed in merge requests."
  tags        = ["star-schema", "dimension", "dbt"]

  port "dim_product" {
    visibility  = "public"
    table       = "DIM_PRODUCT"
    description = "One row per 11-digit NDC in the markets we report on."

    column "ndc11" {
      type        = string(11)
      description = "The 11-digit National Drug Code, without dashes."
      nullable    = false
      tests       = [not_null(), unique()]
    }
    column "brand_name" {
      type        = string(50)
      nullable    = false
      description = "Brand, upper case: ours (ZENTIVRA, CARDELTA) and competitors'."
      tests       = [not_null()]
    }
    column "molecule" { type = string(100) }
    column "market" {
      type        = string(30)
      description = "The competitive market the brand is reported in."
      tests       = [accepted_values(["NSCLC_2L", "HEART_FAILURE"])]
    }
    column "is_own_brand" {
      type     = boolean
      nullable = false
    }
  }

  step "build" {
    run         = runner.dbt
    description = "Loads the NDC seed and builds dim_product with its dbt tests."
    select      = "ndc_brand_map dim_product"
    project_dir = "dbt"
  }

  schedule { cadence = "0 5 * * 2" }
  sla { freshness = "8d" }
}
