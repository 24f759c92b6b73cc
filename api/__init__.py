"""HTTP API: Litestar controllers translating HTTP to commands and queries (no infra imports)."""
