"""Tools for modellers that work on the pathway files themselves: laying out a diagram for a file that has none,
and writing the catalogue page (pathways/CATALOGUE.md) from the files."""
