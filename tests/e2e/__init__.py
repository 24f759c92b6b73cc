"""End-to-end tests: the real `crm` processes over real HTTP."""
