"""What the statistics say before and after training: the optimum, the Hessian's spectrum
and the learning-rate bounds (`quadratic`), the regression table (`regression`) and the
analysis of one training run in its own coordinates (`training`)."""
