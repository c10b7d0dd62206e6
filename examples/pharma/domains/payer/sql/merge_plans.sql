-- Merge the latest plan master release into PLANS, with PBM names
-- standardised through the mapping the data stewards maintain and channels
-- rolled up to the five books of business managed markets reports on.

MERGE INTO PLANS AS tgt
USING (
    SELECT
        pm.plan_id,
        TRIM(pm.plan_name)                         AS plan_name,
        TRIM(pm.payer_name)                        AS payer_name,
        COALESCE(map.pbm, 'OTHER')                 AS pbm,
        CASE
            WHEN pm.channel ILIKE 'Commercial%'        THEN 'COMMERCIAL'
            WHEN pm.channel ILIKE 'Medicare%'          THEN 'MEDICARE_D'
            WHEN pm.channel ILIKE '%Medicaid%'         THEN 'MEDICAID'
            WHEN pm.channel IN ('VA', 'DoD', 'TRICARE', 'IHS') THEN 'FEDERAL'
            ELSE 'CASH'
        END                                        AS channel,
        UPPER(pm.state)                            AS state,
        pm.covered_lives,
        pm.release_date
    FROM RAW.MMIT.PLAN_MASTER AS pm
    LEFT JOIN PBM_NAME_MAP AS map
           ON UPPER(TRIM(pm.pbm_name)) = map.vendor_spelling
    WHERE pm.release_date = (SELECT MAX(release_date) FROM RAW.MMIT.PLAN_MASTER)
    QUALIFY ROW_NUMBER() OVER (PARTITION BY pm.plan_id ORDER BY pm.covered_lives DESC NULLS LAST) = 1
) AS src
ON tgt.plan_id = src.plan_id
WHEN MATCHED THEN UPDATE SET
    plan_name     = src.plan_name,
    payer_name    = src.payer_name,
    pbm           = src.pbm,
    channel       = src.channel,
    state         = src.state,
    covered_lives = src.covered_lives,
    release_date  = src.release_date
WHEN NOT MATCHED THEN INSERT (plan_id, plan_name, payer_name, pbm, channel, state, covered_lives, release_date)
VALUES (src.plan_id, src.plan_name, src.payer_name, src.pbm, src.channel, src.state, src.covered_lives, src.release_date);
