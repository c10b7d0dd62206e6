product "brand_performance" {
  version     = "1.4.0"
  description = "The weekly brand scorecard: prescriptions, market share and paid versus rejected claims by brand, region and territory. Feeds the Brand Performance Tableau workbook the brand leads review every Thursday."
  tags        = ["scorecard", "tableau", "alteryx"]

  input "rx" {
    from    = domain.sales_warehouse.product.fact_rx_weekly.port.fact_rx_weekly
    columns = ["week_ending_date", "brand_name", "market", "territory_id", "trx", "nrx"]
  }
  input "claims" {
    from    = domain.payer_warehouse.product.fact_claims.port.fact_claims
    columns = ["week_ending_date", "prescriber_npi", "brand_name", "claim_status"]
  }
  input "prescribers" {
    from    = domain.sales_warehouse.product.dim_prescriber.port.dim_prescriber
    columns = ["npi", "territory_id", "region"]
  }

  port "brand_performance" {
    visibility  = "public"
    table       = "BRAND_PERFORMANCE_WEEKLY"
    description = "One row per week, brand and territory, for our brands and the competitors in their markets."

    column "week_ending_date" {
      type     = date
      nullable = false
      tests    = [not_null(), freshness("10d")]
    }
    column "brand_name" {
      type  = string(50)
      tests = [not_null(), relationships(domain.sales_warehouse.product.dim_product.port.dim_product, "brand_name")]
    }
    column "market" { type = string(30) }
    column "region" { type = string(20) }
    column "territory_id" {
      type        = string(10)
      description = "The territory the prescriptions were written in that week; UNASSIGNED for white space."
      tests       = [not_null()]
    }
    column "trx" { type = number(18, 3) }
    column "nrx" { type = number(18, 3) }
    column "trx_market_share" {
      type        = number(7, 4)
      description = "The brand's share of its market's TRx in the territory that week, from 0 to 1."
    }
    column "paid_claims" { type = integer }
    column "rejected_claims" { type = integer }

    test "share_is_a_fraction" {
      check = expression("trx_market_share IS NULL OR trx_market_share BETWEEN 0 AND 1")
    }
  }

  step "blend" {
    run         = runner.alteryx
    description = "The analysts' Alteryx workflow on the gallery: blends Rx and claims by territory and computes shares."
    workflow    = "64f1c2a9e8b7d60012a3f4c5" # Brand Performance Weekly v7
    token       = secret.alteryx_gallery
  }
  step "refresh_extract" {
    run         = runner.shell
    description = "Refreshes the Tableau extract the workbook reads; tabcmd is signed in by the runner image's service account."
    command     = "tabcmd refreshextracts --project 'Commercial Analytics' --datasource 'Brand Performance Weekly' --synchronous"
    after       = [step.blend]
  }

  sla { freshness = "35d" }
}
