"""The inferential layer: standard errors, intervals, z-scores, tests."""
