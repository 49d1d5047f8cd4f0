"""Estimators: the registry of records and the mathematics each record points to."""
