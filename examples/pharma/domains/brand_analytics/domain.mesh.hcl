domain "brand_analytics" {
  owner       = "brand-analytics@pharma.example"
  layer       = "self_service"
  schema      = "BRAND_ANALYTICS"
  description = <<-EOT
    The brand teams' self-service analysts and data scientists. We mix the
    sales and payer warehouses into the scorecards, segmentations and
    Tableau extracts the Zentivra and Cardelta brand teams run the business
    on, mostly in Alteryx and Snowpark. Nothing here is a system of record:
    if a number is wrong, it is fixed upstream.
  EOT
}
