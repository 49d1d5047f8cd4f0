"""Draw the report's figures from a study table: the script form of part of ``mc-sparsity report``.

Usage::

    python scripts/make_figures.py reports/results.csv --out reports/figures

Reads the CSV written by ``mc-sparsity study`` (or ``scripts/run_study.py``)
and writes one PNG per figure; prints the paths.
"""

import argparse

from mc_sparsity._report.plots import make_figures
from mc_sparsity._mc.results import read_results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table", help="results.csv of a study")
    parser.add_argument("--out", default="figures", help="folder for the PNG files")
    args = parser.parse_args()
    for path in make_figures(read_results(args.table), args.out):
        print(path)


if __name__ == "__main__":
    main()
