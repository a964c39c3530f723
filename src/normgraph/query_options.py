"""The query options the command line offers, kept apart from :mod:`normgraph.query` so that
building the argument parser does not load rdflib's SPARQL machinery or Oxigraph."""

ENGINES = ("oxigraph", "rdflib")
#: Oxigraph answers every stored query on a 1M-triple graph in well under a second, where plain
#: rdflib takes seconds to minutes (bench/bench_queries.py); rdflib stays as the reference engine.
DEFAULT_ENGINE = "oxigraph"
#: Output formats: a table for people, the W3C SPARQL 1.1 result formats, Turtle for graphs.
FORMATS = ("table", "csv", "tsv", "json", "turtle")
