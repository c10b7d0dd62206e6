product "formulary_access" {
  extends     = blueprint.mastered_product
  version     = "1.2.0"
  description = "Where each of our brands sits on each plan's formulary this month: coverage, tier and utilisation management. What the account directors negotiate and the brand teams track."
  tags        = ["managed-markets", "market-access"]

  input "formulary" {
    from    = source.formulary
    columns = ["plan_id", "brand_name", "tier", "status", "pa_required", "st_required", "effective_date"]
  }
  input "plans" {
    from    = product.plans.port.plans
    columns = ["plan_id"]
  }

  port "formulary_status" {
    visibility  = "public"
    table       = "FORMULARY_STATUS"
    description = "One row per plan and brand, as of the latest vendor release."

    column "plan_id" {
      type        = string(20)
      description = "The vendor's plan identifier, as in port plans of product plans."
      tests       = [not_null(), relationships(product.plans.port.plans, "plan_id")]
    }
    column "brand_name" {
      type        = string(50)
      description = "Our brand, in upper case: ZENTIVRA or CARDELTA."
      tests       = [not_null(), accepted_values(["ZENTIVRA", "CARDELTA"])]
    }
    column "coverage_status" {
      type        = string(20)
      nullable    = false
      description = "PREFERRED, COVERED (non-preferred), NOT_COVERED, or MEDICAL when the plan covers the brand under the medical benefit."
      tests       = [accepted_values(["PREFERRED", "COVERED", "NOT_COVERED", "MEDICAL"])]
    }
    column "tier" {
      type        = integer
      description = "Formulary tier, 1 to 6; specialty tiers are 5. NULL when not covered."
    }
    column "prior_auth_required" {
      type        = boolean
      description = "Whether the plan requires prior authorisation before it pays for the brand."
    }
    column "step_therapy_required" {
      type        = boolean
      description = "Whether the plan requires the patient to fail another therapy first (a step edit)."
    }
    column "effective_date" { type = date }

    test "tier_in_range" {
      check = expression("tier IS NULL OR tier BETWEEN 1 AND 6")
    }
    test "not_covered_has_no_tier" {
      check       = expression("coverage_status <> 'NOT_COVERED' OR tier IS NULL")
      severity    = "warn"
      description = "The vendor occasionally leaves the old tier on a plan that dropped the brand; the account team checks these by hand."
    }
  }

  step "build" {
    run  = runner.sql
    file = "sql/formulary_status.sql"
  }

  test "unique_plan_brand" {
    check = custom_sql(<<-SQL
      SELECT plan_id, brand_name, COUNT(*) AS row_count
      FROM FORMULARY_STATUS
      GROUP BY plan_id, brand_name
      HAVING COUNT(*) > 1
    SQL
    )
    description = "The vendor sometimes sends a plan twice when it changes PBM mid-month; the build keeps the latest effective date."
  }
}
