"""The pooled chi-square test used on K histograms."""

from mc_sparsity._stats.goodness_of_fit import pooled_chisquare


def test_agreement_passes_and_a_shift_fails():
    assert pooled_chisquare([4812, 4305, 883], [0.48, 0.43, 0.09]).pvalue > 0.01
    assert pooled_chisquare([5300, 3900, 800], [0.48, 0.43, 0.09]).pvalue < 1e-10


def test_a_count_in_an_impossible_cell_fails_whatever_the_pooling():
    assert pooled_chisquare([600_000, 399_950, 50], [0.6, 0.4, 0.0]).pvalue == 0.0
    assert pooled_chisquare([10**7 - 3, 0, 3], [1.0, 0.0, 0.0]).pvalue == 0.0


def test_one_cell_left_has_nothing_to_test():
    assert pooled_chisquare([10, 0, 0], [1.0, 0.0, 0.0]).pvalue == 1.0
