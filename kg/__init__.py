"""TradeKG: a knowledge graph of trade diplomacy built from annotated news articles."""

__version__ = "0.1.0"
