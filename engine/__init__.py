"""Pathway engine: runs standardised patient pathways (BPMN) per patient on SpiffWorkflow.

Packages by responsibility, from the bottom up: `db` (tables, transactions, migrations), `deadlines` (indicator
declarations, the working-day calendar, every due-date and status rule), `access` (principals, policy, audit),
`catalogue` (reading, linting and deploying pathway files; the definition cache; the registration validator),
`runtime` (the commands on one instance at a time), `reading` (views from the projected tables), `actions`
(what a signed-in user asks for), and the tooling `modelling`, `demo` and `cli`. Nothing here knows HTTP.
"""
