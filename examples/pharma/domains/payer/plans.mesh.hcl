product "plans" {
  extends     = blueprint.mastered_product
  version     = "1.6.0"
  description = "Every US pharmacy benefit plan with its payer, its standardised PBM and its channel. The plan dimension of the payer warehouse and the denominator of every access metric."
  tags        = ["managed-markets"]

  input "plan_master" {
    from = source.plan_master
    columns = {
      plan_id       = string(20)
      plan_name     = string
      payer_id      = string(20)
      payer_name    = string
      pbm_name      = string
      channel       = string
      state         = string(2)
      covered_lives = number(12, 0)
      release_date  = date
    }
  }

  port "plans" {
    visibility  = "public"
    table       = "PLANS"
    description = "One row per plan in the latest vendor release."

    column "plan_id" {
      type        = string(20)
      nullable    = false
      description = "The vendor's plan identifier: the key claims and formulary data join on."
      tests       = [not_null(), unique()]
    }
    column "plan_name" {
      type        = string(200)
      description = "The plan's marketed name, as the vendor spells it."
    }
    column "payer_name" {
      type        = string(200)
      description = "The parent organisation, such as UnitedHealth Group or CVS Health."
    }
    column "pbm" {
      type        = string(40)
      description = "The PBM, standardised: CVS_CAREMARK, EXPRESS_SCRIPTS, OPTUM_RX, the regional ones by name, or OTHER."
    }
    column "channel" {
      type        = string(20)
      nullable    = false
      description = "Book of business, rolled up the way the managed markets team reports it."
      tests       = [accepted_values(["COMMERCIAL", "MEDICARE_D", "MEDICAID", "FEDERAL", "CASH"])]
    }
    column "state" { type = string(2) }
    column "covered_lives" {
      type        = number(12, 0)
      description = "Pharmacy lives covered by the plan, per the vendor."
    }
    column "release_date" { type = date }

    tests = [row_count(2000)]

    test "covered_lives_not_negative" {
      check = expression("covered_lives IS NULL OR covered_lives >= 0")
    }
  }

  step "standardise_pbms" {
    run         = runner.python
    description = "Maps the vendor's PBM spellings to our standard list; unknown spellings are reported for the data steward and mapped to OTHER."
    script      = "python/standardise_pbms.py"
    args        = ["--mapping", "PBM_NAME_MAP"]
  }
  step "merge" {
    run   = runner.sql
    file  = "sql/merge_plans.sql"
    after = [step.standardise_pbms]
  }
}
