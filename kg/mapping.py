"""The article → RDF mapper moved to :mod:`kg.article_rdf`; this name stays until its last importers move."""
# compatibility: importers in build.py and assistant.py move when their owners land (today only build.py imports it)
from kg.article_rdf import FIELD_PROPERTIES, article_quads, entailments

__all__ = ["FIELD_PROPERTIES", "article_quads", "entailments"]
