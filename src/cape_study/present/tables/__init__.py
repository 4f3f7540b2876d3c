"""Publication tables: codes replaced by labels, suppressed cells marked, provenance shown.

One module per analysis; the labels are in :mod:`cape_study.present.labels`, numbers and
marks in :mod:`cape_study.present.display`, sentences in :mod:`cape_study.present.wording`;
their names used by the notebooks are listed here too, so that ``tables.X`` reaches them."""

from cape_study.present.display import NOT_ESTIMABLE, SUPPRESSED, show
from cape_study.present.labels import (
    BARRIER_WORDS,
    COEFFICIENT_LABELS,
    COLUMN_LABELS,
    GROUP_LABELS,
    PATH_LABELS,
    column_label,
    describe_headings,
    group_label,
    ordered_groups,
    section_text,
    sort_groups,
    step_labels,
    with_labels,
)
from cape_study.present.tables.attrition import (
    format_comparison,
    format_flows,
    format_funnel,
    format_funnel_wide,
    format_group_tests,
    format_time_to_event,
)
from cape_study.present.tables.barriers import (
    disagreement_sheet,
    format_agreement,
    format_disagreements,
    format_prevalence,
)
from cape_study.present.tables.dropout import (
    barriers_takeaway,
    format_dropout,
    format_reasons,
    format_stage_prevalence,
)
from cape_study.present.tables.intake import case_counts, count_list, count_table, table_rows
from cape_study.present.tables.models import format_population, format_ratios, format_term_counts
from cape_study.present.tables.text_coding import (
    format_evidence,
    format_suggestion_counts,
    format_suggestions,
    format_text_agreement,
    suggestion_sheet,
)
from cape_study.present.wording import (
    agreement_text,
    count_text,
    difference_text,
    estimate_text,
    funnel_text,
    models_takeaway,
    notes_markdown,
    provenance_banner,
    ratio_text,
    share_text,
    synthetic_dictionary_note,
    text_coding_takeaway,
)

__all__ = [
    "BARRIER_WORDS",
    "COEFFICIENT_LABELS",
    "COLUMN_LABELS",
    "GROUP_LABELS",
    "NOT_ESTIMABLE",
    "PATH_LABELS",
    "SUPPRESSED",
    "agreement_text",
    "barriers_takeaway",
    "case_counts",
    "column_label",
    "count_list",
    "count_table",
    "count_text",
    "describe_headings",
    "difference_text",
    "disagreement_sheet",
    "estimate_text",
    "format_agreement",
    "format_comparison",
    "format_disagreements",
    "format_dropout",
    "format_evidence",
    "format_flows",
    "format_funnel",
    "format_funnel_wide",
    "format_group_tests",
    "format_population",
    "format_prevalence",
    "format_ratios",
    "format_reasons",
    "format_stage_prevalence",
    "format_suggestion_counts",
    "format_suggestions",
    "format_term_counts",
    "format_text_agreement",
    "format_time_to_event",
    "funnel_text",
    "group_label",
    "models_takeaway",
    "notes_markdown",
    "ordered_groups",
    "provenance_banner",
    "ratio_text",
    "section_text",
    "share_text",
    "show",
    "sort_groups",
    "step_labels",
    "suggestion_sheet",
    "synthetic_dictionary_note",
    "table_rows",
    "text_coding_takeaway",
    "with_labels",
]
