"""ccsim.analysis."""
