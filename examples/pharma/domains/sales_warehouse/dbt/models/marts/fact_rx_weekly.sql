{{
  config(
    materialized='incremental',
    unique_key=['week_ending_date', 'prescriber_npi', 'ndc11', 'payment_type'],
    incremental_strategy='merge'
  )
}}

-- Weekly prescriptions with the prescriber's territory of the week. Rows
-- already loaded keep the territory they were loaded with: restated weeks
-- only update the counts, so history is never realigned.
select
    x.week_ending_date,
    x.prescriber_npi,
    x.ndc11,
    p.brand_name,
    p.market,
    coalesce(d.territory_id, 'UNASSIGNED') as territory_id,
    x.payment_type,
    x.trx,
    x.nrx,
    x.trx_quantity
from {{ ref('stg_xponent_weekly') }} as x
join {{ ref('dim_product') }} as p
  on p.ndc11 = x.ndc11
join {{ source('sales_wh', 'dim_prescriber') }} as d
  on d.npi = x.prescriber_npi
