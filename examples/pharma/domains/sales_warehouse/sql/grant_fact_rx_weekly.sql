-- Field reporting reads the fact through a secure view that hides the
-- prescribing of physicians who opted out under the AMA PDRP; only the
-- incentive compensation and analytics roles read the table itself.

CREATE OR REPLACE SECURE VIEW FACT_RX_WEEKLY_FIELD AS
SELECT f.*
FROM FACT_RX_WEEKLY AS f
JOIN DIM_PRESCRIBER AS d
  ON d.npi = f.prescriber_npi
WHERE NOT d.pdrp_opt_out;

GRANT SELECT ON VIEW FACT_RX_WEEKLY_FIELD TO ROLE FIELD_REPORTING;
GRANT SELECT ON TABLE FACT_RX_WEEKLY TO ROLE INCENTIVE_COMP;
GRANT SELECT ON TABLE FACT_RX_WEEKLY TO ROLE BRAND_ANALYTICS;
