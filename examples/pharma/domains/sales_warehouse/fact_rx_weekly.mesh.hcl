product "fact_rx_weekly" {
  version     = "3.0.0"
  description = "Weekly prescriptions by prescriber, NDC and payment type, with the prescriber's territory of the week: the fact table behind field reporting, incentive compensation and brand performance."
  tags        = ["star-schema", "fact", "field-reporting", "incentive-compensation"]

  input "xponent" {
    from    = source.xponent_rx
    columns = ["prescriber_npi", "ndc11", "week_ending_date", "payment_type", "trx", "nrx", "trx_quantity"]
  }
  input "prescribers" {
    from    = product.dim_prescriber.port.dim_prescriber
    columns = ["npi", "territory_id"]
  }
  input "products" {
    from    = product.dim_product.port.dim_product
    columns = ["ndc11", "brand_name", "market"]
  }

  port "fact_rx_weekly" {
    visibility  = "public"
    table       = "FACT_RX_WEEKLY"
    description = "One row per week, prescriber, NDC and payment type. Projected counts, so TRx and NRx are decimals."

    column "week_ending_date" {
      type        = date
      nullable    = false
      description = "The Friday the data week ends on."
      tests       = [not_null(), freshness("10d")]
    }
    column "prescriber_npi" {
      type        = string(10)
      description = "The prescriber who wrote the prescriptions."
      tests       = [not_null(), relationships(product.dim_prescriber.port.dim_prescriber, "npi")]
    }
    column "ndc11" {
      type  = string(11)
      tests = [relationships(product.dim_product.port.dim_product, "ndc11")]
    }
    column "brand_name" {
      type        = string(50)
      description = "The brand of the NDC, as in dim_product."
    }
    column "market" {
      type        = string(30)
      description = "The market the brand competes in, as in dim_product: NSCLC_2L or HEART_FAILURE."
    }
    column "territory_id" {
      type        = string(10)
      description = "The prescriber's territory in the week the prescription was written, not today's: history is not realigned."
    }
    column "payment_type" {
      type  = string(1)
      tests = [accepted_values(["C", "M", "R", "T"])]
    }
    column "trx" {
      type        = number(18, 3)
      description = "Total prescriptions, projected."
    }
    column "nrx" {
      type        = number(18, 3)
      description = "New prescriptions, projected; never more than TRx."
    }
    column "trx_quantity" { type = number(18, 3) }

    tests = [row_count(1)]

    test "counts_not_negative" {
      check = expression("trx >= 0 AND nrx >= 0")
    }
    test "nrx_within_trx" {
      check       = expression("nrx <= trx + 0.001")
      severity    = "warn"
      description = "Projection can push NRx over TRx for tiny prescribers; the vendor is told when it happens, but the week still publishes."
    }
  }

  step "build" {
    run         = runner.dbt
    description = "Incremental dbt model: appends the new data week and restates the four weeks the vendor may revise."
    select      = "stg_xponent_weekly fact_rx_weekly"
    project_dir = "dbt"
  }
  step "grant_field_reporting" {
    run   = runner.sql
    file  = "sql/grant_fact_rx_weekly.sql"
    after = [step.build]
  }

  test "weekly_volume_within_range" {
    check = custom_sql(<<-SQL
      WITH weekly AS (
        SELECT week_ending_date, SUM(trx) AS trx
        FROM FACT_RX_WEEKLY
        WHERE week_ending_date >= DATEADD(week, -9, CURRENT_DATE)
        GROUP BY week_ending_date
      )
      SELECT *
      FROM weekly
      WHERE trx NOT BETWEEN 0.8 * (SELECT AVG(trx) FROM weekly) AND 1.2 * (SELECT AVG(trx) FROM weekly)
    SQL
    )
    severity    = "warn"
    description = "A week more than 20% away from the 9-week average is usually a partial delivery; the analytics engineer on call checks with the vendor before Wednesday."
  }

  # No schedule block: the fact runs when the week's Rx delivery, the
  # prescriber dimension and the product dimension have all published, every
  # Tuesday morning.

  sla { freshness = "35d" }
}
