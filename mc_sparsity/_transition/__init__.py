"""L1 against L2 from random measurements: basis pursuit's phase transition (issue 19)."""
