"""The dataset description of a release: VoID statistics and DCAT distributions in one graph.

A consumer reads ``void.ttl`` to learn what a release holds before downloading it, and checks the
downloads against it. So every number here is computed from exactly the graph that was written
to the dumps (terms normalised the way :mod:`normgraph.serialize` writes them), and every
distribution carries its byte size and SHA-256.

Counting conventions (VoID leaves some open):

* ``void:triples``: distinct triples, as in the N-Triples dump (one line each);
* ``void:entities``: distinct IRIs in subject position (blank nodes are not entities);
* ``void:classPartition``: per class, ``void:entities`` is the number of distinct IRI subjects
  with that ``rdf:type`` (asserted, no inference) and ``void:triples`` the triples whose subject
  is such an entity;
* ``void:propertyPartition``: per predicate, the number of triples using it;
* ``void:vocabulary``: the namespaces of every predicate and every class used.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, VOID, XSD, Namespace
from rdflib.term import Node

from .namespaces import ID, NG, ORG, PREFIXES
from .serialize import normal_term

SPDX = Namespace("http://spdx.org/rdf/terms#")
#: DCAT 3 (rdflib's DCAT namespace is DCAT 2, without dcat:version and dcat:previousVersion).
DCAT = Namespace("http://www.w3.org/ns/dcat#")
IANA = "https://www.iana.org/assignments/media-types/"

#: Prefixes for void.ttl: normgraph's, plus the vocabularies the description itself uses.
VOID_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "dcat": str(DCAT),
    "void": str(VOID),
    "spdx": str(SPDX),
}

#: Classes whose first instance (in IRI order) is shown as a void:exampleResource.
EXAMPLE_CLASSES = (
    NG.IntergovernmentalOrganisation,
    NG.State,
    NG.Claim,
    ORG.Membership,
    NG.NormStance,
    NG.RoleAttribution,
    NG.Event,
)


@dataclass
class Statistics:
    """What a graph holds, counted once so that every figure in the description agrees."""

    triples: int = 0
    entities: int = 0
    distinct_subjects: int = 0
    distinct_objects: int = 0
    classes: dict[URIRef, int] = field(default_factory=dict)
    class_triples: dict[URIRef, int] = field(default_factory=dict)
    properties: dict[URIRef, int] = field(default_factory=dict)
    vocabularies: list[str] = field(default_factory=list)
    examples: list[URIRef] = field(default_factory=list)


def namespace_of(iri: str) -> str:
    """The vocabulary namespace of a class or property IRI: the longest namespace normgraph knows
    that contains it, else everything up to the last ``#`` or ``/``."""
    known = [ns for ns in PREFIXES.values() if iri.startswith(ns) and iri != ns]
    if known:
        return max(known, key=len)
    return iri[: max(iri.rfind("#"), iri.rfind("/")) + 1]


def _distinct_triples(graph: Graph) -> Iterator[tuple[Node, Node, Node]]:
    """The triples of ``graph`` as the dumps write them: literals normalised, and any two that
    normalise to the same triple (an explicit ``xsd:string``, an upper-case language tag) kept
    once. The set that removes duplicates is built only when such a literal is present."""
    if not any(isinstance(o, Literal) and normal_term(o) is not o for o in graph.objects(unique=True)):
        for s, p, o in graph:
            yield s, p, o
        return
    seen: set[tuple[Node, Node, Node]] = set()
    for s, p, o in graph:
        triple = (s, p, normal_term(o))
        if triple not in seen:
            seen.add(triple)
            yield triple


def statistics(graph: Graph) -> Statistics:
    """Count ``graph`` in one pass over its triples and one over its ``rdf:type`` triples."""
    subjects: set[Node] = set()
    objects: set[Node] = set()
    properties: Counter[URIRef] = Counter()
    per_subject: Counter[Node] = Counter()
    count = 0
    for s, p, o in _distinct_triples(graph):
        count += 1
        subjects.add(s)
        objects.add(o)
        properties[p] += 1  # type: ignore[index]
        per_subject[s] += 1
    classes: dict[URIRef, set[URIRef]] = {}
    for s, _, o in graph.triples((None, RDF.type, None)):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            classes.setdefault(o, set()).add(s)
    vocabularies = {namespace_of(str(p)) for p in properties} | {namespace_of(str(c)) for c in classes}
    return Statistics(
        triples=count,
        entities=sum(1 for s in subjects if isinstance(s, URIRef)),
        distinct_subjects=len(subjects),
        distinct_objects=len(objects),
        classes={c: len(members) for c, members in classes.items()},
        class_triples={c: sum(per_subject[m] for m in members) for c, members in classes.items()},
        properties=dict(properties),
        vocabularies=sorted(vocabularies),
        examples=[min(classes[c]) for c in EXAMPLE_CLASSES if c in classes],
    )


@dataclass(frozen=True)
class Distribution:
    """One file of a release."""

    name: str
    title: str
    media_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Part:
    """A dataset in the release (the whole graph, the ontology, the shapes, the closure) with
    its statistics and the files that carry it."""

    iri: URIRef
    title: str
    description: str
    statistics: Statistics
    distributions: tuple[Distribution, ...]


#: What the release as a whole is called and what it holds (the ontology header describes the
#: ontology alone).
DATASET_TITLE = "normgraph: multinational organisations, roles, norms and sourced claims"
DATASET_DESCRIPTION = (
    "A linked-data knowledge graph of multinational organisations, the states and people that act "
    "in them, their memberships, the national role conceptions they articulate, the norms they "
    "endorse, promote or challenge, and the sourced claims, anchored in their texts, behind every "
    "fact. This release holds the ontology, its SKOS vocabularies and the data."
)


#: Where releases are published; ``{version}`` is replaced by the release's version.
RELEASE_URL = "https://w3id.org/normgraph/release/{version}/"
#: The dataset across all its versions.
DATASET_IRI = URIRef("https://w3id.org/normgraph/dataset")


@dataclass(frozen=True)
class ReleaseInfo:
    """What the ontology header says about the release, and where the release is published."""

    version: str
    version_iri: URIRef
    prior_version: str | None
    title: str
    description: str
    license: URIRef
    rights: str | None
    creators: tuple[str, ...]
    publishers: tuple[str, ...]
    issued: date
    modified: date
    release_url: str = RELEASE_URL

    @property
    def base(self) -> str:
        """The folder URL of this release."""
        return self.release_url.format(version=self.version)

    def download(self, name: str) -> URIRef:
        """The published IRI of the release file ``name``."""
        return URIRef(self.base + name)

    def part(self, fragment: str) -> URIRef:
        """The IRI of a dataset that ``void.ttl`` describes (``dataset``, ``ontology`` ...)."""
        return URIRef(f"{self.base}void.ttl#{fragment}")


def _media_type(value: str) -> URIRef:
    return URIRef(IANA + value)


def _add_distribution(graph: Graph, dataset: URIRef, info: ReleaseInfo, dist: Distribution) -> None:
    node = info.download(dist.name)
    graph.add((dataset, DCAT.distribution, node))
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCTERMS.title, Literal(dist.title, lang="en")))
    graph.add((node, DCAT.downloadURL, node))
    graph.add((node, DCAT.mediaType, _media_type(dist.media_type)))
    graph.add((node, DCAT.byteSize, Literal(str(dist.size), datatype=XSD.nonNegativeInteger)))
    graph.add((node, DCTERMS.license, info.license))
    checksum = BNode()
    graph.add((node, SPDX.checksum, checksum))
    graph.add((checksum, RDF.type, SPDX.Checksum))
    graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    graph.add((checksum, SPDX.checksumValue, Literal(dist.sha256, datatype=XSD.hexBinary)))


def _add_counts(graph: Graph, dataset: URIRef, stats: Statistics, *, partitions: bool) -> None:
    def count(value: int) -> Literal:
        return Literal(str(value), datatype=XSD.integer)

    graph.add((dataset, VOID.triples, count(stats.triples)))
    graph.add((dataset, VOID.entities, count(stats.entities)))
    graph.add((dataset, VOID.distinctSubjects, count(stats.distinct_subjects)))
    graph.add((dataset, VOID.distinctObjects, count(stats.distinct_objects)))
    graph.add((dataset, VOID.properties, count(len(stats.properties))))
    graph.add((dataset, VOID.classes, count(len(stats.classes))))
    for vocabulary in stats.vocabularies:
        graph.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    for example in stats.examples:
        graph.add((dataset, VOID.exampleResource, example))
    if not partitions:
        return
    for cls, entities in stats.classes.items():
        node = BNode()
        graph.add((dataset, VOID.classPartition, node))
        graph.add((node, VOID["class"], cls))
        graph.add((node, VOID.entities, count(entities)))
        graph.add((node, VOID.triples, count(stats.class_triples[cls])))
    for prop, triples in stats.properties.items():
        node = BNode()
        graph.add((dataset, VOID.propertyPartition, node))
        graph.add((node, VOID.property, prop))
        graph.add((node, VOID.triples, count(triples)))


def _add_common(graph: Graph, dataset: URIRef, info: ReleaseInfo, title: str, description: str) -> None:
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.title, Literal(title, lang="en")))
    graph.add((dataset, DCTERMS.description, Literal(description, lang="en")))
    graph.add((dataset, DCTERMS.license, info.license))
    graph.add((dataset, DCAT.version, Literal(info.version)))
    graph.add((dataset, OWL.versionInfo, Literal(info.version)))
    graph.add((dataset, DCTERMS.issued, Literal(info.issued.isoformat(), datatype=XSD.date)))
    graph.add((dataset, DCTERMS.modified, Literal(info.modified.isoformat(), datatype=XSD.date)))
    for creator in info.creators:
        graph.add((dataset, DCTERMS.creator, Literal(creator)))
    for publisher in info.publishers:
        graph.add((dataset, DCTERMS.publisher, Literal(publisher)))
    if info.rights:
        graph.add((dataset, DCTERMS.rights, Literal(info.rights, lang="en")))


def release_description(
    info: ReleaseInfo,
    main: Part,
    ontology: Part,
    shapes: Part | None = None,
    inferred: Part | None = None,
    documentation: str | None = None,
) -> Graph:
    """The VoID + DCAT description of a release.

    ``main`` is the published graph (ontology, vocabularies and data); ``ontology`` its
    ontology-and-vocabularies subset; ``shapes`` the SHACL shapes the data conforms to;
    ``inferred`` the OWL-RL entailments published beside it; ``documentation`` the name of the
    documentation's start page in the release.
    """
    graph = Graph()
    dataset = main.iri
    description_doc = info.download("void.ttl")
    graph.add((description_doc, RDF.type, VOID.DatasetDescription))
    graph.add((description_doc, DCTERMS.title, Literal(f"Description of normgraph {info.version}", lang="en")))
    graph.add((description_doc, FOAF.primaryTopic, dataset))

    _add_common(graph, dataset, info, main.title, main.description)
    graph.add((dataset, DCTERMS.isVersionOf, DATASET_IRI))
    graph.add((dataset, DCTERMS.conformsTo, info.version_iri))
    graph.add((dataset, VOID.uriSpace, Literal(str(ID))))
    if info.prior_version is not None:
        previous = info.release_url.format(version=info.prior_version) + "void.ttl#dataset"
        graph.add((dataset, DCAT.previousVersion, URIRef(previous)))
    if documentation is not None:
        graph.add((dataset, DCAT.landingPage, info.download(documentation)))
        graph.add((dataset, FOAF.page, info.download(documentation)))
    _add_counts(graph, dataset, main.statistics, partitions=True)
    for dist in main.distributions:
        _add_distribution(graph, dataset, info, dist)
        graph.add((dataset, VOID.dataDump, info.download(dist.name)))

    graph.add((dataset, VOID.subset, ontology.iri))
    _add_common(graph, ontology.iri, info, ontology.title, ontology.description)
    _add_counts(graph, ontology.iri, ontology.statistics, partitions=False)
    for dist in ontology.distributions:
        _add_distribution(graph, ontology.iri, info, dist)
        graph.add((ontology.iri, VOID.dataDump, info.download(dist.name)))

    for extra, link in ((shapes, DCTERMS.conformsTo), (inferred, None)):
        if extra is None:
            continue
        _add_common(graph, extra.iri, info, extra.title, extra.description)
        _add_counts(graph, extra.iri, extra.statistics, partitions=False)
        for dist in extra.distributions:
            _add_distribution(graph, extra.iri, info, dist)
            graph.add((extra.iri, VOID.dataDump, info.download(dist.name)))
        if link is not None:
            graph.add((dataset, link, extra.iri))
        else:
            graph.add((extra.iri, PROV.wasDerivedFrom, dataset))
    return graph
