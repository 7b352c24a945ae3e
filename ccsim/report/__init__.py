"""ccsim.report."""
