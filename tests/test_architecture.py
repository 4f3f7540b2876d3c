"""The parts of the library and their arrows (README, Architecture).

The import-linter contracts in pyproject.toml (``[tool.importlinter]``) say which part
may import which; ``lint-imports`` checks them on the source as it is. The second test
keeps the project's own imports at the top of the runner, the CLI and the notebook
helpers, where import-linter and a reader see them.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "cape_study"

_LINT = (
    "import sys; from importlinter.cli import lint_imports; "
    "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))"
)


def test_the_import_contracts_hold() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _LINT], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BROKEN" not in done.stdout and "0 broken" in done.stdout, done.stdout


#: The imports of the project allowed inside a function, each said so where it is: the
#: CLI loads pandas and pandera (validate, coding), the generator (synth), the codebook's
#: models (codebook, template, coding), the manifest's scanner (verify) and the runner
#: beyond :mod:`cape_study.runner.current` (run, when a step must run) only for the
#: command that needs them, so that `cape-study run` with nothing to do and `--help`
#: start quickly.
_HEAVY = {
    "src/cape_study/cli/__init__.py": {
        "cape_study.data.codebook",
        "cape_study.data.codebook_pages",
        "cape_study.data.loaders",
        "cape_study.data.template",
        "cape_study.runner.manifest",
        "cape_study.runner.pipeline",
        "cape_study.stats.timelines",
        "cape_study.synth",
        "cape_study.synth.scenarios",
    },
    "src/cape_study/cli/coding.py": {
        "cape_study.coding.refi",
        "cape_study.coding.round",
        "cape_study.data.codebook",
        "cape_study.stats.reliability",
    },
}


def _late_imports(path: Path) -> list[str]:
    """``file:line`` of every import of cape_study inside a function or class body, but
    those in :data:`_HEAVY`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for scope in ast.walk(tree):
        if not isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for node in ast.walk(scope):
            names = []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            where = path.relative_to(REPO).as_posix()
            names = [n for n in names if n not in _HEAVY.get(where, ())]
            if any(n == "cape_study" or n.startswith("cape_study.") for n in names):
                found.append(f"{where}:{node.lineno}")
    return found


def test_the_runner_cli_and_notebook_import_the_project_at_the_top() -> None:
    files = [
        *sorted((SRC / "runner").glob("*.py")),
        *sorted((SRC / "cli").glob("*.py")),
        SRC / "notebook.py",
    ]
    late = [where for path in files for where in _late_imports(path)]
    assert late == [], f"imports of cape_study inside functions: {late}"


def test_a_late_import_is_found(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    module = tmp_path / "m.py"
    module.write_text(
        "import os\nfrom cape_study import paths\n\n\ndef f():\n"
        "    import json\n    from cape_study.data import codebook\n",
        encoding="utf-8",
    )
    assert _late_imports(module) == ["m.py:7"]
