"""Demo data: a seeded set of pathways made only through the runtime's own commands on a moved clock, and its
loading at start-up for `pathways-server --demo`. Never for a database with real patients."""
