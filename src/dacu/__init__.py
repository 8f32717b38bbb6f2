"""dacu (大促): e-commerce promotion campaigns, priced to the fen."""

__version__ = "0.1.0"
