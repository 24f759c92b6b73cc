"""Test suite; mirrors the package layout (tests/domain, tests/application, tests/infra, ...)."""
