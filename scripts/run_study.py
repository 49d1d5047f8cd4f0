"""Run a simulation study and write its table: the script form of ``mc-sparsity study``.

Usage::

    python scripts/run_study.py                       # the default study -> results.csv
    python scripts/run_study.py my_study.toml --out my_results.csv --jobs 2

A study file is TOML: see ``mc_sparsity/data/default_study.toml``.  Rerunning
after an interruption resumes where it stopped.
"""

import argparse

from mc_sparsity._pipeline.study import load_study, run_study


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", help="study file (default: the shipped default study)")
    parser.add_argument("--out", default="results.csv")
    parser.add_argument("--jobs", type=int, default=-1)
    args = parser.parse_args()
    study = load_study(args.file)
    table = run_study(study, args.out, n_jobs=args.jobs, progress=True)
    lasso = table[table["estimator"] == "lasso"]
    print(f"{len(study.scenarios)} scenarios -> {args.out}; lasso: largest |z| = {lasso['z'].abs().max():.2f}")


if __name__ == "__main__":
    main()
