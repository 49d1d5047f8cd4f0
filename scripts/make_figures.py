"""Draw the report's figures from a study table: the script form of part of ``mc-sparsity report``.

Usage::

    python scripts/make_figures.py reports/results.csv --out reports/figures

Reads the CSV written by ``mc-sparsity study`` (or ``scripts/run_study.py``)
and writes one PNG per figure; prints the paths.  The figures' clouds of
beta_hat come from the named streams ``"figures"`` of ``SeedSequence(--seed)``
(``mc-sparsity report`` uses the study's seed).
"""

import argparse

from mc_sparsity._report.plots import make_figures
from mc_sparsity._mc.results import read_results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table", help="results.csv of a study")
    parser.add_argument("--out", default="figures", help="folder for the PNG files")
    parser.add_argument("--seed", type=int, default=0, help="root seed of the figures' draws (default 0)")
    args = parser.parse_args()
    kwargs = {}
    if args.seed:
        import numpy as np

        from mc_sparsity._pipeline.report_data import figure_draws

        kwargs["draws"] = figure_draws(np.random.SeedSequence(args.seed))
    for path in make_figures(read_results(args.table), args.out, **kwargs):
        print(path)


if __name__ == "__main__":
    main()
