"""What the graph page should draw, asked of the store by SPARQL written for the tests (not by kg.viz):
the nodes of every class the ontology marks for display, and the links between them."""

NODES_SPARQL = """
SELECT DISTINCT ?s WHERE {
  GRAPH ?g { ?s a ?c }
  FILTER(isIRI(?s) && !STRENDS(STR(?g), "/inferred") && ?g != tdg:ontology && ?g != tdg:meta)
  GRAPH tdg:ontology { ?c rdfs:subClassOf* ?d . ?d tdo:displayInGraph "true" }
  FILTER NOT EXISTS { GRAPH tdg:ontology {
    ?c rdfs:subClassOf* ?e . ?e tdo:displayInGraph "false" . ?e rdfs:subClassOf+ ?d } }
}"""

EDGES_SPARQL = """
SELECT DISTINCT ?s ?p ?o WHERE {
  { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?o) && ?p != rdf:type && !STRENDS(STR(?g), "/inferred")
                                  && ?g != tdg:ontology && ?g != tdg:meta) }
  UNION { ?h a tdo:PostHolding ; tdo:holder ?s ; tdo:post ?o . BIND(tdo:heldPost AS ?p) }
  UNION { ?c a tdo:StatusChange ; tdo:measure ?s ; tdo:legalInstrument ?o . BIND(tdo:legalInstrument AS ?p) }
}"""
