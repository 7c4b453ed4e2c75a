"""Data: tables in memory, files read in batches, Dask collections, and the seed's recipe.

`dataset` (a validated `Dataset`), `frames` (numpy, pandas, polars inputs), `columns` (one
CSV/Parquet file's columns, parsed cell by cell), `files` (a file, glob or directory read in
bounded batches), `dask` (Dask collections as data) and `seed` (the seed program's points).
Every bad cell becomes a `DataError` that names the file, the column and the row.
"""
