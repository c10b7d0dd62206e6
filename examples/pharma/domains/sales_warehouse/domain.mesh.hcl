domain "sales_warehouse" {
  owner       = "sales-analytics-engineering@pharma.example"
  layer       = "integrated"
  schema      = "SALES_WH"
  description = <<-EOT
    The sales data warehouse: a star schema of weekly prescriptions by
    prescriber, product and territory. We join the physician master to the
    CRM's territory alignment and to the weekly prescription data we license,
    every Tuesday morning, so that field reporting and incentive compensation
    see last week's prescriptions before the Wednesday district calls.
  EOT
}

source "xponent_rx" {
  description    = "Prescriber-level weekly prescriptions for our brands and their competitors in the market, from our prescription data vendor (an IQVIA Xponent-style feed). Delivered over the weekend for the week ending the previous Friday."
  cadence        = "weekly"
  table          = "RAW.IQVIA.XPONENT_WEEKLY"
  classification = "restricted"

  column "prescriber_npi" { type = string(10) }
  column "ndc11" {
    type        = string(11)
    description = "The dispensed package, as an 11-digit NDC without dashes."
  }
  column "week_ending_date" { type = date }
  column "payment_type" {
    type        = string(1)
    description = "C cash, M Medicaid, R Medicare Part D, T commercial third party."
  }
  column "trx" {
    type        = number(18, 3)
    description = "Total prescriptions, projected from the vendor's pharmacy sample."
  }
  column "nrx" {
    type        = number(18, 3)
    description = "New prescriptions (first fills), projected."
  }
  column "trx_quantity" { type = number(18, 3) }
  column "data_version" { type = string(10) }
}

source "crm_accounts" {
  description = "Person accounts from the commercial CRM (Salesforce), replicated nightly: which rep and territory call on each prescriber, and the call plan tier sales operations assigned."
  cadence     = "daily"
  table       = "RAW.SALESFORCE.ACCOUNT"

  column "id" {
    type        = string(18)
    description = "Salesforce 18-character account id."
  }
  column "npi_c" { type = string(10) }
  column "territory_code_c" {
    type        = string(10)
    description = "The territory the account is aligned to, such as ONC-NE-014."
  }
  column "call_plan_tier_c" { type = string(10) }
  column "record_type_name" { type = string(80) }
  column "is_deleted" { type = boolean }
  column "last_modified_date" { type = timestamp_tz }
}
