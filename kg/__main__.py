"""``python -m kg`` runs the same command line as ``tradekg``."""

from kg.cli import main

if __name__ == "__main__":
    main()
