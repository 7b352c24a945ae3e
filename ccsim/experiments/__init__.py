"""ccsim.experiments."""
