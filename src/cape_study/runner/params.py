"""Typed, validated notebook parameters, declared once.

Every notebook of the pipeline takes one *parameter set*: a pydantic model whose fields
are the notebook's parameters, with their types, bounds and defaults. The sets live in
the named registry :data:`PARAMETER_SETS`; ``pipeline.yaml`` names the set each step
uses, and the runner validates every value against it before any kernel starts.

Parameters flow one way: the declaration here, then ``values:`` in ``pipeline.yaml``,
then ``--params FILE.yaml``, then ``-p key=value`` on the command line; the resolved
values are injected into the notebook after its ``parameters`` cell, and nothing
reassigns them later.

The notebook side
-----------------
A notebook's cell tagged ``parameters`` assigns each parameter of its set, and nothing
else, as a plain literal equal to the declared default in its JSON form (a date is
written as an ISO string, ``data_cutoff = "2024-12-31"``)::

    case_file = "data/raw/demo"
    codebook = "cape_v2"
    data_cutoff = "2024-12-31"

The runner injects values in the same JSON form, so a notebook converts dates itself
(``datetime.date.fromisoformat(data_cutoff)``). :func:`notebook_parameters` reads such
a cell and :func:`compare_with_notebook` lists any disagreement with the declaration;
the test suite checks every notebook named in ``pipeline.yaml``.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import annotated_types
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from cape_study.errors import ParameterError
from cape_study.paths import DEFAULT_DATA_CUTOFF
from cape_study.privacy.keys import DEFAULT_KEY_FILE

__all__ = [
    "PARAMETER_SETS",
    "AttritionParameters",
    "BarriersParameters",
    "IntakeParameters",
    "ModelsParameters",
    "TextCodingParameters",
    "compare_with_notebook",
    "notebook_parameters",
    "parameter_set",
    "parse_assignments",
    "validate_parameters",
]

PARAMETERS_TAG = "parameters"


def _iso_date(value: Any) -> Any:
    """Accept a date or a ``YYYY-MM-DD`` string; refuse numbers, which pydantic would
    otherwise read as Unix timestamps."""
    if isinstance(value, dt.datetime):
        raise ValueError("expected a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("expected a date written YYYY-MM-DD") from None
    raise ValueError("expected a date written YYYY-MM-DD")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]

_CUTOFF = dt.date.fromisoformat(DEFAULT_DATA_CUTOFF)


#: Interval methods for a binomial proportion (cape_study.stats.proportions.CI_METHODS).
CiMethod = Literal["wilson", "wilson_cc", "clopper_pearson", "jeffreys", "agresti_coull"]


class _Parameters(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _name_list(value: Any) -> Any:
    """Accept a list of names or one comma-separated string (as given with ``-p``)."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


#: The ids of ``reference/legal_changes.yaml`` (spelled out so that checking parameters
#: does not read the statistics' reference data; a test keeps the two equal).
LEGAL_CHANGE_IDS = ("se_manniskoexploatering", "se_nja_2022_s23", "fi_564_2015")


def _legal_change(value: str) -> str:
    if value in LEGAL_CHANGE_IDS or re.fullmatch(r"(SE|FI):\d{4}-\d{2}-\d{2}", value):
        if ":" in value:
            _iso_date(value.split(":", 1)[1])
        return value
    raise ValueError(
        f"expected one of {', '.join(LEGAL_CHANGE_IDS)} or COUNTRY:YYYY-MM-DD, not {value!r}"
    )


LegalChangeName = Annotated[str, AfterValidator(_legal_change)]


#: The length of the report periods and the legal changes the funnels of ``01_attrition``
#: are split by: declared by ``00_intake`` too, which holds those funnels up before its own
#: tables (:mod:`cape_study.stats.report_funnels`), so ``-p period_years=3`` sets both; a
#: value for one step only (``-p 01_attrition.period_years=3``) stops 01 when it links the
#: funnel intake held up for other periods (nothing unsafe is published).
PeriodYears = Annotated[
    int,
    Field(ge=1, le=20, description="length of the report periods the funnel is split by, in years"),
]
LegalChanges = Annotated[
    tuple[LegalChangeName, ...],
    BeforeValidator(_name_list),
    Field(
        description="legal changes (ids of reference/legal_changes.yaml, or COUNTRY:YYYY-MM-DD) "
        "that split the funnel before and after and at whose years report periods start"
    ),
]


class IntakeParameters(_Parameters):
    """Parameters of ``00_intake``: which case file to read and how, and the report
    periods and legal changes ``01_attrition`` splits its funnels by (intake holds those
    funnels up before its own tables: :mod:`cape_study.stats.report_funnels`)."""

    case_file: str = Field(
        "data/raw/demo",
        description="case file (folder of CSVs or .xlsx), relative to the project root "
        "or absolute; must exist",
    )
    case_label: str = Field(
        "",
        max_length=80,
        pattern=r"^[\w .,()'-]*$",
        description="how reports name the case file (with its data hash), never its path; "
        "letters, digits, spaces and . , ( ) ' - only",
    )
    codebook: str = Field("cape_v2", min_length=1, description="codebook name or YAML path")
    data_cutoff: IsoDate = Field(
        _CUTOFF, description="no event may fall after this date; open cases are censored here"
    )
    min_cell_count: int = Field(
        5, ge=1, le=100, description="disclosure threshold: smaller counts are suppressed"
    )
    key_file: str = Field(
        DEFAULT_KEY_FILE,
        min_length=1,
        description="file holding the pseudonymisation key, outside the project "
        "(CAPE_PSEUDO_KEY takes precedence; make one with `cape-study keygen`)",
    )
    lang: Literal["en", "sv"] = Field("en", description="language of labels in tables and figures")
    period_years: PeriodYears = 4
    legal_changes: LegalChanges = LEGAL_CHANGE_IDS

    @field_validator("case_file")
    @classmethod
    def _case_file_exists(cls, value: str, info: ValidationInfo) -> str:
        root = Path((info.context or {}).get("root") or Path.cwd())
        path = Path(value).expanduser()
        if not (path if path.is_absolute() else root / path).exists():
            raise ValueError(f"no such file or folder (looked in {root / path})")
        return value


class AttritionParameters(_Parameters):
    """Parameters of ``01_attrition``: the funnel, its intervals and disclosure control."""

    confidence_level: float = Field(
        0.95, gt=0.5, lt=1, description="confidence level of the intervals"
    )
    ci_method: CiMethod = Field("wilson", description="interval for a binomial proportion")
    min_cell_count: int = Field(
        5, ge=1, le=100, description="disclosure threshold: smaller counts are suppressed"
    )
    lang: Literal["en", "sv"] = Field("en", description="language of labels in tables and figures")
    period_years: PeriodYears = 4
    legal_changes: LegalChanges = LEGAL_CHANGE_IDS


class BarriersParameters(_Parameters):
    """Parameters of ``02_barriers``: how codes are combined, intervals, bootstrap,
    codebook versions and disclosure control."""

    coder_rule: Literal["majority", "any", "unanimous"] = Field(
        "majority",
        description="how the coders of a unit are combined (cape_study.stats.barriers.CODER_RULES)",
    )
    other_versions: Literal["refuse", "exclude"] = Field(
        "refuse", description="codings made with another codebook version: refuse or exclude"
    )
    confidence_level: float = Field(
        0.95, gt=0.5, lt=1, description="confidence level of the intervals"
    )
    ci_method: CiMethod = Field(
        "wilson", description="interval for a prevalence (binomial proportion)"
    )
    n_bootstrap: int = Field(
        1000, ge=200, le=100_000, description="bootstrap replicates of the agreement intervals"
    )
    seed: int = Field(20240501, ge=0, description="seed of the bootstrap")
    min_cell_count: int = Field(
        5, ge=1, le=100, description="disclosure threshold: smaller counts are suppressed"
    )
    lang: Literal["en", "sv"] = Field("en", description="language of labels in tables and figures")


#: The names of ``cape_study.stats.models.PREDICTORS`` (spelled out so that checking parameters
#: does not import the statistics libraries; a test keeps the two lists equal).
Predictor = Literal[
    "country",
    "joint_inspection",
    "victim_counsel",
    "victim_left_country",
    "victim_statement",
    "interpreter_needed",
    "torkea_ihmiskauppa",
    "sector",
]


class ModelsParameters(_Parameters):
    """Parameters of ``03_models``: predictors, fitting method, intervals, the events-per-
    variable rule and disclosure control."""

    predictors: Annotated[tuple[Predictor, ...], BeforeValidator(_name_list)] = Field(
        ("country", "joint_inspection", "interpreter_needed", "torkea_ihmiskauppa"),
        min_length=1,
        description="predictors of the models (a list, or names separated by commas; one "
        "that exists in one country only is modelled within that country), from: "
        + ", ".join(get_args(Predictor)),
    )
    logit_method: Literal["auto", "firth", "ml"] = Field(
        "auto",
        description="logistic fit: Firth's penalised likelihood if the data are separated "
        "(auto), always (firth), or maximum likelihood only (ml)",
    )
    confidence_level: float = Field(
        0.95, gt=0.5, lt=1, description="confidence level of the intervals"
    )
    min_events_per_variable: int = Field(
        10, ge=1, le=100, description="warn below this many events per estimated coefficient"
    )
    min_cell_count: int = Field(
        5, ge=1, le=100, description="disclosure threshold: smaller counts are suppressed"
    )
    lang: Literal["en", "sv"] = Field("en", description="language of labels in tables and figures")


class TextCodingParameters(_Parameters):
    """Parameters of ``04_text_coding``: the scheme coded from the texts, the classifier,
    its seed and disclosure control."""

    scheme: Literal["barrier", "ilo_indicator", "agency_sign"] = Field(
        "barrier", description="the codeable scheme to code from the documents' texts"
    )
    min_examples: int = Field(
        10,
        ge=3,
        le=1000,
        description="a code is modelled only with at least this many positive and negative "
        "consensus labels",
    )
    model: Literal["linear_svm", "logistic"] = Field(
        "linear_svm", description="the linear model (cape_study.stats.textcoding.MODELS)"
    )
    seed: int = Field(20240501, ge=0, description="seed of the folds and the solvers")
    excerpts_reviewed: bool = Field(
        False,
        description="whether a person has read the text excerpts (evidence sentences, "
        "suggestion passages) of a real case file; without it they are withheld",
    )
    min_cell_count: int = Field(
        5, ge=1, le=100, description="disclosure threshold: smaller counts are suppressed"
    )
    lang: Literal["en", "sv"] = Field("en", description="language of labels in tables and figures")


PARAMETER_SETS: dict[str, type[BaseModel]] = {
    "intake": IntakeParameters,
    "attrition": AttritionParameters,
    "barriers": BarriersParameters,
    "models": ModelsParameters,
    "text_coding": TextCodingParameters,
}
"""The registry of parameter sets, by the name ``pipeline.yaml`` uses."""


def parameter_set(
    name: str, registry: Mapping[str, type[BaseModel]] | None = None
) -> type[BaseModel]:
    """Return the parameter set called ``name``.

    Raises
    ------
    ValueError
        If no set has that name; the message lists the known ones.
    """
    registry = PARAMETER_SETS if registry is None else registry
    try:
        return registry[name]
    except KeyError:
        known = ", ".join(sorted(registry)) or "(none)"
        raise ValueError(f"unknown parameter set {name!r}; known sets: {known}") from None


def validate_parameters(
    name: str,
    values: Mapping[str, Any] | None = None,
    *,
    registry: Mapping[str, type[BaseModel]] | None = None,
    root: str | Path | None = None,
    where: str = "",
) -> BaseModel:
    """Validate ``values`` against the parameter set ``name`` and fill in its defaults.

    Parameters
    ----------
    name
        The parameter set, a key of ``registry``.
    values
        Overrides by parameter name. Strings are converted as on the command line
        (``"0.9"`` -> 0.9, ``"2024-06-30"`` -> a date).
    registry
        The registry to look ``name`` up in (default :data:`PARAMETER_SETS`).
    root
        The project root that relative paths are checked against (default: the
        current directory).
    where
        Prefix naming where the values come from (for example ``"step '00_intake'"``),
        used in error messages.

    Returns
    -------
    BaseModel
        The validated parameters; ``model_dump(mode="json")`` gives the values that are
        injected into the notebook.

    Raises
    ------
    ParameterError
        Naming every parameter that is unknown, mistyped or out of bounds, with the
        value given and what is allowed.
    """
    model = parameter_set(name, registry)
    values = dict(values or {})
    try:
        return model.model_validate(values, context={"root": root})
    except ValidationError as exc:
        problems = [_describe_error(model, err, values) for err in exc.errors()]
        prefix = f"{where}: " if where else ""
        head = f"{prefix}invalid parameter{'s' if len(problems) > 1 else ''} (set {name!r})"
        raise ParameterError(
            head + ("\n  " if len(problems) > 1 else ": ") + "\n  ".join(problems)
        ) from None


def _describe_error(
    model: type[BaseModel], err: Mapping[str, Any], values: Mapping[str, Any]
) -> str:
    field = str(err["loc"][0]) if err.get("loc") else "?"
    if err["type"] == "extra_forbidden":
        allowed = ", ".join(model.model_fields)
        return (
            f"unknown parameter {field!r} (given {values[field]!r}); allowed parameters: {allowed}"
        )
    message = str(err["msg"]).removeprefix("Value error, ")
    return (
        f"{field} = {values.get(field, err.get('input'))!r} is not allowed: {message}; "
        f"allowed: {_allowed(model, field)}"
    )


_BOUNDS = (
    (annotated_types.Gt, ">", "gt"),
    (annotated_types.Ge, ">=", "ge"),
    (annotated_types.Lt, "<", "lt"),
    (annotated_types.Le, "<=", "le"),
)


def _allowed(model: type[BaseModel], field: str) -> str:
    """Describe in words what a field accepts: its type, bounds and meaning."""
    info = model.model_fields[field]
    annotation = info.annotation
    if get_origin(annotation) is Literal:
        kind = "one of " + ", ".join(repr(v) for v in get_args(annotation))
    else:
        kind = {
            int: "an integer",
            float: "a number",
            str: "text",
            bool: "true or false",
            dt.date: "a date (YYYY-MM-DD)",
        }.get(annotation, getattr(annotation, "__name__", str(annotation)))
    bounds = [
        f"{symbol} {getattr(m, attr)}"
        for m in info.metadata
        for kind_, symbol, attr in _BOUNDS
        if isinstance(m, kind_)
    ]
    text = kind + (" " + " and ".join(bounds) if bounds else "")
    return f"{text} ({info.description})" if info.description else text


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """Turn command-line ``key=value`` strings into a mapping (a later key wins).

    Raises
    ------
    ParameterError
        For an item without ``=`` or with an empty key.
    """
    result: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"-p {item!r}: expected KEY=VALUE or STEP.KEY=VALUE")
        result[key.strip()] = value
    return result


def notebook_parameters(path: str | Path) -> dict[str, Any]:
    """Read the names and default values of a notebook's ``parameters`` cell.

    The cell must hold only assignments of literals (``name = value`` or
    ``name: type = value``), comments and blank lines.

    Raises
    ------
    ParameterError
        If the notebook has no cell tagged ``parameters``, or the cell holds anything
        but literal assignments; the message names the notebook and line.
    """
    path = Path(path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [
        cell
        for cell in nb.get("cells", [])
        if PARAMETERS_TAG in cell.get("metadata", {}).get("tags", [])
    ]
    if not cells:
        raise ParameterError(f"{path}: no cell is tagged {PARAMETERS_TAG!r}")
    source = cells[0]["source"]
    source = "".join(source) if isinstance(source, list) else source
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"{path}: parameters cell, line {exc.lineno}: {exc.msg}") from None
    found: dict[str, Any] = {}
    for node in tree.body:
        target = (
            node.targets[0]
            if isinstance(node, ast.Assign) and len(node.targets) == 1
            else (node.target if isinstance(node, ast.AnnAssign) else None)
        )
        if not isinstance(target, ast.Name) or getattr(node, "value", None) is None:
            raise ParameterError(
                f"{path}: parameters cell, line {node.lineno}: expected `name = literal`"
            )
        try:
            found[target.id] = ast.literal_eval(node.value)
        except ValueError:
            raise ParameterError(
                f"{path}: parameters cell, line {node.lineno}: the value of {target.id!r} "
                "is not a literal"
            ) from None
    return found


def compare_with_notebook(
    name: str, path: str | Path, registry: Mapping[str, type[BaseModel]] | None = None
) -> list[str]:
    """List the ways a notebook's ``parameters`` cell disagrees with the set ``name``.

    A parameter declared but not assigned in the cell, assigned but not declared, or
    assigned a default other than the declared one (in JSON form) is a disagreement.
    An empty list means the notebook agrees.
    """
    model = parameter_set(name, registry)
    declared = model.model_construct().model_dump(mode="json")
    in_notebook = notebook_parameters(path)
    problems = [
        f"{path}: parameter {k!r} of set {name!r} is missing from the parameters cell"
        for k in declared
        if k not in in_notebook
    ]
    problems += [
        f"{path}: parameters cell assigns {k!r}, which set {name!r} does not declare"
        for k in in_notebook
        if k not in declared
    ]
    problems += [
        f"{path}: {k} = {in_notebook[k]!r} in the parameters cell, but set {name!r} declares "
        f"the default {declared[k]!r}"
        for k in declared
        if k in in_notebook and not _same(in_notebook[k], declared[k])
    ]
    return problems


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same JSON type (an int and a float count as one type)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b
