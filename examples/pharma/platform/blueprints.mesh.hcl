# The reference project of the mastered layer, as blueprints that the master
# data teams' domains and products extend (docs/language.md, "Blueprints").
# What every mastered product promises lives here once: a product's own
# values win over these, and meshc explain --object DOMAIN.PRODUCT shows
# where each value of a product comes from.

blueprint "mastered_domain" {
  for   = "domain"
  layer = "mastered"
}

blueprint "mastered_product" {
  for  = "product"
  tags = ["master-data"]

  # Mastered products refresh from monthly vendor files; consumers are
  # promised data no older than one delivery plus a few days' slack.
  sla { freshness = "35d" }

  test "published_rows" {
    check       = row_count(1)
    description = "A mastered product that publishes no rows stops every warehouse that keys on it."
  }
}
