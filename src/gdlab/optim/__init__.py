"""Optimizers as pure (init, update) pairs (`optimizers`) and learning-rate schedules
(`schedules`)."""
