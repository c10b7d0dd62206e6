-- Pull-through by territory, brand, channel and access category over the
-- last 26 weeks. A view: the Tableau extract refreshes it on its own
-- schedule, and the numbers are never older than the claims fact.

CREATE OR REPLACE VIEW ACCESS_PULL_THROUGH
    COMMENT = 'Managed by meshc product brand_analytics.access_pull_through; do not edit by hand.'
AS
SELECT
    c.week_ending_date,
    COALESCE(d.territory_id, 'UNASSIGNED')               AS territory_id,
    c.brand_name,
    c.channel,
    COALESCE(a.access_category, 'UNKNOWN')               AS access_category,
    COUNT_IF(c.claim_status = 'PAID')::INTEGER           AS paid_claims,
    COUNT_IF(c.claim_status = 'REJECTED')::INTEGER       AS rejected_claims,
    DIV0NULL(COUNT_IF(c.claim_status = 'PAID'),
             COUNT_IF(c.claim_status IN ('PAID', 'REJECTED')))::NUMBER(7, 4) AS pull_through_rate
FROM {{ input.claims }} AS c
LEFT JOIN {{ input.access }} AS a
       ON a.plan_id = c.plan_id
      AND a.brand_name = c.brand_name
LEFT JOIN {{ input.prescribers }} AS d
       ON d.npi = c.prescriber_npi
WHERE c.week_ending_date >= DATEADD(week, -26, CURRENT_DATE)
  AND c.brand_name IN ('ZENTIVRA', 'CARDELTA')
GROUP BY 1, 2, 3, 4, 5;
