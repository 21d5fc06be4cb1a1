"""From the store to a networkx graph of what the graph page draws.

Which resources become nodes and which triples become edges is read from the
ontology, not from a table here:

- a resource is a node when its most specific asserted tdo class says
  ``tdo:displayInGraph "true"`` (inherited along rdfs:subClassOf, nearest wins);
- a triple ``s p o`` between two nodes is an edge labelled with ``p``'s
  rdfs:label, unless ``p`` says ``tdo:displayInGraph "false"``;
- hidden n-ary facts are folded into edges and dates: a post holding becomes a
  person -> post edge (``tdo:heldPost``) valid from its start to its end date; a
  trade measure is drawn while the knowledge graph's derived validity of its status
  changes says it is in force (terms, returns after a term and supersession included;
  :func:`kg_intervals`), and an instrument a status change was made
  under becomes a measure -> instrument edge valid from that change;
- events and instruments with a ``tdo:date``/``tdo:startDate`` exist from that date on.

Everything is read from the knowledge graph (the store's default graph, :mod:`kg.kg_graph`): each
resource, type and triple once, whatever number of articles report it. The properties only the KG
derives (``tdo:reportedIn``, ``tdo:sourceCount``, ``tdo:validFrom``...) are not drawn: the page shows
its own intervals and its evidence comes from the article graphs (:mod:`kg.viz.evidence`).

The result is a :class:`networkx.MultiDiGraph` whose nodes are IRIs with the
attributes ``label``, ``cls``, ``valid`` (list of ``[start, end]`` ISO dates,
``end`` None for open, or None = always), ``facts`` (IRIs whose evidence
belongs to the node) and whose edges are keyed by property IRI with
``label``, ``valid`` and ``facts``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from rdflib import URIRef
from rdflib.namespace import RDF, RDFS

from kg.errors import QueryError
from kg.kg_graph import DERIVED
from kg.model import model
from kg.namespaces import TDO
from kg.ontology import Ontology
from kg.terms import RESOURCE_IDS, short

NOT_DRAWN = ", ".join(f"<{p}>" for p in DERIVED)
"""The KG's own provenance links and derived facts (not statements of the articles): not on the page."""

HOLDING = next(f for f in model().families.values() if f.edge is not None)
"""The family the page folds into an edge (post holdings: person -> post), from ontology/model.yaml."""
HELD_POST = HOLDING.edge.iri if HOLDING.edge else str(TDO.heldPost)
LEGAL_INSTRUMENT = str(TDO.legalInstrument)
RDF_TYPE = str(RDF.type)

Interval = list[Any]  # [start ISO date, end ISO date or None]


@dataclass
class StatusChange:
    """One dated change of a trade measure's status."""

    iri: str
    status: str
    date: str
    until: str | None = None
    in_force: bool = False
    instrument: str | None = None
    new_rate: str | None = None


@dataclass
class Extraction:
    """The drawable graph and what the page needs besides it."""

    graph: nx.MultiDiGraph
    statuses: dict[str, list[StatusChange]] = field(default_factory=dict)  # measure -> changes
    properties: dict[str, list[tuple[str, str, bool]]] = field(default_factory=dict)  # node -> (prop, value, is_iri)
    labels: dict[str, str] = field(default_factory=dict)  # any IRI -> label


def _v(term: Any) -> str | None:
    return None if term is None else str(term.value)


def _rows(store: Any, sparql: str) -> Iterable[Any]:
    """The solutions of ``sparql`` over the knowledge graph (the store's default graph)."""
    try:
        return store.query(sparql, union=False)
    except (SyntaxError, OSError, ValueError) as exc:
        raise QueryError(f"{store.describe()}: reading the graph for the page failed: {exc}") from exc


# ---- ontology-driven decisions ---------------------------------------------

def displayed(onto: Ontology, cls: str) -> bool:
    """Whether resources of ``cls`` are drawn (``tdo:displayInGraph``, inherited).

    >>> from kg.ontology import load_ontology
    >>> o = load_ontology()
    >>> [displayed(o, str(TDO[c])) for c in ("Minister", "Talks", "StatusChange", "PostHolding", "Tariff")]
    [True, True, False, False, True]
    """
    return onto.annotation(cls, TDO.displayInGraph) == "true"


def property_displayed(onto: Ontology, prop: str) -> bool:
    """Triples of ``prop`` are drawn unless the property says ``tdo:displayInGraph "false"``."""
    return str(onto.graph.value(URIRef(prop), TDO.displayInGraph)) != "false"


def most_specific(onto: Ontology, classes: Iterable[str]) -> str | None:
    """The most specific ontology class among ``classes`` (deepest in the hierarchy; ties by IRI).

    >>> from kg.ontology import load_ontology
    >>> o = load_ontology()
    >>> most_specific(o, [str(TDO.Person), str(TDO.Minister), str(TDO.Official)]).rsplit("#")[-1]
    'Minister'
    """
    known = sorted(c for c in classes if c in onto.classes)
    if not known:
        return None
    return max(known, key=lambda c: (len(onto.superclasses.get(c, ())), c))


def in_force_intervals(changes: list[StatusChange]) -> list[Interval] | None:
    """The periods a measure is in force, from its dated status changes.

    A status applies from its date until the next change. A status set for a
    term (``until``) ends after that day: a pause (not in force) lifts, so the
    measure applies again; an in-force status with a term falls back to the
    state before it. No status changes at all means the lifecycle is unknown:
    None (always drawn).

    >>> S = StatusChange
    >>> in_force_intervals([S("a", "Announced", "2025-04-02"),
    ...                     S("p", "Paused", "2025-04-10", until="2025-07-08")])
    [['2025-07-09', None]]
    >>> in_force_intervals([S("e", "InEffect", "2025-04-05", in_force=True),
    ...                     S("r", "Revoked", "2025-09-01")])
    [['2025-04-05', '2025-08-31']]
    >>> in_force_intervals([]) is None
    True
    """
    if not changes:
        return None
    events: list[tuple[str, bool]] = []  # (from date, in force from then on)
    ordered = sorted(changes, key=lambda c: (c.date, c.iri))
    prev_state = False
    for i, c in enumerate(ordered):
        events.append((c.date, c.in_force))
        nxt = ordered[i + 1].date if i + 1 < len(ordered) else None
        if c.until:
            after = _day_after(c.until)
            if nxt is None or after < nxt:
                events.append((after, True if not c.in_force else prev_state))
        prev_state = events[-1][1]
    out: list[Interval] = []
    start: str | None = None
    for day, state in sorted(events, key=lambda e: e[0]):
        if state and start is None:
            start = day
        elif not state and start is not None:
            if day > start:
                out.append([start, _day_before(day)])
            start = None
    if start is not None:
        out.append([start, None])
    return out


def _day_after(day: str) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()


def _day_before(day: str) -> str:
    return (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()


def valid_on(valid: list[Interval] | None, day: str) -> bool:
    """Whether a node or edge with validity ``valid`` is drawn on ``day``.

    >>> valid_on([["2025-04-10", "2025-07-08"]], "2025-05-01"), valid_on([["2025-07-09", None]], "2025-05-01")
    (True, False)
    """
    if valid is None:
        return True
    return any(s <= day and (e is None or day <= e) for s, e in valid)


# ---- reading the store -------------------------------------------------------

def _types(store: Any) -> dict[str, set[str]]:
    q = "SELECT ?s ?t WHERE { ?s a ?t FILTER(isIRI(?s) && isIRI(?t)) }"
    out: dict[str, set[str]] = defaultdict(set)
    for r in _rows(store, q):
        out[r["s"].value].add(r["t"].value)
    return out


def _labels(store: Any, onto: Ontology) -> dict[str, str]:
    """Labels of the KG's resources (English preferred), and of the ontology's terms (statuses, classes)."""
    q = ("SELECT ?s ?l WHERE { { ?s rdfs:label ?l } UNION { ?s skos:prefLabel ?l } FILTER(isIRI(?s)) }")
    out: dict[str, str] = {}
    for r in _rows(store, q):
        s, lit = r["s"].value, r["l"]
        lang = getattr(lit, "language", None)
        if s not in out or lang == "en":
            out[s] = lit.value
    return {**onto.labels, **out}


def _dates(store: Any) -> dict[str, str]:
    q = ("SELECT ?s (MIN(STR(?d)) AS ?day) WHERE { { ?s tdo:date ?d } UNION { ?s tdo:startDate ?d } } GROUP BY ?s")
    return {r["s"].value: r["day"].value for r in _rows(store, q) if r["day"] is not None}


def _holdings(store: Any) -> list[tuple[str, str, str, str | None, str | None]]:
    fam, edge = HOLDING, HOLDING.edge
    assert edge is not None
    q = (f"SELECT ?h ?person ?post ?start ?end WHERE {{ ?h a <{fam.cls}> ; "
         f"<{fam.fields[edge.source].iri}> ?person ; <{fam.fields[edge.target].iri}> ?post . "
         f"OPTIONAL {{ ?h <{edge.valid_from}> ?start }} OPTIONAL {{ ?h <{edge.valid_until}> ?end }} }}")
    return sorted((r["h"].value, r["person"].value, r["post"].value, _v(r["start"]), _v(r["end"]))
                  for r in _rows(store, q))


def kg_intervals(periods: list[tuple[str, str | None, bool]]) -> list[Interval]:
    """The periods a measure is in force from the knowledge graph's derived validity of its status changes
    (reported ones and the returns after a term): ``(validFrom, validUntil or None, in force)``, where
    ``validUntil`` is the first day the change no longer holds; adjacent periods are merged.

    >>> kg_intervals([("2025-04-09", "2025-04-10", True), ("2025-04-10", "2025-07-09", False),
    ...               ("2025-07-09", None, True)])
    [['2025-04-09', '2025-04-09'], ['2025-07-09', None]]
    >>> kg_intervals([("2025-03-12", "2025-06-04", True), ("2025-06-04", None, True)])
    [['2025-03-12', None]]
    """
    out: list[Interval] = []
    for start, until, in_force in sorted(periods, key=lambda x: x[0]):
        if not in_force or (until is not None and until <= start):
            continue
        end = _day_before(until) if until is not None else None
        if out and (out[-1][1] is None or _day_after(out[-1][1]) >= start):
            if out[-1][1] is not None and (end is None or end > out[-1][1]):
                out[-1][1] = end
            continue
        out.append([start, end])
    return out


def _kg_periods(store: Any, onto: Ontology) -> dict[str, list[tuple[str, str | None, bool]]]:
    q = ("SELECT ?m ?status ?from ?until WHERE { ?m tdo:statusChange ?sc . ?sc tdo:status ?status ; "
         "tdo:validFrom ?from . OPTIONAL { ?sc tdo:validUntil ?until } }")
    out: dict[str, list[tuple[str, str | None, bool]]] = defaultdict(list)
    for r in _rows(store, q):
        status = r["status"].value
        out[r["m"].value].append((r["from"].value, _v(r["until"]), onto.annotation(status, TDO.inForce) == "true"))
    return out


def _status_changes(store: Any, onto: Ontology) -> dict[str, list[StatusChange]]:
    q = ("SELECT ?sc ?m ?status ?date ?until ?instr ?rate WHERE { ?sc a tdo:StatusChange ; "
         "tdo:measure ?m ; tdo:status ?status ; tdo:date ?date . OPTIONAL { ?sc tdo:effectiveUntil ?until } "
         "OPTIONAL { ?sc tdo:legalInstrument ?instr } OPTIONAL { ?sc tdo:newRatePercent ?rate } }")
    out: dict[str, list[StatusChange]] = defaultdict(list)
    for r in _rows(store, q):
        status = r["status"].value
        out[r["m"].value].append(StatusChange(
            iri=r["sc"].value, status=status, date=r["date"].value, until=_v(r["until"]),
            in_force=onto.annotation(status, TDO.inForce) == "true", instrument=_v(r["instr"]),
            new_rate=_v(r["rate"])))
    return {m: sorted(v, key=lambda c: (c.date, c.iri)) for m, v in out.items()}


def _outgoing(store: Any, onto: Ontology) -> list[tuple[str, str, Any]]:
    """The KG's triples whose subject has a drawn class (objects of any kind), but its derived facts."""
    classes = [c for c in onto.classes if displayed(onto, c)]
    values = " ".join(f"<{c}>" for c in sorted(classes))
    q = (f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER EXISTS {{ VALUES ?t {{ {values} }} ?s a ?t }} "
         f"FILTER(?p NOT IN ({NOT_DRAWN})) }}")
    rows = [(r["s"].value, r["p"].value, r["o"]) for r in _rows(store, q)]
    return sorted(most_specific_properties(onto, rows), key=lambda t: (t[0], t[1], t[2].value))


def most_specific_properties(onto: Ontology, rows: list[tuple[str, str, Any]]) -> list[tuple[str, str, Any]]:
    """The triples that no other triple between the same ends entails: the KG holds ``s p o`` and, by
    RDFS entailment, ``s q o`` for each superproperty ``q`` of ``p``; only ``s p o`` is drawn.

    >>> from kg.ontology import load_ontology
    >>> o = load_ontology()
    >>> s, p, q = "http://e/s", str(TDO.participant), "http://www.w3.org/ns/prov#wasAssociatedWith"
    >>> [r[1].rsplit("#")[-1] for r in most_specific_properties(o, [(s, p, "x"), (s, q, "x"), (s, q, "y")])]
    ['participant', 'wasAssociatedWith']
    """
    by_ends: dict[tuple[str, Any], set[str]] = defaultdict(set)
    for s, p, o in rows:
        by_ends[s, o].add(p)
    return [(s, p, o) for s, p, o in rows
            if not any(q != p and p in onto.superproperties.get(q, ()) for q in by_ends[s, o])]


# ---- assembling ---------------------------------------------------------------

def extract(store: Any, onto: Ontology) -> Extraction:
    """The whole drawable graph of the store."""
    types = _types(store)
    labels = _labels(store, onto)
    nodes: dict[str, str] = {}
    for s, ts in types.items():
        cls = most_specific(onto, ts)
        if cls is not None and displayed(onto, cls):
            nodes[s] = cls
    return _assemble(store, onto, nodes, labels, triples=None)


def extract_triples(store: Any, onto: Ontology, triples: Iterable[Any]) -> Extraction:
    """The graph of a CONSTRUCT result: every IRI is a node, every IRI-to-IRI triple an edge.

    Classes come from the result's rdf:type triples, else from the store; labels likewise.
    """
    triples = list(triples)
    types = _types(store)
    labels = _labels(store, onto)
    own_types: dict[str, set[str]] = defaultdict(set)
    iri_nodes: set[str] = set()
    for t in triples:
        s, p, o = t.subject, t.predicate.value, t.object
        if not hasattr(s, "value") or type(s).__name__ != "NamedNode":
            continue
        iri_nodes.add(s.value)
        if p == RDF_TYPE and type(o).__name__ == "NamedNode":
            own_types[s.value].add(o.value)
        elif type(o).__name__ == "NamedNode":
            iri_nodes.add(o.value)
        elif p == str(RDFS.label) and type(o).__name__ == "Literal":
            labels.setdefault(s.value, o.value)
    nodes = {n: (most_specific(onto, own_types.get(n) or types.get(n, set())) or "") for n in sorted(iri_nodes)}
    return _assemble(store, onto, nodes, labels, triples=triples)


def _assemble(store: Any, onto: Ontology, nodes: dict[str, str], labels: dict[str, str],
              triples: list[Any] | None) -> Extraction:
    g = nx.MultiDiGraph()
    dates = _dates(store)
    statuses = _status_changes(store, onto)
    periods = _kg_periods(store, onto)  # the knowledge graph's validity: terms, returns and supersession included
    for n, cls in sorted(nodes.items()):  # sorted, so layouts, communities and paths do not depend on query order
        valid: list[Interval] | None = None
        if n in periods:
            valid = kg_intervals(periods[n])
        elif n in statuses:
            valid = in_force_intervals(statuses[n])
        elif n in dates:
            valid = [[dates[n], None]]
        g.add_node(n, label=labels.get(n) or _tail(n), cls=cls, valid=valid,
                   facts=[n, *(c.iri for c in statuses.get(n, []))])
    props: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)

    def add_edge(s: str, p: str, o: str, valid: list[Interval] | None, facts: list[str]) -> None:
        if g.has_edge(s, o, key=p):
            data = g.edges[s, o, p]
            data["facts"] = sorted(set(data["facts"]) | set(facts))
            if data["valid"] is not None:
                data["valid"] = None if valid is None else sorted(data["valid"] + valid, key=lambda i: i[0])
            return
        g.add_edge(s, o, key=p, label=onto.label(p), valid=valid, facts=facts)

    if triples is None:
        for s, p, o in _outgoing(store, onto):
            if s not in nodes or p == RDF_TYPE:
                continue
            is_iri = type(o).__name__ == "NamedNode"
            if is_iri and o.value in nodes and property_displayed(onto, p):
                add_edge(s, p, o.value, None, [s, o.value])
            elif p != RDF_TYPE:
                props[s].append((p, o.value, is_iri))
        for h, person, post, start, end in _holdings(store):
            if person in nodes and post in nodes:
                add_edge(person, HELD_POST, post, [[start, end]] if start else None, [h])
        for m, changes in statuses.items():
            for c in changes:
                if m in nodes and c.instrument in nodes:
                    add_edge(m, LEGAL_INSTRUMENT, c.instrument, [[c.date, None]], [c.iri])
    else:
        for t in triples:
            s, p, o = t.subject.value, t.predicate.value, t.object
            if s not in nodes or p == RDF_TYPE:
                continue
            if type(o).__name__ == "NamedNode":
                add_edge(s, p, o.value, None, [s, o.value])
            else:
                props[s].append((p, o.value, False))
        # properties of the drawn nodes from the store, for the side panel
        for s, p, o in _outgoing(store, onto):
            if s in nodes and p != RDF_TYPE and not any(x[0] == p for x in props.get(s, [])):
                props[s].append((p, o.value, type(o).__name__ == "NamedNode"))
    for s in props:
        props[s] = sorted(set(props[s]))
    return Extraction(graph=g, statuses={m: v for m, v in statuses.items() if m in nodes},
                      properties=dict(props), labels=labels)


def _tail(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


# ---- views ----------------------------------------------------------------------

def resolve_entity(g: nx.MultiDiGraph, entity: str, aliases: dict[str, list[str]] | None = None) -> str:
    """The node ``entity`` names: an IRI, an id (``shigeru-ishiba``, ``person/shigeru-ishiba``) or a label.

    Raises :class:`QueryError` naming near matches when there is no single answer.
    """
    if entity in g:
        return entity
    want = entity.strip().lower()
    by_id = [n for n in g if n.lower().endswith("/" + want)]
    if len(by_id) == 1:
        return by_id[0]
    exact = [n for n in g if str(g.nodes[n]["label"]).lower() == want
             or want in (a.lower() for a in (aliases or {}).get(n, []))]
    if len(exact) == 1:
        return exact[0]
    candidates = by_id or exact or [n for n in g if want and want in str(g.nodes[n]["label"]).lower()]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise QueryError(f"no entity in the graph matches {entity!r}; expected an id (e.g. shigeru-ishiba), "
                         "a label or an IRI of a drawn node")
    shown = "\n".join(f"  {short(n, RESOURCE_IDS, unknown='plain')}  ({g.nodes[n]['label']})" for n in sorted(candidates)[:15])
    more = f"\n  ... and {len(candidates) - 15} more" if len(candidates) > 15 else ""
    raise QueryError(f"{entity!r} matches {len(candidates)} entities; give one of these ids:\n{shown}{more}")


def ego(g: nx.MultiDiGraph, center: str, depth: int) -> nx.MultiDiGraph:
    """The nodes within ``depth`` hops of ``center`` (either direction) and the edges among them."""
    if depth < 0:
        raise QueryError(f"--depth must be 0 or more, not {depth}")
    keep = nx.single_source_shortest_path_length(g.to_undirected(as_view=True), center, cutoff=depth)
    return g.subgraph(keep).copy()


def aliases(store: Any) -> dict[str, list[str]]:
    """tdo:alias values by resource, for matching --focus names."""
    out: dict[str, list[str]] = defaultdict(list)
    for r in _rows(store, "SELECT ?s ?a WHERE { ?s tdo:alias ?a }"):
        out[r["s"].value].append(r["a"].value)
    return dict(out)
