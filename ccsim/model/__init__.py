"""ccsim.model."""
