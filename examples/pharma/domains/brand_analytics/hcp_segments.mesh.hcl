product "hcp_segments" {
  version     = "0.7.0"
  owner       = "brand-data-science@pharma.example"
  description = "Prescriber segments for each of our brands, from a k-means model over 13 weeks of prescribing in the brand's market: who writes the brand, who writes the competition, who is growing. Experimental (0.x): the brand teams use it for call plan proposals, not for compensation."
  tags        = ["segmentation", "data-science", "snowpark"]

  input "rx" {
    from    = domain.sales_warehouse.product.fact_rx_weekly.port.fact_rx_weekly
    columns = ["week_ending_date", "prescriber_npi", "brand_name", "market", "trx", "nrx"]
  }
  input "prescribers" {
    from    = domain.sales_warehouse.product.dim_prescriber.port.dim_prescriber
    columns = ["npi", "specialty_group", "target_tier", "pdrp_opt_out"]
  }

  port "hcp_segments" {
    visibility  = "public"
    table       = "HCP_SEGMENTS"
    description = "One row per prescriber and brand of ours, for prescribers with any prescription in the brand's market in the last 13 weeks. PDRP opt-outs are excluded."

    column "npi" {
      type  = string(10)
      tests = [not_null(), relationships(domain.sales_warehouse.product.dim_prescriber.port.dim_prescriber, "npi")]
    }
    column "brand_name" {
      type  = string(50)
      tests = [accepted_values(["ZENTIVRA", "CARDELTA"])]
    }
    column "segment" {
      type        = string(20)
      nullable    = false
      description = "LOYALIST (mostly our brand), SPLITTER (both), COMPETITOR_LOYAL, GROWER (market volume up) or LAPSED (no prescription in 6 weeks)."
      tests       = [accepted_values(["LOYALIST", "SPLITTER", "COMPETITOR_LOYAL", "GROWER", "LAPSED"])]
    }
    column "market_trx_decile" {
      type        = integer
      description = "Decile of the prescriber's 13-week market TRx nationally, 10 the highest."
    }
    column "brand_share_13w" { type = number(7, 4) }
    column "model_version" { type = string(20) }
    column "scored_at" {
      type = timestamp_ntz
      test "scored_this_week" {
        check    = freshness("8d")
        severity = "warn"
      }
    }

    tests = [row_count(10000, 400000)]

    test "decile_in_range" {
      check = expression("market_trx_decile BETWEEN 1 AND 10")
    }
  }

  step "score" {
    run       = runner.snowpark
    file      = "python/segment_hcps.py"
    handler   = "segment_hcps.main"
    packages  = ["snowflake-snowpark-python", "scikit-learn==1.5.1", "pandas"]
    warehouse = "BRAND_DS_SNOWPARK_WH"
  }

  sla { freshness = "35d" }
}
