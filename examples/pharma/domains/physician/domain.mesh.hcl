domain "physician" {
  owner       = "physician-mdm@pharma.example"
  extends     = blueprint.mastered_domain
  schema      = "PHYSICIAN"
  description = <<-EOT
    Master data management for US prescribers. We take the AMA Physician
    Masterfile every month, standardise it, validate every NPI and publish
    one golden record per physician. Sales compensation, targeting and both
    warehouses key on our NPI, so a change to a public column here goes
    through the commercial data council first.
  EOT
}

source "ama_masterfile" {
  description    = "The AMA Physician Masterfile as delivered by our AMA database licensee: every MD and DO in the US, including residents and inactive physicians. Landed by the Talend job logsys_master_d around the 15th of each month."
  cadence        = "monthly"
  table          = "RAW.AMA.PHYSICIAN_MASTERFILE"
  classification = "restricted"

  column "me_number" {
    type        = string(11)
    description = "AMA Medical Education number: the AMA's lifelong identifier of a physician."
  }
  column "npi" {
    type        = string(10)
    description = "National Provider Identifier; missing for about 3% of records, mostly residents and retired physicians."
  }
  column "first_name" {
    type           = string(100)
    classification = "pii"
  }
  column "last_name" {
    type           = string(100)
    classification = "pii"
  }
  column "degree" {
    type        = string(2)
    description = "MD or DO."
  }
  column "primary_specialty" {
    type        = string(3)
    description = "AMA self-designated primary specialty code, such as HO (hematology/oncology) or CD (cardiovascular disease)."
  }
  column "secondary_specialty" { type = string(3) }
  column "major_professional_activity" {
    type        = string(3)
    description = "MPA code: OFF (office-based), HPR (hospital resident), HPT (hospital staff), RES (research), ADM (administration), TCH (teaching), INA (inactive)."
  }
  column "mailing_state" { type = string(2) }
  column "mailing_zip" { type = string(10) }
  column "pdrp_flag" {
    type        = string(1)
    description = "Y when the physician opted out of sharing prescribing data with sales representatives under the AMA Prescribing Data Restriction Program."
  }
  column "deceased_flag" { type = string(1) }
  column "file_date" {
    type        = date
    description = "The AMA release the row comes from."
  }
}

secret "talend_cloud" {
  description = "Personal access token of the Talend Cloud service account that runs the physician mastering jobs."
  vault       = "commercial/physician-mdm/talend#personal_access_token"
}
