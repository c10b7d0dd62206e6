-- The last five data weeks of the prescription feed: the new week and the
-- four the vendor may restate.
select
    prescriber_npi,
    ndc11,
    week_ending_date,
    payment_type,
    trx,
    nrx,
    trx_quantity
from {{ source('iqvia', 'xponent_weekly') }}
where week_ending_date >= dateadd(week, -4, (select max(week_ending_date) from {{ source('iqvia', 'xponent_weekly') }}))
qualify row_number() over (
    partition by prescriber_npi, ndc11, week_ending_date, payment_type
    order by data_version desc
) = 1
