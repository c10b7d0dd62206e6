-- Stage this week's claims delivery: the latest status of each claim,
-- reject codes mapped to reasons, and the NPI kept only when it is in the
-- physician master.

CREATE OR REPLACE TRANSIENT TABLE STG_PHARMACY_CLAIMS AS
SELECT
    c.claim_id,
    c.fill_date,
    NEXT_DAY(c.fill_date - 1, 'FRIDAY')                        AS week_ending_date,
    SHA2(c.patient_token || CURRENT_DATABASE(), 256)           AS patient_token,
    p.npi                                                      AS prescriber_npi,
    prod.brand_name,
    prod.market,
    COALESCE(pl.plan_id, 'UNKNOWN')                            AS plan_id,
    COALESCE(pl.channel, 'UNKNOWN')                            AS channel,
    DECODE(c.claim_status, 'P', 'PAID', 'R', 'REJECTED', 'X', 'REVERSED') AS claim_status,
    CASE
        WHEN c.claim_status <> 'R'                THEN NULL
        WHEN c.reject_code IN ('75', '3Y', 'PA')  THEN 'PRIOR_AUTH'
        WHEN c.reject_code IN ('70', '7Y')        THEN 'NOT_COVERED'
        WHEN c.reject_code = '608'                THEN 'STEP_THERAPY'
        WHEN c.reject_code IN ('76', '79', '19')  THEN 'PLAN_LIMIT'
        ELSE 'OTHER'
    END                                                        AS reject_reason,
    c.days_supply,
    c.patient_pay_amount
FROM RAW.CLAIMS.PHARMACY_CLAIMS AS c
JOIN {{ input.products }} AS prod
  ON prod.ndc11 = c.ndc11
LEFT JOIN {{ input.prescribers }} AS p
       ON p.npi = c.prescriber_npi
LEFT JOIN DIM_PLAN AS pl
       ON pl.plan_id = c.plan_id
WHERE c.delivery_date = (SELECT MAX(delivery_date) FROM RAW.CLAIMS.PHARMACY_CLAIMS)
QUALIFY ROW_NUMBER() OVER (PARTITION BY c.claim_id ORDER BY c.delivery_date DESC, c.claim_status = 'X' DESC) = 1;
