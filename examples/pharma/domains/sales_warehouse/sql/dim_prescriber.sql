-- Rebuild the prescriber dimension: the physician master joined to this
-- week's CRM alignment. Prescribers without a CRM account, or aligned to no
-- territory, are white space: territory UNASSIGNED, tier NON_TARGET. The
-- physician master is named by the product's input, whose table meshc
-- writes for the environment built: dev reads the dev build's copy.

CREATE OR REPLACE TABLE DIM_PRESCRIBER
    COMMENT = 'Managed by meshc product sales_warehouse.dim_prescriber; do not edit by hand.'
AS
WITH crm AS (
    SELECT
        id,
        npi_c,
        territory_code_c,
        call_plan_tier_c
    FROM RAW.SALESFORCE.ACCOUNT
    WHERE NOT is_deleted
      AND record_type_name = 'Professional'
      AND npi_c IS NOT NULL
    QUALIFY ROW_NUMBER() OVER (PARTITION BY npi_c ORDER BY last_modified_date DESC) = 1
)
SELECT
    p.npi,
    crm.id                                          AS crm_account_id,
    p.last_name                                     AS prescriber_name,
    p.specialty_group,
    p.practice_state,
    COALESCE(crm.territory_code_c, 'UNASSIGNED')    AS territory_id,
    COALESCE(t.region, 'WHITE_SPACE')               AS region,
    CASE
        WHEN crm.call_plan_tier_c IN ('A', 'B', 'C') THEN crm.call_plan_tier_c
        ELSE 'NON_TARGET'
    END                                             AS target_tier,
    p.pdrp_opt_out
FROM {{ input.prescribers }} AS p
LEFT JOIN crm
       ON crm.npi_c = p.npi
LEFT JOIN TERRITORY_HIERARCHY AS t
       ON t.territory_id = crm.territory_code_c
WHERE p.is_active;
