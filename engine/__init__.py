"""Pathway engine: runs standardised patient pathways (BPMN) per patient on SpiffWorkflow.

Nothing in this package knows HTTP; `api/` is a thin layer over `engine.runtime`.
"""
