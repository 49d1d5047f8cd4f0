"""Monte Carlo: the engine over named random streams, compiled kernels, simulate() and its results."""
