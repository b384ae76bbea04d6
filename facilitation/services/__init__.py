"""The use cases: one module per capability; each public use case opens one unit of work."""
