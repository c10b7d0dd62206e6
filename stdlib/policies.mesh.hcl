# The baseline policy set: governance rules most meshes want, which a mesh
# opts into with policy_sets = ["baseline"] in its mesh block. Without that
# line none of them applies. They are written in the mesh language, like a
# platform team's own policies, and docs/governance.md explains each one.
#
# Soft-mandatory policies can be waived, object by object, with a waiver
# block in mesh.hcl or a shared folder; hard-mandatory ones cannot.

policy "domains_have_owner" {
  set         = "baseline"
  description = "Every domain names who answers for its data."
  enforcement = "hard_mandatory"
  on          = "domain"
  assert      = domain.owner != null && trimspace(domain.owner) != ""
  message     = "Domain ${domain.name} has no owner: give it owner = \"team@example.com\"."
}

policy "products_have_owner" {
  set         = "baseline"
  description = "Every product has an owner, its own or its domain's."
  enforcement = "hard_mandatory"
  on          = "product"
  assert      = product.owner != null && trimspace(product.owner) != ""
  message     = "Product ${product.id} has no owner: set owner, or leave it out to inherit the domain's."
}

policy "public_ports_described" {
  set         = "baseline"
  description = "A public port is a contract other domains rely on, so it says what it holds."
  enforcement = "soft_mandatory"
  on          = "port"
  when        = port.visibility == "public"
  assert      = port.description != null && trimspace(port.description) != ""
  message     = "Public port ${port.id} has no description: add description = \"...\" saying what one row is and who should read it."
}

policy "public_ports_tested" {
  set         = "baseline"
  description = "A public port has at least one test, so that consumers run only on data that passed."
  enforcement = "soft_mandatory"
  on          = "port"
  when        = port.visibility == "public"
  assert      = length(port.tests) > 0
  message     = "Public port ${port.id} has no test: add one, such as tests = [not_null()] on its key column or tests = [row_count(1)] on the port."
}

policy "pii_columns_protected" {
  set         = "baseline"
  description = "A column holding personal data is masked, or stays inside its domain."
  enforcement = "hard_mandatory"
  on          = "column"
  when        = column.classification == "pii"
  assert      = column.masking != null || port.visibility == "internal"
  message     = "Column ${column.name} of public port ${port.id} is classified pii but not masked: add masking = \"hash\" (or nullify, partial, redact), or make the port internal."
}

policy "products_have_freshness_sla" {
  set         = "baseline"
  description = "Every product promises how fresh its data is."
  enforcement = "soft_mandatory"
  on          = "product"
  assert      = product.sla != null
  message     = "Product ${product.id} promises no freshness: add sla { freshness = \"...\" }, as long as the slowest cadence upstream or longer."
}

policy "table_names_upper_snake" {
  set         = "baseline"
  description = "Tables and views are named in upper snake case, as Snowflake stores unquoted names."
  enforcement = "advisory"
  on          = "port"
  assert      = matches(port.object_name, "[A-Z][A-Z0-9]*(_[A-Z0-9]+)*")
  message     = "The ${port.kind} ${port.object_name} of port ${port.id} is not in upper snake case, such as ${upper(port.object_name)}: Snowflake stores unquoted names in upper case, and catalogs show them so."
}

# Layering and cross-domain rules, written as policies.

policy "layers_not_skipped" {
  set         = "baseline"
  description = "A product reads from its own layer or the one just below, so that each layer builds on the one under it."
  enforcement = "advisory"
  on          = "input"
  when        = input.producer_layer != null && product.layer != null
  assert      = layer_index(product.layer) - layer_index(input.producer_layer) <= 1
  message     = "Product ${product.id} (layer ${product.layer}) reads ${input.producer} from layer ${input.producer_layer}, skipping a layer: read the product of the layer in between that derives from it, or move this product down."
}

policy "cross_domain_columns_described" {
  set         = "baseline"
  description = "A column another domain reads is described, so that its consumers know what they rely on."
  enforcement = "soft_mandatory"
  on          = "column"
  when        = column.read_cross_domain
  assert      = column.description != null && trimspace(column.description) != ""
  message     = "Column ${column.name} of port ${port.id} is read by ${join(", ", [for d in column.reader_domains : d if d != column.domain])} but has no description: add description = \"...\"."
}
