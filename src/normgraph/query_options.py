"""The query options the command line offers, kept apart from :mod:`normgraph.query` so that
building the argument parser does not load rdflib's SPARQL machinery or Oxigraph."""

ENGINES = ("oxigraph", "rdflib")
#: Oxigraph answers every stored query on a 1M-triple graph in well under a second, where plain
#: rdflib takes seconds to minutes (bench/bench_queries.py); rdflib stays as the reference engine.
DEFAULT_ENGINE = "oxigraph"
#: Formats for SELECT and ASK answers: a table for people, the W3C SPARQL 1.1 result formats.
TABLE_FORMATS = ("table", "csv", "tsv", "json")
#: Formats for CONSTRUCT and DESCRIBE answers, which are graphs.
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld")
#: Every output format ``normgraph query`` and ``normgraph sparql`` accept.
RESULT_FORMATS = TABLE_FORMATS + GRAPH_FORMATS
#: Table width when neither --width nor the terminal gives one (output piped to a file).
DEFAULT_TABLE_WIDTH = 100
#: The parameter through which a date-bounded stored query leaves out facts the texts do not date
#: (``--dated-only``); such queries declare it as ``?__datedOnly_xsd_boolean``.
DATED_ONLY_PARAMETER = "datedOnly"
