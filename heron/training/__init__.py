"""Training: corpus converters (and, later, readers, batchers and the training loop)."""
