-- Standardise the latest AMA Physician Masterfile release into staging.
-- One row per ME number; names trimmed and upper-cased the way the AMA
-- licensee agreement asks us to display them; specialties mapped to the
-- therapeutic areas the brand teams target.

CREATE OR REPLACE TRANSIENT TABLE STG_AMA_PHYSICIANS AS
WITH latest AS (
    SELECT *
    FROM RAW.AMA.PHYSICIAN_MASTERFILE
    WHERE file_date = (SELECT MAX(file_date) FROM RAW.AMA.PHYSICIAN_MASTERFILE)
    QUALIFY ROW_NUMBER() OVER (PARTITION BY me_number ORDER BY npi NULLS LAST) = 1
)
SELECT
    NULLIF(TRIM(npi), '')                            AS npi,
    me_number                                        AS ama_me_number,
    INITCAP(TRIM(first_name))                        AS first_name,
    INITCAP(TRIM(last_name))                         AS last_name,
    UPPER(degree)                                    AS degree,
    UPPER(primary_specialty)                         AS primary_specialty,
    CASE
        WHEN primary_specialty IN ('HO', 'ON', 'MO', 'GO', 'RO', 'PHO') THEN 'ONCOLOGY'
        WHEN primary_specialty IN ('CD', 'IC', 'CCE', 'ISM')            THEN 'CARDIOLOGY'
        WHEN primary_specialty IN ('FM', 'GP', 'IM', 'GER')             THEN 'PRIMARY_CARE'
        ELSE 'OTHER'
    END                                              AS specialty_group,
    UPPER(mailing_state)                             AS practice_state,
    LEFT(REGEXP_REPLACE(mailing_zip, '[^0-9]', ''), 5) AS practice_zip5,
    COALESCE(pdrp_flag = 'Y', FALSE)                 AS pdrp_opt_out,
    COALESCE(deceased_flag, 'N') <> 'Y'
        AND major_professional_activity NOT IN ('INA', 'RET') AS is_active,
    file_date                                        AS ama_file_date
FROM latest;
