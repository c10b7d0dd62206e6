product "dim_prescriber" {
  version     = "4.2.0"
  description = "The prescriber dimension of the sales warehouse: the physician master joined to this week's CRM territory alignment and call plan tier. Type 1: it shows the current alignment."
  tags        = ["star-schema", "dimension", "field-reporting"]

  input "prescribers" {
    from = domain.physician.product.prescribers.port.prescribers
    columns = {
      npi             = string(10)
      last_name       = string
      specialty_group = string
      practice_state  = string(2)
      practice_zip5   = string(5)
      pdrp_opt_out    = boolean
      is_active       = boolean
    }
  }
  input "crm_accounts" {
    from    = source.crm_accounts
    columns = ["id", "npi_c", "territory_code_c", "call_plan_tier_c", "record_type_name", "is_deleted"]
  }

  port "dim_prescriber" {
    visibility  = "public"
    table       = "DIM_PRESCRIBER"
    description = "One row per active prescriber, with the territory and tier the field force works them in this week."

    column "npi" {
      type        = string(10)
      description = "The prescriber's National Provider Identifier: the key the brand teams join on."
      nullable    = false
      tests = [
        not_null(),
        unique(),
        relationships(domain.physician.product.prescribers.port.prescribers, "npi"),
      ]
    }
    column "crm_account_id" {
      type        = string(18)
      description = "The Salesforce account; NULL for prescribers the field force does not call on."
    }
    column "prescriber_name" {
      type           = string(200)
      classification = "pii"
      masking        = "redact"
      description    = "Last name, for call lists. Redacted outside the field-reporting role."
    }
    column "specialty_group" {
      type        = string(20)
      description = "The AMA specialty, rolled up into the groups the brand teams target."
      tests       = [accepted_values(["ONCOLOGY", "CARDIOLOGY", "PRIMARY_CARE", "OTHER"])]
    }
    column "practice_state" { type = string(2) }
    column "territory_id" {
      type        = string(10)
      description = "The aligned territory, such as ONC-NE-014, or UNASSIGNED (white space)."
      tests       = [not_null()]
    }
    column "region" {
      type        = string(20)
      description = "The sales region the territory rolls up to."
    }
    column "target_tier" {
      type        = string(10)
      nullable    = false
      description = "The call plan tier: A and B are called on every cycle, C every other cycle."
      tests       = [accepted_values(["A", "B", "C", "NON_TARGET"])]
    }
    column "pdrp_opt_out" {
      type        = boolean
      nullable    = false
      description = "Carried from the physician master: suppress this prescriber's prescribing in any report a rep can see."
    }

    tests = [row_count(100000)]
  }

  step "build" {
    run  = runner.sql
    file = "sql/dim_prescriber.sql"
  }

  schedule {
    cadence  = "0 6 * * 2"
    timezone = "America/New_York"
  }

  sla { freshness = "35d" }
}
