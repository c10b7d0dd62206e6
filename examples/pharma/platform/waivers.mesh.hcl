# Recorded exceptions to the mesh's soft-mandatory policies. Each one names
# the policy, the objects it exempts, why, who approved it and until when;
# an expired waiver fails meshc check. The data governance council reviews
# this file (CODEOWNERS), so a domain team cannot exempt itself from a
# central rule.

waiver "prescribers_v2_sla" {
  policy      = policy.products_have_freshness_sla
  objects     = ["physician.prescribers_v2"]
  description = "The 2.x prescriber master carries no freshness SLA for its last months."
  reason      = "prescribers_v2 is deprecated and retires on 2027-06-30, and no product reads it any more: it is kept only for ad-hoc queries during the move to prescribers 3.x. Promising a freshness for a product being switched off would commit the physician team to an on-call duty with no consumer to serve."
  approver    = "data-governance-council@pharma.example"
  expires     = "2027-06-30"
}
