-- Merge validated staging rows into the golden record. Physicians are never
-- deleted: one who drops out of the AMA file is marked inactive so that
-- historical prescriptions and claims still join to them.

MERGE INTO PRESCRIBERS AS tgt
USING (
    SELECT s.*
    FROM STG_AMA_PHYSICIANS AS s
    WHERE s.npi IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM NPI_REJECTS AS r WHERE r.npi = s.npi)
) AS src
ON tgt.npi = src.npi
WHEN MATCHED AND (
       tgt.ama_me_number     IS DISTINCT FROM src.ama_me_number
    OR tgt.first_name        IS DISTINCT FROM src.first_name
    OR tgt.last_name         IS DISTINCT FROM src.last_name
    OR tgt.degree            IS DISTINCT FROM src.degree
    OR tgt.primary_specialty IS DISTINCT FROM src.primary_specialty
    OR tgt.specialty_group   IS DISTINCT FROM src.specialty_group
    OR tgt.practice_state    IS DISTINCT FROM src.practice_state
    OR tgt.practice_zip5     IS DISTINCT FROM src.practice_zip5
    OR tgt.pdrp_opt_out      IS DISTINCT FROM src.pdrp_opt_out
    OR tgt.is_active         IS DISTINCT FROM src.is_active
) THEN UPDATE SET
    ama_me_number     = src.ama_me_number,
    first_name        = src.first_name,
    last_name         = src.last_name,
    degree            = src.degree,
    primary_specialty = src.primary_specialty,
    specialty_group   = src.specialty_group,
    practice_state    = src.practice_state,
    practice_zip5     = src.practice_zip5,
    pdrp_opt_out      = src.pdrp_opt_out,
    is_active         = src.is_active,
    ama_file_date     = src.ama_file_date,
    updated_at        = SYSDATE()
WHEN MATCHED THEN UPDATE SET
    ama_file_date = src.ama_file_date,
    updated_at    = SYSDATE()
WHEN NOT MATCHED THEN INSERT (
    npi, ama_me_number, first_name, last_name, degree, primary_specialty, specialty_group,
    practice_state, practice_zip5, pdrp_opt_out, is_active, ama_file_date, updated_at
) VALUES (
    src.npi, src.ama_me_number, src.first_name, src.last_name, src.degree, src.primary_specialty,
    src.specialty_group, src.practice_state, src.practice_zip5, src.pdrp_opt_out, src.is_active,
    src.ama_file_date, SYSDATE()
);

-- Physicians missing from this release are no longer active.
UPDATE PRESCRIBERS
SET is_active = FALSE, updated_at = SYSDATE()
WHERE is_active
  AND npi NOT IN (SELECT npi FROM STG_AMA_PHYSICIANS WHERE npi IS NOT NULL);
