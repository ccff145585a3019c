"""HTTP API over the pathway engine. Thin: each route validates input, calls one engine function, shapes output."""
