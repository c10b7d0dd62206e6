-- Rebuild this month's formulary status of our brands on every plan. Plans
-- the vendor sent twice (a PBM change mid-month) keep their latest
-- effective date.

CREATE OR REPLACE TABLE FORMULARY_STATUS
    COMMENT = 'Managed by meshc product payer.formulary_access; do not edit by hand.'
AS
SELECT
    f.plan_id,
    UPPER(f.brand_name)                                     AS brand_name,
    CASE
        WHEN f.status ILIKE 'Preferred%'      THEN 'PREFERRED'
        WHEN f.status ILIKE 'Not Covered%'    THEN 'NOT_COVERED'
        WHEN f.status ILIKE 'Medical%'        THEN 'MEDICAL'
        ELSE 'COVERED'
    END                                                     AS coverage_status,
    IFF(f.status ILIKE 'Not Covered%', NULL,
        TRY_TO_NUMBER(IFF(f.tier = 'SP', '5', f.tier)))::INTEGER AS tier,
    f.pa_required = 'Y'                                     AS prior_auth_required,
    f.st_required = 'Y'                                     AS step_therapy_required,
    f.effective_date
FROM RAW.MMIT.FORMULARY_STATUS AS f
JOIN PLANS AS p
  ON p.plan_id = f.plan_id
WHERE f.release_date = (SELECT MAX(release_date) FROM RAW.MMIT.FORMULARY_STATUS)
  AND UPPER(f.brand_name) IN ('ZENTIVRA', 'CARDELTA')
QUALIFY ROW_NUMBER() OVER (PARTITION BY f.plan_id, UPPER(f.brand_name) ORDER BY f.effective_date DESC) = 1;
