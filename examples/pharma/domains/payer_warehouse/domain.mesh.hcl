domain "payer_warehouse" {
  owner       = "payer-analytics-engineering@pharma.example"
  layer       = "integrated"
  schema      = "PAYER_WH"
  description = <<-EOT
    The payer data warehouse: a star schema of pharmacy claims for our
    markets, by plan, channel and prescriber, and the plan dimension with our
    brands' formulary access. Managed markets uses it for pull-through and
    contract performance; the brand teams for abandonment and rejections.
    Built every Wednesday, after the claims delivery, from the same physician
    master release as the sales warehouse.
  EOT
}

source "pharmacy_claims" {
  description    = "Weekly de-identified pharmacy claims (paid, rejected and reversed) for the NDCs in our markets, from our claims data vendor. Patients are tokenised by the vendor before the data reaches us."
  cadence        = "0 4 * * 2"
  table          = "RAW.CLAIMS.PHARMACY_CLAIMS"
  classification = "phi"

  column "claim_id" { type = string(40) }
  column "patient_token" {
    type           = string(64)
    classification = "phi"
    description    = "The vendor's de-identified patient token: stable across deliveries, never reversible by us."
  }
  column "prescriber_npi" { type = string(10) }
  column "ndc11" { type = string(11) }
  column "plan_id" {
    type        = string(20)
    description = "The same plan identifier as the managed-markets plan master."
  }
  column "fill_date" { type = date }
  column "claim_status" {
    type        = string(1)
    description = "P paid, R rejected, X reversed."
  }
  column "reject_code" {
    type        = string(3)
    description = "NCPDP reject code of a rejected claim, such as 75 (prior authorisation required) or 70 (product not covered)."
  }
  column "days_supply" { type = integer }
  column "quantity" { type = number(12, 3) }
  column "patient_pay_amount" { type = number(12, 2) }
  column "delivery_date" { type = date }
}
