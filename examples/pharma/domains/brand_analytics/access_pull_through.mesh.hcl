product "access_pull_through" {
  version     = "1.0.2"
  description = "Pull-through: how many of a territory's claims for our brands are paid, by channel and by the brand's access category on the plan. Tells the field where a formulary win is not yet turning into paid prescriptions."
  tags        = ["market-access", "tableau"]

  input "claims" {
    from    = domain.payer_warehouse.product.fact_claims.port.fact_claims
    columns = ["week_ending_date", "prescriber_npi", "brand_name", "plan_id", "channel", "claim_status", "reject_reason"]
  }
  input "access" {
    from    = domain.payer_warehouse.product.dim_plan.port.plan_brand_access
    columns = ["plan_id", "brand_name", "access_category"]
  }
  input "prescribers" {
    from    = domain.sales_warehouse.product.dim_prescriber.port.dim_prescriber
    columns = ["npi", "territory_id"]
  }

  port "access_pull_through" {
    visibility  = "public"
    view        = "ACCESS_PULL_THROUGH"
    description = "One row per week, territory, brand, channel and access category, over the last 26 weeks."

    column "week_ending_date" { type = date }
    column "territory_id" { type = string(10) }
    column "brand_name" { type = string(50) }
    column "channel" { type = string(20) }
    column "access_category" {
      type  = string(20)
      tests = [accepted_values(["UNRESTRICTED", "CONTROLLED", "BLOCKED", "MEDICAL", "UNKNOWN"])]
    }
    column "paid_claims" { type = integer }
    column "rejected_claims" { type = integer }
    column "pull_through_rate" {
      type        = number(7, 4)
      description = "Paid claims over paid and rejected claims; NULL when there were none."
    }

    test "rate_is_a_fraction" {
      check = expression("pull_through_rate IS NULL OR pull_through_rate BETWEEN 0 AND 1")
    }
  }

  step "create_view" {
    run  = runner.sql
    file = "sql/access_pull_through.sql"
  }

  sla { freshness = "35d" }
}
