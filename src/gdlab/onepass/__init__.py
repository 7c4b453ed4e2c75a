"""The one-pass statistics: the R factor of a tall-skinny QR of [A | y].

`lstsq` holds the statistics (`LeastSquaresStats`: merging, solving, changes of
coordinates); the pass builds them from in-memory arrays (`arrays`, with the compiled
kernel of `householder` for large data), from files in bounded memory (`files`) or on a
Dask cluster (`dask`).
"""
