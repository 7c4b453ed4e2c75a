"""Training: the one loop (`loop`), fitting a dataset end to end (`fit`) and the run record
(`record`)."""
