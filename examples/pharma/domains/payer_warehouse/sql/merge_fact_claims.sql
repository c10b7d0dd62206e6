-- Merge the staged delivery into the claims fact: a claim seen again
-- (reversed, or resubmitted after a prior authorisation) takes its latest
-- status.

MERGE INTO FACT_CLAIMS AS tgt
USING STG_PHARMACY_CLAIMS AS src
ON tgt.claim_id = src.claim_id
WHEN MATCHED THEN UPDATE SET
    claim_status       = src.claim_status,
    reject_reason      = src.reject_reason,
    plan_id            = src.plan_id,
    channel            = src.channel,
    days_supply        = src.days_supply,
    patient_pay_amount = src.patient_pay_amount
WHEN NOT MATCHED THEN INSERT (
    claim_id, fill_date, week_ending_date, patient_token, prescriber_npi, brand_name, market,
    plan_id, channel, claim_status, reject_reason, days_supply, patient_pay_amount
) VALUES (
    src.claim_id, src.fill_date, src.week_ending_date, src.patient_token, src.prescriber_npi,
    src.brand_name, src.market, src.plan_id, src.channel, src.claim_status, src.reject_reason,
    src.days_supply, src.patient_pay_amount
);
