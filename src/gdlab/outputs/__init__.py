"""What a run leaves behind besides its record: the saved model (`savedmodel`), the per-step
trace (`trace`) and scripts that reproduce it in other frameworks (`export`)."""
