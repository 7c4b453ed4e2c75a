"""`python -m gdlab` runs the command line."""

from gdlab.cli import run

run()
