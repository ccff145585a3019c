"""The read side: task lists, pathway instance detail, the deployed pathways, the compliance report and a
version's diagram counts, straight from the projected tables (never by loading workflows)."""
