product "prescribers" {
  extends     = blueprint.mastered_product
  version     = "3.1.0"
  description = <<-EOT
    The golden record of US prescribers: one row per physician with an NPI,
    standardised from the monthly AMA Physician Masterfile. Specialties are
    grouped into the therapeutic areas our brands call on, and the AMA PDRP
    opt-out is carried through so that no downstream product shows a
    restricted physician's prescribing to a sales representative.
  EOT
  tags        = ["ama", "sales-compensation"]

  input "ama" {
    from = source.ama_masterfile
    columns = [
      "me_number", "npi", "first_name", "last_name", "degree", "primary_specialty",
      "major_professional_activity", "mailing_state", "mailing_zip", "pdrp_flag",
      "deceased_flag", "file_date",
    ]
  }

  port "prescribers" {
    visibility  = "public"
    table       = "PRESCRIBERS"
    description = "One row per US physician with a valid NPI, current as of the latest AMA release. Keyed by NPI."

    column "npi" {
      type        = string(10)
      nullable    = false
      description = "National Provider Identifier, validated against its check digit. The key every warehouse joins on."
      tests       = [not_null(), unique(), valid_npi()]
    }
    column "ama_me_number" {
      type        = string(11)
      description = "AMA Medical Education number, for reconciling with AMA-licensed vendors."
      tests       = [unique()]
    }
    column "first_name" {
      type           = string(100)
      classification = "pii"
      masking        = "partial"
    }
    column "last_name" {
      type           = string(100)
      description    = "The prescriber's last name, from the AMA Physician Masterfile."
      classification = "pii"
      masking        = "hash"
    }
    column "degree" {
      type  = string(2)
      tests = [accepted_values(["MD", "DO"])]
    }
    column "primary_specialty" {
      type        = string(3)
      description = "AMA primary specialty code."
    }
    column "specialty_group" {
      type        = string(20)
      nullable    = false
      description = "The therapeutic area the specialty belongs to, as the brand teams target: ONCOLOGY, CARDIOLOGY, PRIMARY_CARE or OTHER."
      tests       = [not_null(), accepted_values(["ONCOLOGY", "CARDIOLOGY", "PRIMARY_CARE", "OTHER"])]
    }
    column "practice_state" {
      type        = string(2)
      description = "USPS state code of the mailing address."
    }
    column "practice_zip5" {
      type        = string(5)
      description = "Five-digit ZIP code, the grain of the sales territory alignment."
    }
    column "pdrp_opt_out" {
      type        = boolean
      nullable    = false
      description = "True when the physician opted out under the AMA Prescribing Data Restriction Program: reps may call on them but must not see their prescribing data."
    }
    column "is_active" {
      type        = boolean
      nullable    = false
      description = "False for deceased, retired and inactive (MPA INA) physicians. Kept rather than deleted so that historical facts still join."
    }
    column "ama_file_date" {
      type        = date
      description = "The AMA release this record was last refreshed from."
    }
    column "updated_at" {
      type        = timestamp_ntz
      description = "When this record last changed, in UTC."
      test "refreshed_this_cycle" {
        check       = freshness("35d")
        severity    = "warn"
        description = "The AMA release is late or the merge did not run: sales operations is told before month-end compensation runs."
      }
    }

    tests = [row_count(800000, 1600000)]

    test "zip_is_five_digits" {
      check = expression("practice_zip5 IS NULL OR REGEXP_LIKE(practice_zip5, '[0-9]{5}')")
    }
  }

  step "land_ama_file" {
    run         = runner.talend
    description = "The Talend job from the legacy logsys platform: picks up the AMA delivery from SFTP and loads RAW.AMA.PHYSICIAN_MASTERFILE."
    job         = "logsys_master_d"
    token       = secret.talend_cloud
  }
  step "standardise" {
    run   = runner.sql
    file  = "sql/stg_ama_physicians.sql"
    after = [step.land_ama_file]
  }
  step "validate_npi" {
    run    = runner.python
    script = "python/validate_npi.py"
    args   = ["--table", "STG_AMA_PHYSICIANS", "--rejects", "NPI_REJECTS"]
    after  = [step.standardise]
  }
  step "merge" {
    run   = runner.sql
    file  = "sql/merge_prescribers.sql"
    after = [step.validate_npi]
  }

  test "no_duplicate_me_numbers_across_npis" {
    check = custom_sql(<<-SQL
      SELECT ama_me_number, COUNT(DISTINCT npi) AS npis
      FROM PRESCRIBERS
      WHERE ama_me_number IS NOT NULL
      GROUP BY ama_me_number
      HAVING COUNT(DISTINCT npi) > 1
    SQL
    )
    description = "Two NPIs mapped to one AMA ME number means the NPI crosswalk merged two people."
  }
}
