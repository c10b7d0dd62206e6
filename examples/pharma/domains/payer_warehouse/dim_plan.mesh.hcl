product "dim_plan" {
  version     = "2.0.1"
  description = "The plan dimension of the payer warehouse, with a second port holding our brands' formulary access on each plan: what claims are analysed by."
  tags        = ["star-schema", "dimension", "market-access"]

  input "plans" {
    from    = domain.payer.product.plans.port.plans
    columns = ["plan_id", "plan_name", "payer_name", "pbm", "channel", "covered_lives"]
  }
  input "formulary" {
    from = domain.payer.product.formulary_access.port.formulary_status
    columns = {
      plan_id               = string(20)
      brand_name            = string
      coverage_status       = string
      tier                  = integer
      prior_auth_required   = boolean
      step_therapy_required = boolean
    }
  }

  port "dim_plan" {
    visibility  = "public"
    table       = "DIM_PLAN"
    description = "One row per plan, plus the UNKNOWN plan that claims without a recognised plan id point to."

    column "plan_id" {
      type     = string(20)
      nullable = false
      tests    = [not_null(), unique()]
    }
    column "plan_name" { type = string(200) }
    column "payer_name" { type = string(200) }
    column "pbm" { type = string(40) }
    column "channel" {
      type  = string(20)
      tests = [accepted_values(["COMMERCIAL", "MEDICARE_D", "MEDICAID", "FEDERAL", "CASH", "UNKNOWN"])]
    }
    column "covered_lives" { type = number(12, 0) }
  }

  port "plan_brand_access" {
    visibility  = "public"
    table       = "DIM_PLAN_BRAND_ACCESS"
    description = "One row per plan and brand of ours: how the brand is covered on the plan this month, rolled into the access categories the brand teams use."

    column "plan_id" {
      type        = string(20)
      description = "The plan, as in port dim_plan."
      tests       = [relationships(port.dim_plan, "plan_id")]
    }
    column "brand_name" {
      type        = string(50)
      description = "Our brand: ZENTIVRA or CARDELTA."
    }
    column "access_category" {
      type        = string(20)
      nullable    = false
      description = "UNRESTRICTED (preferred or covered, no PA or step edit), CONTROLLED (covered with PA or step therapy), BLOCKED (not covered) or MEDICAL."
    }
    column "tier" { type = integer }
  }

  step "build" {
    run  = runner.sql
    file = "sql/dim_plan.sql"
  }

  test "access_category_values" {
    port   = port.plan_brand_access
    column = "access_category"
    check  = accepted_values(["UNRESTRICTED", "CONTROLLED", "BLOCKED", "MEDICAL"])
  }
  test "access_rows_loaded" {
    port     = port.plan_brand_access
    check    = row_count(1000)
    severity = "warn"
  }

  schedule { cadence = "0 5 * * 3" }

  sla { freshness = "35d" }
}
