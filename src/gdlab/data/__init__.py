"""Data: tables in memory, files read in batches, Dask collections, and the seed's recipe.

`dataset` (a validated `Dataset`), `frames` (numpy, pandas, polars inputs), `options` (how
to read files: `ReadOptions`), `csvformat` (a CSV file's encoding and separator), `cells`
(one column's cells as numbers), `columns` (one CSV/Parquet file's columns), `paths` (the
files a glob or folder names, each once), `stamps` (files that change while read), `sizes`
(how large columns are once read, known beforehand), `files` (files read in bounded
batches), `dask` (Dask collections as data), `progress` (a line on stderr for a long pass)
and `seed` (the seed program's points). Every bad cell becomes a `DataError` that names the
file, the column and the row.
"""
