"""The pipeline's specification: ``pipeline.yaml`` read into :class:`Pipeline` and its
:class:`Step` objects, every step's parameters resolved (:func:`resolve_parameters`), and
the :class:`StepResult` a run reports for a step.

This module is the leaf of the runner: it uses the parameter sets
(:mod:`cape_study.runner.params`) and nothing else of the runner; the run, the cache, the
pages, the index, the manifest and the document use it.

pipeline.yaml
-------------
::

    steps:
      00_intake:
        notebook: notebooks/00_intake.ipynb
        title: Intake of the case file
        parameters: intake              # a set in cape_study.runner.params.PARAMETER_SETS
        inputs: ["{case_file}"]         # paths or globs, relative to the project root
        env: [CAPE_PSEUDO_KEY]          # environment variables the result depends on
        outputs: [data/processed/*.parquet, data/processed/metadata.json]
      01_attrition:
        notebook: notebooks/01_attrition.ipynb
        title: Where cases drop out
        parameters: attrition
        needs: [00_intake]              # steps that must finish first
        inputs: [data/processed/*.parquet]
        values: {min_cell_count: 5}     # optional per-step overrides of the defaults

    settings:                           # optional: the project's settings, for every step
      lang: sv                          # that declares the parameter (here all of them)

Only ``notebook`` and ``parameters`` are required. A folder among the inputs or
outputs stands for every file below it, ``~`` the user's home; ``{name}`` is replaced by
the step's resolved parameter ``name``. A change in a variable named under ``env:``
re-runs the step; its value is never stored. Step names use letters, digits, ``_`` and ``-``.

``settings:`` keeps the choices a team makes once for the whole project (the report's
language, the disclosure threshold, the confidence level): ``key: value`` for every step
whose set declares ``key``, or ``STEP.key: value``; a key no step declares is an error.

Parameters, from weakest to strongest: the set's defaults, the pipeline's ``settings``,
the step's ``values``, the ``--params`` file, then ``-p``. Both of the last two take
``key=value`` (every step whose set declares ``key``; a key no step declares is an error) and
``STEP.key=value`` (one step); a ``--params`` file may also nest ``STEP: {key: value}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from cape_study.errors import ParameterError, PipelineError
from cape_study.runner.params import PARAMETER_SETS, parameter_set, validate_parameters

__all__ = ["Pipeline", "Step", "StepResult", "load_pipeline", "resolve_parameters"]

_STEP_KEYS = {"notebook", "title", "parameters", "needs", "inputs", "outputs", "values", "env"}
_STEP_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
#: libyaml's parser when PyYAML has it, with the same safe constructors as yaml.safe_load
#: (as the codebook is read): pipeline.yaml in 0.9 ms instead of 10, which every run,
#: a no-op too, reads.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# -- the pipeline file ----------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One notebook of the pipeline, as declared in ``pipeline.yaml``."""

    name: str
    notebook: str
    parameters: str
    title: str = ""
    needs: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)
    env: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pipeline:
    """The steps of a pipeline file, in an order that respects ``needs``."""

    path: Path
    steps: dict[str, Step]
    #: The project's settings (``settings:``): ``key`` or ``STEP.key`` -> value.
    settings: Mapping[str, Any] = field(default_factory=dict)


def load_pipeline(
    path: str | Path, *, parameter_sets: Mapping[str, type[BaseModel]] | None = None
) -> Pipeline:
    """Read and check a pipeline file; order its steps by their needs.

    Steps that do not depend on each other keep their order in the file.

    Raises
    ------
    PipelineError
        For a missing or malformed file, an unknown key, parameter set or need, or a
        cycle of needs; the message names the file and step.
    """
    path = Path(path)
    if not path.is_file():
        raise PipelineError(f"{path}: no pipeline file (it declares the steps to run)")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise PipelineError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("steps"), dict) or not data["steps"]:
        raise PipelineError(f"{path}: expected a mapping `steps:` of step name -> step")
    if set(data) - {"steps", "settings"}:
        raise PipelineError(
            f"{path}: unknown top-level key(s) {sorted(set(data) - {'steps', 'settings'})}; "
            "allowed: settings, steps"
        )
    settings = data.get("settings") or {}
    if not isinstance(settings, dict):
        raise PipelineError(f"{path}: `settings:` must be a mapping of parameter -> value")
    steps = {
        str(name): _read_step(path, str(name), spec, parameter_sets)
        for name, spec in data["steps"].items()
    }
    for step in steps.values():
        for need in step.needs:
            if need not in steps:
                raise PipelineError(
                    f"{path}: step {step.name!r} needs {need!r}, which is not a step "
                    f"(steps: {', '.join(steps)})"
                )
    return Pipeline(path, {name: steps[name] for name in _order(path, steps)}, settings)


def _read_step(
    path: Path, name: str, spec: Any, registry: Mapping[str, type[BaseModel]] | None
) -> Step:
    where = f"{path}: step {name!r}"
    if not _STEP_NAME.match(name):
        raise PipelineError(f"{where}: a step name uses only letters, digits, '_' and '-'")
    if not isinstance(spec, dict):
        raise PipelineError(f"{where}: expected a mapping with notebook, parameters, ...")
    if unknown := set(spec) - _STEP_KEYS:
        raise PipelineError(
            f"{where}: unknown key(s) {sorted(unknown)}; allowed: {', '.join(sorted(_STEP_KEYS))}"
        )
    for key in ("notebook", "parameters"):
        if not isinstance(spec.get(key), str):
            raise PipelineError(f"{where}: `{key}:` is required")
    try:
        parameter_set(spec["parameters"], registry)
    except ValueError as exc:
        raise PipelineError(f"{where}: {exc}") from None

    def strings(key: str) -> tuple[str, ...]:
        value = spec.get(key) or []
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise PipelineError(f"{where}: `{key}:` must be a list of strings")
        return tuple(value)

    values = spec.get("values") or {}
    if not isinstance(values, dict):
        raise PipelineError(f"{where}: `values:` must be a mapping of parameter -> value")
    return Step(
        name,
        spec["notebook"],
        spec["parameters"],
        str(spec.get("title") or name),
        strings("needs"),
        strings("inputs"),
        strings("outputs"),
        values,
        strings("env"),
    )


def _order(path: Path, steps: Mapping[str, Step]) -> list[str]:
    """Topological order, stable with respect to the file; a cycle is an error."""
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, chain: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "active":
            cycle = [*chain[chain.index(name) :], name]
            raise PipelineError(f"{path}: the needs form a cycle: {' -> '.join(cycle)}")
        state[name] = "active"
        for need in steps[name].needs:
            visit(need, [*chain, name])
        state[name] = "done"
        order.append(name)

    for name in steps:
        visit(name, [])
    return order


# -- parameters -------------------------------------------------------------------------
def resolve_parameters(
    pipeline: Pipeline,
    root: str | Path,
    *,
    overrides: Mapping[str, Any] | None = None,
    params_file: str | Path | None = None,
    parameter_sets: Mapping[str, type[BaseModel]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Resolve and validate every step's parameters.

    Parameters
    ----------
    pipeline
        The steps.
    root
        The project root, for parameters that name files.
    overrides
        ``key`` or ``STEP.key`` -> value, as given by ``-p`` (strongest).
    params_file
        A YAML mapping in the same two forms (or ``STEP: {key: value}``).
    parameter_sets
        The registry of parameter sets (default :data:`cape_study.runner.params.PARAMETER_SETS`).

    Returns
    -------
    dict
        Step name -> parameter values in JSON form, as injected into the notebook.

    Raises
    ------
    ParameterError
        Listing every unknown, mistyped or out-of-bounds value, and what is allowed.
    """
    registry = PARAMETER_SETS if parameter_sets is None else parameter_sets
    declared = {
        name: set(registry[s.parameters].model_fields) for name, s in pipeline.steps.items()
    }
    layers = _split_overrides(
        pipeline.settings, declared, f"{pipeline.path}: settings", nested=False
    )
    layers.append({name: dict(s.values) for name, s in pipeline.steps.items()})
    if params_file is not None:
        layers += _split_overrides(
            _read_params_file(Path(params_file)), declared, f"{params_file}", nested=True
        )
    if overrides:
        layers += _split_overrides(overrides, declared, "-p", nested=False)
    resolved: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for name, step in pipeline.steps.items():
        values: dict[str, Any] = {}
        for layer in layers:
            values.update(layer.get(name, {}))
        try:
            model = validate_parameters(
                step.parameters, values, registry=registry, root=root, where=f"step {name!r}"
            )
        except ParameterError as exc:
            problems.append(str(exc))
            continue
        resolved[name] = model.model_dump(mode="json")
        for pattern in (*step.inputs, *step.outputs):
            try:
                pattern.format(**resolved[name])
            except (KeyError, IndexError, ValueError):
                problems.append(
                    f"step {name!r}: {pattern!r} names no parameter of set "
                    f"{step.parameters!r} (use {{name}} for a parameter)"
                )
    if problems:
        raise ParameterError("\n".join(problems))
    return resolved


def _read_params_file(path: Path) -> Mapping[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except OSError as exc:
        raise ParameterError(f"--params {path}: cannot read it: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ParameterError(f"--params {path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ParameterError(f"--params {path}: expected a mapping of parameter -> value")
    return data


def _split_overrides(
    items: Mapping[str, Any], declared: Mapping[str, set[str]], source: str, *, nested: bool
) -> list[dict[str, dict[str, Any]]]:
    """Split ``key`` / ``STEP.key`` overrides into a global and a per-step layer."""
    everywhere: dict[str, dict[str, Any]] = {}
    per_step: dict[str, dict[str, Any]] = {}
    for key, value in items.items():
        key = str(key)
        if nested and key in declared and isinstance(value, dict):
            for sub, sub_value in value.items():
                _check_key(source, key, str(sub), declared)
                per_step.setdefault(key, {})[str(sub)] = sub_value
        elif "." in key:
            step, _, name = key.partition(".")
            _check_key(source, step, name, declared)
            per_step.setdefault(step, {})[name] = value
        else:
            hits = [step for step, names in declared.items() if key in names]
            if not hits:
                allowed = sorted(set().union(*declared.values()))
                raise ParameterError(
                    f"{source}: unknown parameter {key!r} (given {value!r}); "
                    f"no step declares it. Allowed: {', '.join(allowed)}"
                )
            for step in hits:
                everywhere.setdefault(step, {})[key] = value
    return [everywhere, per_step]


def _check_key(source: str, step: str, name: str, declared: Mapping[str, set[str]]) -> None:
    if step not in declared:
        raise ParameterError(
            f"{source}: {step}.{name}: no step {step!r}; steps: {', '.join(declared)}"
        )
    if name not in declared[step]:
        raise ParameterError(
            f"{source}: step {step!r} has no parameter {name!r}; "
            f"allowed: {', '.join(sorted(declared[step]))}"
        )


@dataclass
class StepResult:
    """What happened to one step in a run."""

    name: str
    title: str
    status: str
    seconds: float = 0.0
    message: str = ""
    cell: int | None = None
    #: The error of a failed step, without where it happened.
    error: str = ""
    ran_at: str | None = None
    ran_seconds: float | None = None
    takeaways: list[dict[str, Any]] = field(default_factory=list)
