"""The model: the linear layer ŷ = A·w (`linear`), its losses (`losses`) and the
standardisation of its features (`standardize`)."""
