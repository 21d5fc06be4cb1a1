"""Command modules of the ``tradekg`` command line; each exports ``COMMANDS``."""
