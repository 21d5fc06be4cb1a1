"""Every IRI TradeKG spells lives here: namespaces, graph names and IRI minting.

No other module writes an IRI literally; they import from this one.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

from kg import resources

TDO: Final = Namespace("https://w3id.org/tradekg/ontology#")
"""The ontology's terms (classes, properties, concept-scheme members)."""
TDR: Final = Namespace("https://w3id.org/tradekg/resource/")
"""Resources: people, posts, governments, meetings, tariffs, articles (one namespace per kind below)."""
TDG: Final = Namespace("https://w3id.org/tradekg/graph/")
"""Named graphs of the store."""
ORG: Final = Namespace("http://www.w3.org/ns/org#")
OA: Final = Namespace("http://www.w3.org/ns/oa#")
SCHEMA: Final = Namespace("https://schema.org/")
TIME: Final = Namespace("http://www.w3.org/2006/time#")
SH: Final = Namespace("http://www.w3.org/ns/shacl#")
WD: Final = Namespace("http://www.wikidata.org/entity/")

ONTOLOGY_IRI: Final = "https://w3id.org/tradekg/ontology"

# ---- resource namespaces: one per kind, so every resource IRI is a prefixed name -------------
# A resource's IRI is its kind's namespace followed by a local name that is a valid SPARQL 1.1 and
# Turtle PN_LOCAL without escapes: ids match _ID_RE (no ':', no trailing '.'), and a sub-resource
# (a status change, a mention, a piece of evidence, a target, a selector) joins the ids it depends on
# with ':', the one PN_LOCAL character ids never contain, so its local name is unambiguous and flat.
KIND_PREFIX: Final[dict[str, str]] = {
    "article": "article",
    "event": "event",
    "measure": "measure",
    "person": "person",
    "post": "post",
    "holding": "holding",
    "org": "organisation",  # "org:" is the W3C Organization Ontology
    "jurisdiction": "jurisdiction",
    "instrument": "instrument",
    "topic": "topic",
}
"""Kind of registry entity or fact (the IRI path segment) -> its predeclared prefix name."""
SUB_RESOURCE_PREFIX: Final[dict[str, str]] = {
    "status": "status", "mention": "mention", "evidence": "evidence", "target": "target", "selector": "selector",
    "reversion": "reversion",
    "commitment": "commitment"}
"""Kind of sub-resource (the IRI path segment) -> its predeclared prefix name."""
SEP: Final = ":"
"""Joins the ids in a sub-resource's local name."""

STATUS: Final = Namespace(f"{TDR}status/")
MENTION: Final = Namespace(f"{TDR}mention/")
EVIDENCE: Final = Namespace(f"{TDR}evidence/")
TARGET: Final = Namespace(f"{TDR}target/")
SELECTOR: Final = Namespace(f"{TDR}selector/")
REVERSION: Final = Namespace(f"{TDR}reversion/")
"""Derived (knowledge graph only): the return of a measure to its earlier status when a change's term ends,
``reversion:MEASURE:STATUS-DAY`` after the change ``status:MEASURE:STATUS-DAY`` whose term it ends."""
COMMITMENT: Final = Namespace(f"{TDR}commitment/")

# ---- graph roles ----------------------------------------------------------------------------
ONTOLOGY_GRAPH: Final = TDG["ontology"]
"""Role "ontology": the ontology's axioms."""
REGISTRY_GRAPH: Final = TDG["registry"]
"""Role "registry": the entity registry."""
META_GRAPH: Final = TDG["meta"]
"""Role "meta": the build manifest and the store format marker."""
REASONER_GRAPH: Final = TDG["inferred/hermit"]
"""Role "reasoner": the types HermiT inferred (``tradekg reason``)."""
_ARTICLE_GRAPHS: Final = f"{TDG}article/"
_INFERRED_SUFFIX: Final = "/inferred"
_REASONER_GRAPHS: Final = f"{TDG}inferred/"

STORE_FORMAT: Final = "2"
"""The store format written by every build (``META_GRAPH tdo:storeFormat STORE_FORMAT`` in the meta graph).
2: resource IRIs in one namespace per kind, sub-resources flat (``status:M:S-D``, ``evidence:A:F:N``)."""
STORE_FORMAT_PROPERTY: Final = TDO["storeFormat"]
KG_PENDING_PROPERTY: Final = TDO["kgPending"]
"""``META_GRAPH tdo:kgPending true`` while source graphs are written whose knowledge-graph counts and derived
facts are not yet (see :mod:`kg.build.write`); a build that finds it recomputes the knowledge graph."""

ONTOLOGY_DIR: Final = resources.path("ontology")
ONTOLOGY_FILE: Final = ONTOLOGY_DIR / "tradekg.ttl"
SHAPES_FILE: Final = ONTOLOGY_DIR / "shapes.ttl"

PREFIXES: Final[dict[str, str]] = {
    "tdo": str(TDO),
    "tdr": str(TDR),
    "tdg": str(TDG),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "prov": str(PROV),
    "org": str(ORG),
    "oa": str(OA),
    "schema": str(SCHEMA),
    "time": str(TIME),
    "wd": str(WD),
    **{prefix: f"{TDR}{kind}/" for kind, prefix in KIND_PREFIX.items()},
    **{prefix: f"{TDR}{kind}/" for kind, prefix in SUB_RESOURCE_PREFIX.items()},
}
"""Prefixes predeclared for every query and used by every Turtle export."""

_ID_RE: Final = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,198}[a-z0-9_-])?$")


def slug(text: str) -> str:
    """Turn any name into a safe IRI path segment: lower-case ASCII letters,
    digits and hyphens only, so no minted IRI can leave its namespace.

    >>> slug("Ryōsei Akazawa")
    'ryosei-akazawa'
    >>> slug("../../etc <x>#y")
    'etc-x-y'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return s[:120] or "x"


def is_valid_id(identifier: str) -> bool:
    """Whether ``identifier`` may be used as an id in articles and the registry: the local part of a prefixed
    name as it stands (no ':', no '..', no trailing '.', which SPARQL and Turtle forbid there).

    >>> is_valid_id("shigeru-ishiba"), is_valid_id("../x"), is_valid_id("a b"), is_valid_id("abc\\n")
    (True, False, False, False)
    >>> is_valid_id("v1.2"), is_valid_id("v1."), is_valid_id("a:b")
    (True, False, False)
    """
    return bool(_ID_RE.fullmatch(identifier)) and ".." not in identifier  # fullmatch: "$" alone accepts "abc\n"


def iri_error(value: str) -> str | None:
    """Why the store would refuse ``value`` as an IRI, or None if it is a valid absolute IRI.

    >>> iri_error("https://example.com/a#b") is None, iri_error("https://example.com/a#b#c")
    (True, "Invalid IRI code point '#'")
    """
    import pyoxigraph

    try:
        pyoxigraph.NamedNode(value)
    except ValueError as exc:
        return str(exc)
    return None


def _checked(*ids: str) -> str:
    for identifier in ids:
        if not is_valid_id(identifier):
            raise ValueError(f"invalid id {identifier!r}")
    return SEP.join(ids)


def entity_iri(kind: str, identifier: str) -> str:
    """The IRI of a registry entity or fact, ``KIND:ID`` with the kind's prefix.

    >>> entity_iri("person", "shigeru-ishiba")
    'https://w3id.org/tradekg/resource/person/shigeru-ishiba'
    """
    if kind not in KIND_PREFIX:
        raise ValueError(f"unknown resource kind {kind!r}")
    return f"{TDR}{kind}/{_checked(identifier)}"


def article_iri(article_id: str) -> str:
    return entity_iri("article", article_id)


def status_change_iri(measure_id: str, status: str, day: str) -> str:
    """The IRI of a measure's status change, ``status:MEASURE:STATUS-DAY``.

    >>> status_change_iri("us-tariff", "InEffect", "2025-04-05")
    'https://w3id.org/tradekg/resource/status/us-tariff:ineffect-2025-04-05'
    """
    return f"{STATUS}{_checked(measure_id)}{SEP}{slug(status)}-{slug(day)}"


def commitment_iri(agreement_id: str, local: str) -> str:
    """The IRI of a commitment of an agreement, ``commitment:AGREEMENT:LOCAL`` (LOCAL: its id, or BY-KIND).

    >>> commitment_iri("us-japan-deal", "japan-investment")
    'https://w3id.org/tradekg/resource/commitment/us-japan-deal:japan-investment'
    """
    return f"{COMMITMENT}{_checked(agreement_id)}{SEP}{slug(local)}"


def mention_iri(article_id: str, mention_id: str) -> str:
    """The IRI of a mention in an article, ``mention:ARTICLE:MENTION``.

    >>> mention_iri("a1", "m2")
    'https://w3id.org/tradekg/resource/mention/a1:m2'
    """
    return f"{MENTION}{_checked(article_id, mention_id)}"


def evidence_iri(article_id: str, fact_id: str, n: int) -> str:
    """The IRI of the ``n``-th piece of evidence in an article, for a fact: ``evidence:ARTICLE:FACT:N``.

    >>> evidence_iri("a1", "talks-2025", 3)
    'https://w3id.org/tradekg/resource/evidence/a1:talks-2025:3'
    """
    return f"{EVIDENCE}{_checked(article_id, fact_id)}{SEP}{int(n)}"


def parse_evidence_iri(iri: str) -> tuple[str, str, int]:
    """(article id, fact id, number) of an evidence IRI (see :func:`evidence_iri`).

    >>> parse_evidence_iri(evidence_iri("a1", "talks-2025", 3))
    ('a1', 'talks-2025', 3)
    >>> parse_evidence_iri("https://example.org/x")
    Traceback (most recent call last):
    ValueError: not an evidence IRI: 'https://example.org/x'
    """
    parts = iri[len(EVIDENCE):].split(SEP) if iri.startswith(EVIDENCE) else []
    if len(parts) != 3 or not parts[2].isdigit():
        raise ValueError(f"not an evidence IRI: {iri!r}")
    return parts[0], parts[1], int(parts[2])


def fact_id_from_evidence(iri: str) -> str:
    """The fact id inside an evidence IRI.

    >>> fact_id_from_evidence(evidence_iri("a1", "talks-2025", 3))
    'talks-2025'
    """
    return parse_evidence_iri(iri)[1]


def _local_of_sub_resource(iri: str) -> str:
    for ns in (MENTION, EVIDENCE, TARGET):
        if iri.startswith(ns):
            return iri[len(ns):]
    raise ValueError(f"not a mention, evidence or target IRI: {iri!r}")


def target_iri(owner: str) -> str:
    """The IRI of the text span (an ``oa:SpecificResource``) a mention or a piece of evidence points at:
    ``target:`` with the owner's local name.

    >>> target_iri(mention_iri("a1", "m2"))
    'https://w3id.org/tradekg/resource/target/a1:m2'
    """
    return f"{TARGET}{_local_of_sub_resource(owner)}"


def selector_iri(target: str, kind: str) -> str:
    """The IRI of a target's selector, ``selector:OWNER-LOCAL:KIND`` (KIND: ``quote`` or ``position``).

    >>> selector_iri(target_iri(evidence_iri("a1", "f", 1)), "quote")
    'https://w3id.org/tradekg/resource/selector/a1:f:1:quote'
    """
    if kind not in ("quote", "position"):
        raise ValueError(f"unknown selector kind {kind!r}")
    return f"{SELECTOR}{_local_of_sub_resource(target)}{SEP}{kind}"


def prefixed_name(iri: str) -> str | None:
    """``iri`` as a prefixed name with the predeclared prefixes (the longest namespace that leaves a valid
    local name), or None.

    >>> prefixed_name(entity_iri("event", "us-japan-talks-2025-04-16"))
    'event:us-japan-talks-2025-04-16'
    >>> prefixed_name("https://w3id.org/tradekg/resource/measure/x/status/y") is None
    True
    """
    for p, ns in sorted(PREFIXES.items(), key=lambda x: -len(x[1])):
        if iri.startswith(ns) and _PN_LOCAL_RE.fullmatch(iri[len(ns):]):
            return f"{p}:{iri[len(ns):]}"
    return None


# PN_LOCAL of SPARQL 1.1 / Turtle for ASCII text, without escapes or percent-encoding
_PN_LOCAL_RE: Final = re.compile(r"[A-Za-z0-9_:](?:[A-Za-z0-9_.:-]*[A-Za-z0-9_:-])?")


# ---- graph names and roles ------------------------------------------------------------------

def article_graph(article_id: str) -> str:
    """The named graph holding everything one article asserts (role "article")."""
    if not is_valid_id(article_id):
        raise ValueError(f"invalid article id {article_id!r}")
    return f"{_ARTICLE_GRAPHS}{article_id}"


def inferred_graph_of(graph: str) -> str:
    """The graph of the RDFS entailments of an asserted graph (an article's or the registry's; role "inferred")."""
    return graph + _INFERRED_SUFFIX


def article_inferred_graph(article_id: str) -> str:
    """The named graph holding the RDFS entailments of one article's graph."""
    return inferred_graph_of(article_graph(article_id))


REGISTRY_INFERRED_GRAPH: Final = inferred_graph_of(REGISTRY_GRAPH)


def article_id_from_graph(graph: str) -> str | None:
    """The article id of an article graph or of its entailment graph, else None."""
    if graph.startswith(_ARTICLE_GRAPHS):
        rest = graph[len(_ARTICLE_GRAPHS):]
        return rest.split("/", 1)[0]
    return None


def graph_role(graph: str) -> str | None:
    """The role of a named graph: "article", "inferred", "registry", "ontology", "meta", "reasoner", or None.

    >>> [graph_role(g) for g in (article_graph("a"), article_inferred_graph("a"), REGISTRY_INFERRED_GRAPH,
    ...                          str(REASONER_GRAPH), str(META_GRAPH), "http://e/g")]
    ['article', 'inferred', 'inferred', 'reasoner', 'meta', None]
    """
    if graph.startswith(_REASONER_GRAPHS):
        return "reasoner"
    if graph.endswith(_INFERRED_SUFFIX) and graph.startswith(str(TDG)):
        return "inferred"
    if graph.startswith(_ARTICLE_GRAPHS):
        return "article"
    return {str(REGISTRY_GRAPH): "registry", str(ONTOLOGY_GRAPH): "ontology", str(META_GRAPH): "meta"}.get(graph)


def is_inferred_graph(graph: str) -> bool:
    """Whether a graph holds derived triples: an entailment graph (``.../inferred``) or the reasoner's graph.

    >>> is_inferred_graph(article_inferred_graph("a1")), is_inferred_graph(str(REASONER_GRAPH))
    (True, True)
    >>> is_inferred_graph(article_graph("a1"))
    False
    """
    return graph.endswith(_INFERRED_SUFFIX) or graph.startswith(_REASONER_GRAPHS)


def sparql_is_inferred(var: str) -> str:
    """A SPARQL expression true when the graph in ``var`` (e.g. ``?g``) is one :func:`is_inferred_graph` accepts."""
    return f'(STRENDS(STR({var}), "{_INFERRED_SUFFIX}") || STRSTARTS(STR({var}), "{_REASONER_GRAPHS}"))'


def sparql_prologue() -> str:
    """PREFIX lines for every predeclared prefix."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
