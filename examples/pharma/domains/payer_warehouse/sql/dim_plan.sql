-- Rebuild the plan dimension and our brands' access on each plan from the
-- managed-markets master data.

CREATE OR REPLACE TABLE DIM_PLAN
    COMMENT = 'Managed by meshc product payer_warehouse.dim_plan; do not edit by hand.'
AS
SELECT plan_id, plan_name, payer_name, pbm, channel, covered_lives
FROM {{ input.plans }}
UNION ALL
SELECT 'UNKNOWN', 'Unknown plan', 'Unknown payer', 'OTHER', 'UNKNOWN', NULL;

CREATE OR REPLACE TABLE DIM_PLAN_BRAND_ACCESS
    COMMENT = 'Managed by meshc product payer_warehouse.dim_plan; do not edit by hand.'
AS
SELECT
    f.plan_id,
    f.brand_name,
    CASE
        WHEN f.coverage_status = 'NOT_COVERED'                         THEN 'BLOCKED'
        WHEN f.coverage_status = 'MEDICAL'                             THEN 'MEDICAL'
        WHEN f.prior_auth_required OR f.step_therapy_required          THEN 'CONTROLLED'
        ELSE 'UNRESTRICTED'
    END AS access_category,
    f.tier
FROM {{ input.formulary }} AS f;
