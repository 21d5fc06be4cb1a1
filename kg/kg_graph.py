"""The knowledge graph (KG): every statement about the world once, in the graph plain SPARQL sees by default.

Two layers (see docs/knowledge-graph.md):

* the source graphs, as before: each article's named graph (what it claims, with its Web Annotation
  evidence) and its ``/inferred`` graph, the registry graph and ``registry/inferred``;
* the KG, in the store's default graph (:data:`KG_LOCATION`): the set union of the sources'
  *projections* (:func:`in_kg`: every triple except an article's provenance layer, i.e. the nodes minted
  under the article's IRI - mentions, evidence, targets, selectors - and the article's full text and
  source path), plus provenance links and derived facts, which only this module ever writes:

  - ``?fact tdo:reportedIn ?article`` for every subject an article graph states (but the article);
  - ``?fact tdo:sourceCount n``: how many distinct articles report it;
  - on each status change ``tdo:validFrom`` (its date) and ``tdo:validUntil`` (exclusive: the next change
    of the same measure, or the day after its ``tdo:effectiveUntil`` if earlier; absent: open);
  - on each measure ``tdo:currentStatus`` and ``tdo:currentRate`` from its latest status change;
  - on each holding ``tdo:validFrom``/``tdo:validUntil`` from its start and (day after its) end.

Changes are ordered by (date, IRI): of two changes on one day, the one whose IRI sorts later is the
later one (the earlier one's interval is empty). ``currentRate`` is the latest change's
``tdo:newRatePercent`` or, when it has none (or there is no change), the measure's ``tdo:ratePercent``.

:func:`kg_update` is the SPARQL Update that brings the KG from the old content of some sources to their
new content; the build appends it to the update that replaces those graphs, so both happen in one
transaction. :func:`full_recompute` rebuilds the KG from the source graphs (the oracle of the tests and
a repair path).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Final

import pyoxigraph as ox

from kg.namespaces import (
    EVIDENCE,
    KG_PENDING_PROPERTY,
    MENTION,
    META_GRAPH,
    ONTOLOGY_GRAPH,
    REASONER_GRAPH,
    REGISTRY_GRAPH,
    REVERSION,
    SELECTOR,
    STATUS,
    TARGET,
    TDO,
    article_id_from_graph,
    article_iri,
    graph_role,
    inferred_graph_of,
)
from kg.store.base import GraphStore
from kg.store.marker import format_update

KG_LOCATION: Final = None
"""Where the KG lives on stores that do not say otherwise: the default graph (``None``). A store whose
default graph is the union of all graphs would declare a named graph in ``Capabilities.kg_graph``."""

DERIVED: Final = tuple(str(TDO[p]) for p in ("reportedIn", "sourceCount", "validFrom", "validUntil",
                                              "currentStatus", "currentRate", "reverts", "returnsTo",
                                              "supersededBy", "supersededOn"))
"""Properties only this module writes (never in a source graph)."""

_PROVENANCE = tuple(str(ns) for ns in (MENTION, EVIDENCE, TARGET, SELECTOR))
"""Namespaces of an article's provenance layer (mentions, evidence, their targets and selectors)."""
_SKIPPED_PREDICATES = frozenset({str(TDO.text), str(TDO.sourceFile)})
_NOT_SOURCES = (str(ONTOLOGY_GRAPH), str(META_GRAPH), str(REASONER_GRAPH))

_REPORTED_IN = f"<{TDO.reportedIn}>"
_MEASURE = f"<{TDO.measure}>"
_OUT = ("_:", *(f"<{ns}" for ns in _PROVENANCE))  # a blank node or a provenance node
_SKIPPED = frozenset(f"<{p}>" for p in _SKIPPED_PREDICATES)


def in_kg(s: str, p: str, o: str) -> bool:
    """Whether a source triple (its terms in N-Triples syntax) belongs to the KG: not about or pointing at an
    article's provenance nodes (mentions, evidence, targets, selectors: their own namespaces), not the
    article's text or source path, no blank node."""
    return not (s.startswith(_OUT) or o.startswith(_OUT) or p in _SKIPPED)


@dataclass
class Content:
    """What one source (an article with its entailments, or the registry with its) puts in the KG: triples
    as N-Triples text without the final " .", so that a set of them is the KG's set of statements."""

    triples: set[str] = field(default_factory=set)
    links: set[str] = field(default_factory=set)  # reportedIn


def _content(graph: str, stated: Iterable[tuple[str, str, str]], inferred: Iterable[tuple[str, str, str]]) -> Content:
    out = Content()
    subjects: set[str] = set()
    for s, p, o in stated:
        if in_kg(s, p, o):
            out.triples.add(f"{s} {p} {o}")
            subjects.add(s)
    for s, p, o in inferred:
        if in_kg(s, p, o):
            out.triples.add(f"{s} {p} {o}")
    aid = article_id_from_graph(graph)
    if aid:
        art = f"<{article_iri(aid)}>"
        out.links = {f"{s} {_REPORTED_IN} {art}" for s in subjects if s != art}
    return out


def _terms_of(quads: Iterable[ox.Quad]) -> Iterator[tuple[str, str, str]]:
    for q in quads:
        yield str(q.subject), str(q.predicate), str(q.object)


def _lines(nquads: str) -> Iterator[tuple[str, str, str]]:
    """(subject, predicate, object) of N-Quads lines as TradeKG writes them: one statement per line, which
    ends in the graph's IRI and " ." (lines end at "\n" only, see :func:`kg.sparql.graph_lines_to_triples`)."""
    for line in nquads.split("\n"):
        if line:
            s, p, rest = line.split(" ", 2)
            yield s, p, rest.rstrip()[:-1].rstrip().rsplit(" ", 1)[0]


def content(graph: str, quads: Iterable[ox.Quad], inferred: Iterable[ox.Quad]) -> Content:
    """The KG content of source ``graph`` (an article graph or the registry graph) from its quads."""
    return _content(graph, _terms_of(quads), _terms_of(inferred))


def parse_content(graph: str, nquads: str, inferred: str) -> Content:
    """:func:`content` of N-Quads texts (a graph update's, written by :mod:`kg.article_rdf`)."""
    return _content(graph, _lines(nquads), _lines(inferred))


def stored_content(store: GraphStore, graph: str) -> Content:
    """:func:`content` of a source graph as it is in the store (empty if it is not there)."""
    inferred = inferred_graph_of(graph)
    return content(graph, store.quads(graph), store.quads(inferred))


def _terms(triples: Iterable[str]) -> str:
    return "".join(f"{t} .\n" for t in sorted(triples))


def _values(nodes: Iterable[str]) -> str:
    return " ".join(sorted(nodes))


def _union(contents: Iterable[Content]) -> tuple[set[str], set[str]]:
    triples: set[str] = set()
    links: set[str] = set()
    for c in contents:
        triples |= c.triples
        links |= c.links
    return triples, links


def kg_update(old: Iterable[Content], new: Iterable[Content], kg_graph: str | None = KG_LOCATION) -> str:
    """The SPARQL Update operations that bring the KG from the sources' ``old`` content to their ``new``
    content, to run AFTER the operations that write the new source graphs, in the same request.

    Every triple of the new content is inserted (the KG is a set); a triple of the old content that is not
    in the new is deleted unless another source graph still states it; provenance links follow the
    article's subjects; counts and derived facts are recomputed for every resource the sources mention.
    """
    old_t, old_l = _union(old)
    new_t, new_l = _union(new)
    if not (old_t or new_t or old_l or new_l):
        return ""
    with_ = f"WITH <{kg_graph}>\n" if kg_graph else ""

    def data(verb: str, triples: set[str]) -> str:
        body = _terms(triples)
        return f"{verb} DATA {{ GRAPH <{kg_graph}> {{\n{body}}} }}" if kg_graph else f"{verb} DATA {{\n{body}}}"

    ops: list[str] = []
    if new_t or new_l:
        ops.append(data("INSERT", new_t | new_l))
    if old_l - new_l:
        ops.append(data("DELETE", old_l - new_l))
    gone = old_t - new_t
    if gone:
        rows = "".join(f"({t})\n" for t in sorted(gone))
        not_sources = ", ".join(f"<{g}>" for g in _NOT_SOURCES)
        if kg_graph:
            not_sources += f", <{kg_graph}>"
        ops.append(f"{with_}DELETE {{ ?s ?p ?o }} WHERE {{ VALUES (?s ?p ?o) {{\n{rows}}}\n"
                   f"  FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g NOT IN ({not_sources})) }} }}")
    touched = Touched()
    touched.add(old_t | new_t, old_l | new_l)
    if touched:
        ops.append(touched.update(with_))
    return " ;\n".join(ops)


def kg_additions(new: Iterable[Content], touched: Touched) -> str:
    """For sources that are new to the store (nothing to remove): the KG's new statements as N-Triples (what
    a bulk load adds to the default graph); the resources whose counts and derived facts they change are
    added to ``touched``. With ``touched.update()`` run after, this does what :func:`kg_update` ``([], new)``
    does, in two steps (the build records the pending marker with the first and removes it with the second)."""
    triples, links = _union(new)
    touched.add(triples, links)
    return "".join(f"{t} .\n" for t in triples | links)  # a bulk load needs no order


@dataclass
class Touched:
    """Resources whose source counts (``counted``) and derived facts (``subjects``, and the status changes
    of ``measures``) are to be recomputed."""

    counted: set[str] = field(default_factory=set)
    subjects: set[str] = field(default_factory=set)
    measures: set[str] = field(default_factory=set)

    def add(self, triples: set[str], links: set[str]) -> None:
        self.counted.update(t.split(" ", 1)[0] for t in links)
        for t in triples:
            s, p, o = t.split(" ", 2)
            self.subjects.add(s)
            if p == _MEASURE and o.startswith("<"):
                self.measures.add(o)

    def __bool__(self) -> bool:
        return bool(self.counted or self.subjects)

    def update(self, with_: str = "") -> str:
        """The SPARQL Update operations that recompute them ("" if there are none)."""
        return " ;\n".join(self._ops(with_))

    def _ops(self, with_: str) -> Iterator[str]:
        tdo = f"<{TDO}"
        if self.counted:
            v = _values(self.counted)
            yield f"{with_}DELETE {{ ?s {tdo}sourceCount> ?c }} WHERE {{ VALUES ?s {{ {v} }} ?s {tdo}sourceCount> ?c }}"
            yield (f"{with_}INSERT {{ ?s {tdo}sourceCount> ?n }} WHERE {{ {{ SELECT ?s (COUNT(DISTINCT ?a) AS ?n) "
                   f"WHERE {{ VALUES ?s {{ {v} }} ?s {tdo}reportedIn> ?a }} GROUP BY ?s }} }}")
        if self.subjects:
            yield from _derived(_values(self.subjects), _values(self.subjects | self.measures), with_)


def _derived(touched: str, measures: str, with_: str) -> Iterator[str]:
    """Recompute the derived facts of the touched resources and of the status changes of the touched measures
    (and of the measures they supersede or superseded: ``tdo:supersededBy`` is brought up to date first
    with the new links and last without the old ones, so both reach them).

    A change with a term (``tdo:effectiveUntil``) is followed, the day after its term, by a derived
    reversion (``reversion:`` namespace, linked by ``tdo:statusChange`` like a reported change, typed
    ``tdo:Reversion``, no ``tdo:date``) to the latest earlier change still in force then (``tdo:returnsTo``:
    its status and rate), unless a later reported change comes first; a reversion holds until the next
    reported change, or the end of the returned-to change's own term. A superseded measure
    (``tdo:supersededOn``: the earliest supersession day of the measures that supersede it) is in force
    until that day: it ends the open intervals, no reversion starts from it, and its current status is
    ``tdo:Superseded`` unless a change is reported from that day on.

    Written for Oxigraph's evaluation (measured on 2,000 synthetic articles, 20,000 resources): a pattern
    joined to a long VALUES list is fast when its predicate is a constant and slow with ``VALUES ?p`` or
    ``?x a Class`` (0.3 s against 5 s), and "no later change" is an OPTIONAL with ``!BOUND`` (its variables
    used nowhere else), not ``FILTER NOT EXISTS`` (0.3 s against 5.7 s)."""
    t = f"<{TDO}"
    day = '"P1D"^^<http://www.w3.org/2001/XMLSchema#dayTimeDuration>'
    rev = f"{REVERSION}"
    yield f"{with_}INSERT {{ ?y {t}supersededBy> ?x }} WHERE {{ VALUES ?x {{ {measures} }} ?x {t}supersedes> ?y }}"
    # the measures and those they supersede, as a sub-select (Oxigraph evaluates the UNION alone, not as a
    # join driven by its VALUES: 300 synthetic articles 28 s -> 0.2 s)
    ms = (f"{{ SELECT DISTINCT ?m WHERE {{ {{ VALUES ?m {{ {measures} }} }} UNION "
          f"{{ VALUES ?x0 {{ {measures} }} ?m {t}supersededBy> ?x0 }} }} }}")
    later = (f"?m {t}statusChange> ?c2 . ?c2 {t}date> ?e . FILTER(?e > ?d || (?e = ?d && STR(?c2) > STR(?c)))")
    change = f"{ms} ?m {t}statusChange> ?c . ?c {t}date> ?d ."

    def each(var: str, props: tuple[str, ...]) -> str:
        return " UNION ".join(f"{{ {var} {t}{p}> ?v BIND({t}{p}> AS ?dp) }}" for p in props)

    yield (f"{with_}DELETE {{ ?x ?dp ?v }} WHERE {{ VALUES ?x {{ {touched} }} "
           f"{each('?x', ('validFrom', 'validUntil', 'currentStatus', 'currentRate'))} }}")
    yield (f"{with_}DELETE {{ ?m ?dp ?v }} WHERE {{ {ms} "
           f"{each('?m', ('currentStatus', 'currentRate', 'supersededOn'))} }}")
    yield (f"{with_}DELETE {{ ?m {t}statusChange> ?r . ?r ?p ?o }} WHERE {{ {ms} "
           f"?m {t}statusChange> ?r FILTER(STRSTARTS(STR(?r), \"{rev}\")) ?r ?p ?o }}")
    yield (f"{with_}DELETE {{ ?c ?dp ?v }} WHERE {{ {ms} ?m {t}statusChange> ?c . "
           f"{each('?c', ('validFrom', 'validUntil'))} }}")
    yield (f"{with_}INSERT {{ ?m {t}supersededOn> ?on }} WHERE {{ {{ SELECT ?m (MIN(?sd) AS ?on) WHERE {{ {ms} "
           f"?x {t}supersedes> ?m ; {t}statusChange> ?xc . OPTIONAL {{ ?x {t}supersessionDate> ?given }} "
           f"{{ ?xc {t}date> ?first }} UNION {{ ?xc {t}announcementDate> ?first }} "
           f"BIND(COALESCE(?given, ?first) AS ?sd) }} GROUP BY ?m }} }}")
    yield f"{with_}INSERT {{ ?c {t}validFrom> ?d }} WHERE {{ {change} }}"
    yield (f"{with_}INSERT {{ ?c {t}validUntil> ?u }} WHERE {{ {{ SELECT ?c (MIN(?e) AS ?u) WHERE {{ "
           f"{{ {change} {later} }} UNION {{ {change} ?c {t}effectiveUntil> ?end BIND(?end + {day} AS ?e) }} "
           f"UNION {{ {change} ?m {t}supersededOn> ?e FILTER(?e > ?d) }} }} GROUP BY ?c }} }}")
    # reversions: ?c's term ends, no reported change in (?c, ?back]; ?p the latest earlier change in force at ?back
    # (each "there is no X" is an OPTIONAL whose variables appear nowhere else, then !BOUND: see above)
    yield (f"{with_}INSERT {{ ?m {t}statusChange> ?r . ?r a {t}StatusChange>, {t}Reversion> ; {t}measure> ?m ; "
           f"{t}reverts> ?c ; {t}returnsTo> ?p ; {t}status> ?st ; {t}validFrom> ?back }} WHERE {{ "
           f"{change} ?c {t}effectiveUntil> ?end BIND(?end + {day} AS ?back) "
           f"OPTIONAL {{ ?m {t}statusChange> ?c3 . ?c3 {t}date> ?e3 . "
           f"FILTER((?e3 > ?d || (?e3 = ?d && STR(?c3) > STR(?c))) && ?e3 <= ?back) }} FILTER(!BOUND(?c3)) "
           f"OPTIONAL {{ ?m {t}supersededOn> ?on FILTER(?on <= ?back) }} FILTER(!BOUND(?on)) "
           f"?m {t}statusChange> ?p . ?p {t}date> ?pd ; {t}status> ?st . "
           f"FILTER(?pd < ?d || (?pd = ?d && STR(?p) < STR(?c))) "
           f"OPTIONAL {{ ?p {t}effectiveUntil> ?pu FILTER(?pu <= ?end) }} FILTER(!BOUND(?pu)) "
           f"OPTIONAL {{ ?m {t}statusChange> ?q . ?q {t}date> ?qd . OPTIONAL {{ ?q {t}effectiveUntil> ?qu }} "
           f"FILTER((?qd > ?pd || (?qd = ?pd && STR(?q) > STR(?p))) && (?qd < ?d || (?qd = ?d && STR(?q) < STR(?c))) "
           f"&& (!BOUND(?qu) || ?qu > ?end)) }} FILTER(!BOUND(?q)) "
           f"BIND(IRI(CONCAT(\"{rev}\", STRAFTER(STR(?c), \"{STATUS}\"))) AS ?r) }}")
    reversion = f"{ms} ?m {t}statusChange> ?r . ?r a {t}Reversion> ;"
    yield (f"{with_}INSERT {{ ?r {t}newRatePercent> ?nr }} WHERE {{ {reversion} {t}returnsTo> ?p . "
           f"?p {t}newRatePercent> ?nr }}")
    yield (f"{with_}INSERT {{ ?r {t}validUntil> ?u }} WHERE {{ {{ SELECT ?r (MIN(?e) AS ?u) WHERE {{ "
           f"{{ {reversion} {t}reverts> ?c . ?c {t}date> ?d . {later} }} UNION "
           f"{{ {reversion} {t}returnsTo> ?p . ?p {t}effectiveUntil> ?pu BIND(?pu + {day} AS ?e) }} UNION "
           f"{{ {reversion} {t}validFrom> ?b . ?m {t}supersededOn> ?e }} "
           f"}} GROUP BY ?r }} }}")
    # current: the latest change, reported or reversion, by validFrom then IRI; superseded: no change from then on
    superseded = (f"?m {t}supersededOn> ?on OPTIONAL {{ ?m {t}statusChange> ?cs . ?cs {t}validFrom> ?fs "
                  f"FILTER(?fs >= ?on) }} FILTER(!BOUND(?cs))")
    not_superseded = (f"OPTIONAL {{ ?m {t}supersededOn> ?on0 OPTIONAL {{ ?m {t}statusChange> ?cs0 . "
                      f"?cs0 {t}validFrom> ?fs0 FILTER(?fs0 >= ?on0) }} FILTER(!BOUND(?cs0)) }} FILTER(!BOUND(?on0))")
    latest = (f"{ms} ?m {t}statusChange> ?c . ?c {t}validFrom> ?d . OPTIONAL {{ "
              f"?m {t}statusChange> ?c2 . ?c2 {t}validFrom> ?e . FILTER(?e > ?d || (?e = ?d && STR(?c2) > STR(?c))) }} "
              f"FILTER(!BOUND(?c2)) {not_superseded}")
    yield f"{with_}INSERT {{ ?m {t}currentStatus> {t}Superseded> }} WHERE {{ {ms} {superseded} }}"
    yield f"{with_}INSERT {{ ?m {t}currentStatus> ?st }} WHERE {{ {latest} ?c {t}status> ?st }}"
    yield (f"{with_}INSERT {{ ?m {t}currentRate> ?r }} WHERE {{ {{ {latest} OPTIONAL {{ ?c {t}newRatePercent> ?nr }} "
           f"OPTIONAL {{ ?m {t}ratePercent> ?mr }} BIND(COALESCE(?nr, ?mr) AS ?r) FILTER(BOUND(?r)) }} UNION "
           f"{{ {ms} ?m {t}ratePercent> ?r OPTIONAL {{ ?m {t}statusChange> ?any }} FILTER(!BOUND(?any)) "
           f"{not_superseded} }} }}")
    holding = f"VALUES ?h {{ {touched} }} ?h {t}holder> ?who ."  # only a post holding has a holder
    yield f"{with_}INSERT {{ ?h {t}validFrom> ?s }} WHERE {{ {holding} ?h {t}startDate> ?s }}"
    yield f"{with_}INSERT {{ ?h {t}validUntil> ?u }} WHERE {{ {holding} ?h {t}endDate> ?e BIND(?e + {day} AS ?u) }}"
    yield (f"{with_}DELETE {{ ?m {t}supersededBy> ?x }} WHERE {{ {ms} ?m {t}supersededBy> ?x "
           f"FILTER NOT EXISTS {{ ?x {t}supersedes> ?m }} }}")


def source_graphs(store: GraphStore) -> list[str]:
    """The article graphs and the registry graph in the store (each with its ``/inferred`` graph)."""
    graphs = store.named_graphs()
    out = [g for g in graphs if graph_role(g) == "article"]
    if str(REGISTRY_GRAPH) in graphs:
        out.append(str(REGISTRY_GRAPH))
    return out


_PENDING = f"<{META_GRAPH}> <{KG_PENDING_PROPERTY}>"
_PENDING_TRIPLE = f'{_PENDING} "true"^^<http://www.w3.org/2001/XMLSchema#boolean>'
PENDING_NQUAD: Final = f"{_PENDING_TRIPLE} <{META_GRAPH}> .\n"
"""The pending marker as an N-Quads line (written with the source graphs it is about, in one transaction)."""
SET_PENDING: Final = f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{ {_PENDING_TRIPLE} . }} }}"
"""The SPARQL Update that records the pending marker."""
CLEAR_PENDING: Final = f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ {_PENDING} ?v }} }}"
"""The SPARQL Update that removes the pending marker."""


def kg_pending(store: GraphStore) -> bool:
    """Whether a write left source graphs whose KG counts and derived facts were not brought up to date."""
    return any(True for _ in store.query(f"SELECT ?v WHERE {{ GRAPH <{META_GRAPH}> {{ {_PENDING} ?v }} }} LIMIT 1"))


def full_recompute(store: GraphStore) -> None:
    """Rebuild the KG from the source graphs, in one update (the oracle of the tests and a repair path);
    removes the pending marker."""
    new = [stored_content(store, g) for g in source_graphs(store)]
    ops = ["CLEAR SILENT DEFAULT", format_update(), CLEAR_PENDING]
    tail = kg_update([], new)
    store.update(" ;\n".join([*ops, tail] if tail else ops))
