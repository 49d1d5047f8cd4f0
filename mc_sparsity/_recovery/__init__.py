"""Random designs, p > n: does the lasso recover the signed support? (Wainwright 2009; issue 18).

Modules: ``setup`` (sizes k, n, lam_n and the designs), ``certificate`` (the
compiled primal-dual witness: a signed support certified, rounding included),
``witness`` (the compiled trial: draw, witness on the truth, the guesses its
refutation points to, LARS), ``simulate``
(trials on the engine, estimands and intervals), ``transition`` (where a
curve crosses 1/2), ``section`` (the report's data, figure, markdown and
verdict), ``command`` (the ``mc-sparsity recovery`` subcommand).
"""
