domain "payer" {
  owner       = "managed-markets-data@pharma.example"
  extends     = blueprint.mastered_domain
  schema      = "PAYER"
  description = <<-EOT
    Master data for the US payer landscape: payers, PBMs and the plans they
    run, and where our brands sit on each plan's formulary. Sourced monthly
    from our managed-markets data vendor and curated by the managed markets
    analytics team, who own the channel and PBM roll-ups.
  EOT
}

source "plan_master" {
  description = "The vendor's monthly plan master: every US pharmacy benefit plan with its payer, PBM, channel and covered lives."
  cadence     = "monthly"
  table       = "RAW.MMIT.PLAN_MASTER"

  column "plan_id" {
    type        = string(20)
    description = "The vendor's plan identifier, stable across releases."
  }
  column "plan_name" { type = string(200) }
  column "payer_id" { type = string(20) }
  column "payer_name" { type = string(200) }
  column "pbm_name" {
    type        = string(200)
    description = "The PBM adjudicating pharmacy claims for the plan, as the vendor spells it (not standardised)."
  }
  column "channel" {
    type        = string(40)
    description = "The vendor's book of business: Commercial, Medicare Part D, Managed Medicaid, FFS Medicaid, VA, DoD, Cash."
  }
  column "state" { type = string(2) }
  column "covered_lives" { type = number(12, 0) }
  column "release_date" { type = date }
}

source "formulary" {
  description = "The vendor's monthly formulary file: the tier and utilisation management of each brand on each plan."
  cadence     = "monthly"
  table       = "RAW.MMIT.FORMULARY_STATUS"

  column "plan_id" { type = string(20) }
  column "brand_name" { type = string(50) }
  column "tier" {
    type        = string(10)
    description = "Formulary tier as published by the plan, such as 2, 3 or SP (specialty)."
  }
  column "status" {
    type        = string(40)
    description = "Preferred, Covered, Not Covered or Medical Benefit."
  }
  column "pa_required" { type = string(1) }
  column "st_required" { type = string(1) }
  column "effective_date" { type = date }
  column "release_date" { type = date }
}
