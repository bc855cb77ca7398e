"""nablax.example_libraries: the small optimizer and layer libraries JAX ships as examples (optimizers, stax)."""
