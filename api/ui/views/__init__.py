"""The UI's pages, one module per audience: sign-in and frame, staff, cases, partners, audit, dashboards."""
