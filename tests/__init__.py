"""normgraph test suite."""
