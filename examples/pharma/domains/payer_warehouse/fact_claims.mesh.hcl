product "fact_claims" {
  version     = "2.3.0"
  description = "Pharmacy claims for the NDCs in our markets, one row per claim, keyed to the prescriber, the plan and the product: paid volume, rejections and abandonment by channel and payer."
  tags        = ["star-schema", "fact", "market-access"]

  input "claims" {
    from = source.pharmacy_claims
    columns = [
      "claim_id", "patient_token", "prescriber_npi", "ndc11", "plan_id", "fill_date",
      "claim_status", "reject_code", "days_supply", "quantity", "patient_pay_amount",
    ]
  }
  input "prescribers" {
    from    = domain.physician.product.prescribers.port.prescribers
    columns = ["npi", "specialty_group"]
  }
  input "plans" {
    from    = product.dim_plan.port.dim_plan
    columns = ["plan_id", "channel"]
  }
  input "products" {
    from    = domain.sales_warehouse.product.dim_product.port.dim_product
    columns = ["ndc11", "brand_name", "market"]
  }

  port "fact_claims" {
    visibility  = "public"
    table       = "FACT_CLAIMS"
    description = "One row per pharmacy claim in our markets since 2024, the latest status of each."

    column "claim_id" {
      type     = string(40)
      nullable = false
      tests    = [not_null(), unique()]
    }
    column "fill_date" {
      type     = date
      nullable = false
      test "delivered_this_week" {
        check       = freshness("10d")
        description = "The newest claim is at most ten days old: the vendor's weekly delivery arrived and was loaded."
      }
    }
    column "week_ending_date" {
      type        = date
      description = "The Friday of the fill date's week, to line claims up with the weekly prescription data."
    }
    column "patient_token" {
      type           = string(64)
      classification = "phi"
      masking        = "hash"
      description    = "The vendor's patient token, hashed again per environment: count distinct patients, never join it to anything outside this warehouse."
    }
    column "prescriber_npi" {
      type        = string(10)
      description = "The prescriber; NULL when the claim's NPI is not in the physician master (nurse practitioners and invalid NPIs)."
      tests       = [relationships(domain.physician.product.prescribers.port.prescribers, "npi")]
    }
    column "brand_name" {
      type        = string(50)
      description = "The brand of the claim's NDC, as in the sales warehouse's product dimension."
      tests       = [relationships(domain.sales_warehouse.product.dim_product.port.dim_product, "brand_name")]
    }
    column "market" { type = string(30) }
    column "plan_id" {
      type        = string(20)
      description = "The plan that adjudicated the claim."
      tests       = [not_null(), relationships(product.dim_plan.port.dim_plan, "plan_id")]
    }
    column "channel" {
      type        = string(20)
      description = "The plan's book of business when the claim was filled: COMMERCIAL, MEDICARE_D, MEDICAID, FEDERAL or CASH."
    }
    column "claim_status" {
      type        = string(10)
      nullable    = false
      description = "PAID, REJECTED or REVERSED: the latest status of the claim."
      tests       = [accepted_values(["PAID", "REJECTED", "REVERSED"])]
    }
    column "reject_reason" {
      type        = string(20)
      description = "Why a rejected claim was rejected, from its NCPDP code: PRIOR_AUTH, NOT_COVERED, STEP_THERAPY, PLAN_LIMIT or OTHER. NULL unless REJECTED."
    }
    column "days_supply" { type = integer }
    column "patient_pay_amount" {
      type        = number(12, 2)
      description = "What the patient paid at the counter, after any copay card."
    }

    test "reject_reason_only_on_rejections" {
      check = expression("(claim_status = 'REJECTED') = (reject_reason IS NOT NULL)")
    }
    test "days_supply_plausible" {
      check    = expression("days_supply BETWEEN 1 AND 365")
      severity = "warn"
    }
  }

  step "stage" {
    run  = runner.sql
    file = "sql/stg_pharmacy_claims.sql"
  }
  step "merge" {
    run   = runner.sql
    file  = "sql/merge_fact_claims.sql"
    after = [step.stage]
  }

  # On a cadence rather than on its inputs: the physician master publishes
  # monthly, and claims are loaded every week against the current release.
  schedule { cadence = "0 6 * * 3" }

  sla { freshness = "35d" }
}
