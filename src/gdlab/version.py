"""The version of gdlab: what run records, saved models and the playground stamp."""

__version__ = "0.1.0"
