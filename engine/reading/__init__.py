"""The read side: task lists, pathway instance detail, the deployed pathways and the compliance report, straight
from the projected tables (never by loading workflows)."""
