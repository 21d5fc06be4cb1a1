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
"""Resources: people, posts, governments, meetings, tariffs, articles."""
TDG: Final = Namespace("https://w3id.org/tradekg/graph/")
"""Named graphs of the store."""
ORG: Final = Namespace("http://www.w3.org/ns/org#")
OA: Final = Namespace("http://www.w3.org/ns/oa#")
SCHEMA: Final = Namespace("https://schema.org/")
TIME: Final = Namespace("http://www.w3.org/2006/time#")
SH: Final = Namespace("http://www.w3.org/ns/shacl#")
WD: Final = Namespace("http://www.wikidata.org/entity/")

ONTOLOGY_IRI: Final = "https://w3id.org/tradekg/ontology"

ONTOLOGY_GRAPH: Final = TDG["ontology"]
REGISTRY_GRAPH: Final = TDG["registry"]
META_GRAPH: Final = TDG["meta"]
REASONER_GRAPH: Final = TDG["inferred/hermit"]

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
}
"""Prefixes predeclared for every query and used by every Turtle export."""

_ID_RE: Final = re.compile(r"^[a-z0-9][a-z0-9._-]{0,199}$")


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
    """Whether ``identifier`` may be used as an id in articles and the registry.

    >>> is_valid_id("shigeru-ishiba"), is_valid_id("../x"), is_valid_id("a b"), is_valid_id("abc\\n")
    (True, False, False, False)
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


def entity_iri(kind: str, identifier: str) -> str:
    """The IRI of a registry entity or fact, e.g. ``tdr:person/shigeru-ishiba``."""
    if not is_valid_id(identifier):
        raise ValueError(f"invalid id {identifier!r}")
    return f"{TDR}{kind}/{identifier}"


def article_iri(article_id: str) -> str:
    return entity_iri("article", article_id)


def article_graph(article_id: str) -> str:
    """The named graph holding everything one article asserts."""
    if not is_valid_id(article_id):
        raise ValueError(f"invalid article id {article_id!r}")
    return f"{TDG}article/{article_id}"


def article_inferred_graph(article_id: str) -> str:
    """The named graph holding the RDFS entailments of one article's graph."""
    return article_graph(article_id) + "/inferred"


REGISTRY_INFERRED_GRAPH: Final = TDG["registry/inferred"]


def article_id_from_graph(graph: str) -> str | None:
    prefix = f"{TDG}article/"
    if graph.startswith(prefix):
        rest = graph[len(prefix):]
        return rest.split("/", 1)[0]
    return None


def sparql_prologue() -> str:
    """PREFIX lines for every predeclared prefix."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
