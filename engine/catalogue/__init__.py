"""The pathway catalogue: read BPMN pathway files safely, lint them, and deploy them as immutable versions.

A file is parsed with lxml (no entities, no DTDs, no network), checked against BPMN 2.0 and our conventions
(measuring points, deadline indicators, lanes, forms; pathways/README.md), and its expressions against the safe
allow-list; what passes becomes a `PathwayDefinition` with its SpiffWorkflow spec. Deploying registers a version
by the SHA-256 of its bytes; running instances stay on the version they started on.
"""
