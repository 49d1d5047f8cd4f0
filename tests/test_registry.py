"""The registry: every default pinned once, names consistent everywhere they are generated."""

from pathlib import Path

import pytest

from mc_sparsity._base.errors import ParameterError
from mc_sparsity._estimators.registry import ESTIMATORS, GROUPS, PARAMETERS, default, estimator_names, resolve_parameters
from mc_sparsity.cli import build_parser


def test_every_registered_default_is_pinned():
    """The published defaults: SCAD's a = 3.7 (Fan and Li 2001), MCP's gamma = 3, the adaptive lasso's 1 (Zou 2006)."""
    assert {name: default(name) for name in PARAMETERS} == {
        "l1_ratio": 0.5, "adaptive_gamma": 1.0, "a": 3.7, "gamma": 3.0, "q": 0.5, "subset_size": 1}


def test_a_parameter_name_cannot_be_taken_twice():
    from mc_sparsity._base.validation import Interval
    from mc_sparsity._estimators.registry import Estimator, Parameter, _parameters_by_name

    clash = Estimator("clash", "clash", "#000000", "-", "", ("penalized",),
                      (Parameter("gamma", 1.0, Interval(0, None), "--clash-gamma", ""),), "threshold", "", "")
    with pytest.raises(RuntimeError, match="'gamma' of 'clash' is already 'mcp'"):
        _parameters_by_name([*ESTIMATORS.values(), clash])


def test_the_command_line_is_generated_from_the_registry():
    sim = build_parser()._subparsers._group_actions[0].choices["simulate"]
    options = {opt: action for action in sim._actions for opt in action.option_strings}
    for name, (_, parameter) in PARAMETERS.items():
        assert options[parameter.option].default == parameter.default and options[parameter.option].dest == name
    assert set(options["--estimator"].choices) == set(ESTIMATORS) | set(GROUPS)


def test_the_readme_convention_table_names_every_estimator():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    table = readme.split("### Conventions")[1].split("###")[0]
    for name in ESTIMATORS:
        assert f"| {name}" in table, name


def test_groups_and_forms():
    assert GROUPS["all"] == ("lasso", "ridge")
    assert estimator_names("penalties", correlated=True) == ("lasso", "ridge", "elastic_net", "adaptive_lasso")
    with pytest.raises(ParameterError, match="constrained form"):
        estimator_names("scad", "constrained")
    with pytest.raises(ParameterError, match="correlated"):
        estimator_names("scad", correlated=True)


def test_parameters_are_validated_by_their_constraint():
    assert resolve_parameters(("mcp",), {"gamma": 1.5}) == {"gamma": 1.5}
    with pytest.raises(ParameterError) as exc:
        resolve_parameters(("bridge",), {"q": 1.0})
    assert exc.value.parameter == "q"
    with pytest.raises(TypeError, match="'rng'"):
        resolve_parameters(("lasso",), {"rng": 1})
