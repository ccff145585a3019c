"""Deadlines (forløpstider): their declaration in BPMN, the Norwegian working-day calendar, and every rule that
decides a deadline's due date and status.

Pure logic, no database: the runtime applies registered measuring points to an instance's measurements in
memory, and the reads, the overdue sweep and the compliance report reuse the status rules of `rules`.
"""
