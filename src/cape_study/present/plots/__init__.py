"""Figures for the report. Each takes ``ax=None`` (a new figure in the house style,
:mod:`cape_study.present.plots.style`) and returns the Axes; a figure of several panels
starts from :func:`figure`, as wide as one or two A4 columns."""

from cape_study.present.plots._shared import show
from cape_study.present.plots.attrition import (
    fixed_times_plot,
    flow_heatmap,
    funnel_groups_plot,
    funnel_plot,
    public_comparison_plot,
)
from cape_study.present.plots.barriers import agreement_plot, cooccurrence_heatmap, prevalence_plot
from cape_study.present.plots.intake import count_bars
from cape_study.present.plots.models import forest_plot
from cape_study.present.plots.style import figure
from cape_study.present.plots.text_coding import text_agreement_plot

__all__ = [
    "agreement_plot",
    "cooccurrence_heatmap",
    "count_bars",
    "figure",
    "fixed_times_plot",
    "flow_heatmap",
    "forest_plot",
    "funnel_groups_plot",
    "funnel_plot",
    "prevalence_plot",
    "public_comparison_plot",
    "show",
    "text_agreement_plot",
]
