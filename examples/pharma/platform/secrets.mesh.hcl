# Mesh-wide credentials, kept in the platform team's vault. Domains refer to
# them as secret.NAME; no credential is ever written in a mesh file.

secret "alteryx_gallery" {
  description = "OAuth access token of the Alteryx Server gallery service account that runs scheduled self-service workflows, renewed in the vault."
  vault       = "commercial-data-platform/alteryx/gallery#access_token"
}
