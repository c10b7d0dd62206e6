product "prescribers_v2" {
  version     = "2.9.3"
  description = "The prescriber table in its 2.x layout (AMA column names, two-letter specialty groups), kept as a view over prescribers for the 2024 incentive compensation model until sales operations moves to 3.x."
  tags        = ["master-data", "ama", "legacy"]

  input "prescribers" {
    from    = product.prescribers.port.prescribers
    columns = ["npi", "ama_me_number", "primary_specialty", "specialty_group", "practice_state", "is_active"]
  }

  port "prescribers" {
    visibility  = "public"
    view        = "PRESCRIBERS_V2"
    description = "Active prescribers in the 2.x layout. Do not build on it: read prescribers.prescribers instead."

    column "npi" {
      type  = string(10)
      tests = [not_null(), unique()]
    }
    column "me_num" { type = string(11) }
    column "spec_cd" { type = string(3) }
    column "spec_grp" {
      type  = string(2)
      tests = [accepted_values(["ON", "CV", "PC", "OT"])]
    }
    column "state_cd" { type = string(2) }
  }

  step "create_view" {
    run = runner.sql
    sql = <<-SQL
      CREATE OR REPLACE VIEW PRESCRIBERS_V2 AS
      SELECT npi,
             ama_me_number     AS me_num,
             primary_specialty AS spec_cd,
             DECODE(specialty_group, 'ONCOLOGY', 'ON', 'CARDIOLOGY', 'CV', 'PRIMARY_CARE', 'PC', 'OT') AS spec_grp,
             practice_state    AS state_cd
      FROM PRESCRIBERS
      WHERE is_active
    SQL
  }

  deprecation {
    date    = "2027-06-30"
    message = "Use physician.prescribers 3.x (port prescribers): specialty_group replaces spec_grp and inactive physicians are kept with is_active = false. The 2027 incentive compensation model already reads 3.x."
  }
}
