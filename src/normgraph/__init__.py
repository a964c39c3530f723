"""normgraph: a linked-data knowledge graph of multinational organisations, roles, norms and claims.

The library is importable on its own; the ``normgraph`` command is a thin layer over it:

* :mod:`normgraph.layout`  finds the ontology, data, shapes, rules and queries folders;
* :mod:`normgraph.bounds`  the limits every input is held to, read from the environment;
* :mod:`normgraph.load`    the one loader: parses a tree into one store, within the bounds;
* :mod:`normgraph.gate`    runs every project rule (shapes and ``rules/``) for every command;
* :mod:`normgraph.reason`  runs the OWL-RL closure and reports inconsistencies;
* :mod:`normgraph.evidence` anchors quotes in source texts and verifies anchors;
* :mod:`normgraph.stats`   counts what the graph holds.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("normgraph")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
