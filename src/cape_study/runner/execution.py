"""Execute one notebook in a fresh kernel with papermill, following its cells.

Execution
---------
Each step runs in a fresh kernel (``cape-study``, over Unix sockets in a private
folder), with the resolved parameters injected after its ``parameters`` cell; while a
step runs, the kernel of the next one is started so that it is ready when needed
(:class:`Kernels`). A failing cell stops its step: the error (:class:`CellError`) names
the cell, counting the notebook's code cells from 1 (the injected cell is not counted).
A kernel that dies fails its step the same way. :class:`Watch` follows the cells for
progress (:class:`ProgressEvent`) and kills the kernel on Ctrl-C.

papermill runs the notebook through an engine registered as ``cape-study``, which uses
the kernel already started instead of starting its own. papermill, nbclient and the
Jupyter machinery are imported only when a step executes.

The executed notebook names no path a parameter gives (:func:`redact_paths`: the case
file's folder may be named after a person) and no absolute path of the project.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cape_study import paths
from cape_study.errors import CapeStudyError

__all__ = [
    "KERNEL",
    "CellError",
    "KernelMissing",
    "Kernels",
    "ProgressEvent",
    "Watch",
    "check_kernel",
    "execute_notebook",
    "notebook_bytes",
    "print_progress",
    "redact_paths",
    "write_notebook",
]

KERNEL = "cape-study"


class KernelMissing(CapeStudyError):
    """The Jupyter kernel the notebooks run in is not installed."""


class CellError(Exception):
    """A step that failed while executing (``cell``: the code cell, from 1, if known)."""

    def __init__(self, message: str, cell: int | None = None) -> None:
        super().__init__(message)
        self.message, self.cell = message, cell


# -- progress ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ProgressEvent:
    """A step started (``kind="start"``, with why it is not taken from the cache in
    ``message``), a cell started (``"cell"``), or a step ended (``"end"``, with
    ``status``)."""

    step: str
    kind: str
    elapsed: float = 0.0
    cell: int | None = None
    cells: int | None = None
    status: str | None = None
    message: str = ""


_print_lock = threading.Lock()


def print_progress(event: ProgressEvent) -> None:
    """Write one line per event to standard error (the default progress reporter)."""
    if event.kind == "start":
        text = f"running {event.cells} code cells ({event.message})"
    elif event.kind == "cell":
        text = f"cell {event.cell}/{event.cells}  {event.elapsed:.1f} s"
    elif event.status == "ran":
        text = f"ran in {event.elapsed:.1f} s"
    else:
        text = event.status + (f": {event.message}" if event.message else "")
    with _print_lock:
        print(f"[{event.step}] {text}", file=sys.stderr, flush=True)


class Watch:
    """Follows one executing notebook: its cells for progress, its kernel for Ctrl-C."""

    def __init__(self, step: str, emit: Callable[[ProgressEvent], None], reason: str) -> None:
        self.step, self.emit, self.reason = step, emit, reason
        self.on_first_cell: Callable[[], None] | None = None
        self.lock = threading.Lock()
        self.thread: threading.Thread
        self.pid: int | None = None
        self.cancelled = False
        #: Set once the notebook has executed and its kernel stopped: the step no longer
        #: counts against ``--jobs`` while the runner renders and scans its page.
        self.released = False
        self.nb: Any = None
        self.numbers: dict[int, int] = {}
        self.cells = 0
        self.current: int | None = None
        self.start = time.perf_counter()

    def attach(self, nb: Any) -> None:
        self.nb = nb
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and "injected-parameters" not in cell.metadata.get(
                "tags", []
            ):
                self.cells += 1
                self.numbers[index] = self.cells
        self.emit(ProgressEvent(self.step, "start", cells=self.cells, message=self.reason))

    def cell_started(self, cell: Any = None, cell_index: int = 0, **_: Any) -> None:
        self.current = self.numbers.get(cell_index)
        _warm_up()
        first, self.on_first_cell = self.on_first_cell, None
        if first is not None:
            first()
        if self.current is not None:
            self.emit(
                ProgressEvent(
                    self.step,
                    "cell",
                    time.perf_counter() - self.start,
                    cell=self.current,
                    cells=self.cells,
                )
            )

    def kernel_started(self, kernel: _Kernel) -> None:
        with self.lock:
            self.pid = kernel.pid
            if self.cancelled:
                self._kill()

    def kernel_stopped(self) -> None:
        with self.lock:
            self.pid = None

    def kill(self) -> None:
        with self.lock:
            self.cancelled = True
            self._kill()

    def _kill(self) -> None:
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)  # the kernel leads its own session


@functools.cache
def _warm_up() -> None:
    """Import the renderer in the background once a kernel is busy with cells: the
    runner is idle then (earlier, it would compete with starting the kernel)."""

    def imports() -> None:
        import markdown  # noqa: F401
        import nbconvert.exporters.html  # noqa: F401

    threading.Thread(target=imports, daemon=True).start()


# -- kernels ----------------------------------------------------------------------------
def check_kernel(kernel: str) -> None:
    """Raise :class:`KernelMissing` unless the Jupyter kernel ``kernel`` is installed."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(kernel)
    except NoSuchKernel:
        raise KernelMissing(
            f"the Jupyter kernel {kernel!r} is not installed; run `make install`, which "
            "creates .venv and registers the kernel"
        ) from None


class _Kernel:
    """A kernel started in the project root. It talks over Unix sockets in a private
    folder rather than TCP, since the notebooks see sensitive data; the folder (in the
    run's ``scratch`` folder) also holds its connection file and its pid, so that what a
    killed run left can be found and removed (:func:`cape_study.runner.publish.sweep`)."""

    def __init__(
        self, name: str, root: Path, workers: int = 1, *, scratch: Path, output: Path
    ) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        scratch.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.sockets = tempfile.mkdtemp(prefix="k-", dir=scratch)
        self.km = AsyncKernelManager(
            kernel_name=name,
            transport="ipc",
            ip=os.path.join(self.sockets, "k"),
            connection_file=os.path.join(self.sockets, "kernel.json"),
        )
        try:
            # The notebooks find the project through paths.project(), which reads
            # CAPE_STUDY_ROOT, and write data/processed and reports/ in the run's stage
            # (CAPE_STUDY_OUTPUT); CAPE_STUDY_RUN sends their exports to the report
            # (cape_study.notebook), not to reports/lab/. CAPE_STUDY_WORKERS: the
            # processes a step may use (paths.workers). One thread per numerical library
            # unless the environment sets it (paths.SINGLE_THREAD_ENV).
            env = {
                **paths.SINGLE_THREAD_ENV,
                **os.environ,
                paths.ROOT_ENV: str(root),
                paths.OUTPUT_ENV: str(output),
                paths.RUN_ENV: "1",
                paths.WORKERS_ENV: str(workers),
            }
            run_sync(self.km.start_kernel)(cwd=str(root), env=env)
        except BaseException:
            shutil.rmtree(self.sockets, ignore_errors=True)
            raise
        self.pid: int = self.km.provisioner.pid
        Path(self.sockets, "pid").write_text(str(self.pid), encoding="ascii")

    def stop(self) -> None:
        """Shut the kernel down (if nbclient has not) and remove its sockets."""
        from jupyter_core.utils import run_sync

        try:
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
        finally:
            shutil.rmtree(self.sockets, ignore_errors=True)

    def discard(self) -> None:
        """Kill a kernel that was never used, from any thread."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        self.km.provisioner.process.wait()
        Path(self.km.connection_file).unlink(missing_ok=True)
        shutil.rmtree(self.sockets, ignore_errors=True)


class Kernels:
    """The kernels of one run's steps: a spare one if it is booting, else a new one.
    Each works in ``root``, writes its outputs to ``output`` and keeps its sockets and
    connection file in ``scratch``."""

    def __init__(
        self, name: str, root: Path, workers: int = 1, *, scratch: Path, output: Path
    ) -> None:
        self.name, self.root, self.workers = name, root, workers
        self.where = {"scratch": scratch, "output": output}
        self.lock = threading.Lock()
        self.spares: list[_Kernel] | None = []
        self.starting: list[threading.Thread] = []

    def take(self, watch: Watch, prefetch: bool, workers: int | None = None) -> _Kernel:
        """A spare kernel if one is booting, else a new one. If asked, a spare kernel for
        the next step is started once this step's first cell runs (the runner is idle
        then), so that it boots meanwhile. ``workers`` other than the run's (a step that
        runs alone may use every core): a new kernel with them, the spares left."""
        kernel = None
        if workers is None or workers == self.workers:
            with self.lock:
                kernel = self.spares.pop() if self.spares else None
        kernel = kernel or _Kernel(self.name, self.root, workers or self.workers, **self.where)
        watch.kernel_started(kernel)
        if prefetch:
            thread = threading.Thread(target=self._start_spare, daemon=True)
            self.starting.append(thread)
            watch.on_first_cell = thread.start
        return kernel

    def _start_spare(self) -> None:
        try:
            spare = _Kernel(self.name, self.root, self.workers, **self.where)
        except (RuntimeError, OSError):
            return  # the step that would have used it starts its own and reports why
        finally:
            _close_event_loop()
        with self.lock:
            if self.spares is not None and not self.spares:
                self.spares.append(spare)
                return
        spare.discard()

    def close(self) -> None:
        """Kill the spare kernels, and those still booting once they are up."""
        with self.lock:
            spares, self.spares = self.spares, None
        for kernel in spares or []:
            kernel.discard()
        for thread in self.starting:
            if thread.ident is not None:  # started: a spare still booting discards itself
                thread.join(timeout=60)


# -- executing --------------------------------------------------------------------------
@contextlib.contextmanager
def _without_iri_parser() -> Iterator[None]:
    """Import nbformat without jsonschema's optional IRI checker.

    When ``rfc3987_syntax`` is installed, importing jsonschema builds an Earley parser
    for IRIs (0.8 s, a third of the runner's overhead). Notebook validation checks no
    string formats, so the runner's process goes without it; nothing changes when
    jsonschema is already imported.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        yield
        return
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # "not installed"
    try:
        yield
    finally:
        if sys.modules.get("rfc3987_syntax", False) is None:
            del sys.modules["rfc3987_syntax"]


@functools.cache
def _papermill() -> tuple[Callable[..., Any], type[Exception], type[Exception]]:
    """papermill's ``execute_notebook`` with an engine, registered as ``cape-study``,
    that runs the notebook in a kernel already started and reports cells to a
    :class:`Watch`."""
    with _without_iri_parser():
        import papermill
    from nbclient.exceptions import DeadKernelError
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.exceptions import PapermillExecutionError

    class Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls, nb_man: Any, kernel_name: str, *, watch: Watch, km: Any, **_: Any
        ) -> Any:
            watch.attach(nb_man.nb)
            client = PapermillNotebookClient(
                nb_man,
                km=km,
                kernel_name=kernel_name,
                on_cell_execute=watch.cell_started,
                shutdown_kernel="immediate",  # every cell has replied: nothing to wait for
            )
            return client.execute(cleanup_kc=True)  # stop the kernel when done

    papermill_engines.register("cape-study", Engine)
    return papermill.execute_notebook, PapermillExecutionError, DeadKernelError


def execute_notebook(
    notebook: Path, params: Mapping[str, Any], kernel: Callable[[], _Kernel], watch: Watch
) -> Any:
    """Execute one notebook in the kernel that ``kernel()`` starts; raise
    :class:`CellError` naming the cell that failed.

    The kernel is started first, so that it boots while papermill is imported.
    """
    started = None
    try:
        started = kernel()
        execute, ExecutionError, DeadKernel = _papermill()
        try:
            nb = execute(
                str(notebook),
                None,
                parameters=dict(params),
                engine_name="cape-study",
                kernel_name=started.km.kernel_name,
                progress_bar=False,
                log_output=False,
                watch=watch,
                km=started.km,
            )
            return redact_paths(nb)
        except ExecutionError as exc:
            message = _without_paths(f"{exc.ename}: {exc.evalue}", _path_values(params))
            raise CellError(message, watch.current) from None
        except DeadKernel:
            why = "interrupted" if watch.cancelled else "the kernel died"
            raise CellError(why, watch.current) from None
    except RuntimeError as exc:  # the kernel could not start
        raise CellError(f"the kernel could not run: {exc}", watch.current) from None
    finally:
        watch.kernel_stopped()
        if started is not None:
            started.stop()
        _close_event_loop()


def _path_values(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The path parameters' names and values, longest value first."""
    found = [
        (name, str(params[name]).rstrip("/\\"))
        for name in paths.PATH_PARAMETERS & set(params)
        if params[name] not in (None, "") and str(params[name]).rstrip("/\\")
    ]
    return sorted(found, key=lambda p: -len(p[1]))


def _without_paths(text: str, values: list[tuple[str, str]]) -> str:
    """``text`` with each path parameter's value (alone, or at the end of a longer
    path: a relative value made absolute) written ``{name}``."""
    for name, value in values:
        if value in text:
            text = re.sub(rf"(?:[^\s'\"<>()]*[/\\])?{re.escape(value)}", f"{{{name}}}", text)
    return text


def _scrub(value: Any, values: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        return _without_paths(value, values)
    if isinstance(value, list):
        return [_scrub(v, values) for v in value]
    if isinstance(value, dict):  # in place: a notebook's own mapping type is kept
        for k, v in value.items():
            value[k] = _scrub(v, values)
    return value


def redact_paths(nb: Any) -> Any:
    """Remove from an executed notebook (in place; returned) the values of the path
    parameters (:data:`~cape_study.paths.PATH_PARAMETERS`: the case file and key file,
    whose folders may be named after a person) from papermill's record of the parameters
    and from the injected-parameters cell, where a comment says they were left out, and
    from every output (an error message naming a file of the case file: the value is
    written ``{case_file}``); and papermill's absolute ``input_path``, as the notebook's
    file name."""
    record = nb.metadata.get("papermill")
    values: list[tuple[str, str]] = []
    if record is not None:
        params = record.get("parameters") or {}
        values = _path_values(params)
        for name in paths.PATH_PARAMETERS & set(params):
            del params[name]
        if record.get("input_path"):
            record["input_path"] = os.path.basename(str(record["input_path"]))
    for cell in nb.cells:
        if values and cell.get("outputs"):
            for output in cell.outputs:
                for key in ("text", "evalue", "traceback", "data"):
                    if key in output:
                        output[key] = _scrub(output[key], values)
        if "injected-parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        lines = []
        for line in cell.source.split("\n"):
            name = line.split("=", 1)[0].strip()
            if name in paths.PATH_PARAMETERS and "=" in line:
                line = f"# {name}: not recorded (a path may name a person)"
            lines.append(line)
        cell.source = "\n".join(lines)
    return nb


def _close_event_loop() -> None:
    """Close the event loop nbclient made for this thread, while the interpreter is whole
    (left to the garbage collector, it complains at exit)."""
    from jupyter_core.utils import ensure_event_loop

    ensure_event_loop().close()


def notebook_bytes(nb: Any) -> bytes:
    """The bytes of a notebook's file, as ``nbformat.write`` writes it (UTF-8, ending in
    a newline)."""
    import nbformat

    text = nbformat.writes(nb)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def write_notebook(nb: Any, path: Path) -> None:
    """Write a notebook (or its file's bytes, :func:`notebook_bytes`) to ``path`` in one
    rename, making its folder if need be."""
    data = nb if isinstance(nb, bytes) else notebook_bytes(nb)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:  # a full disk: no half-written notebook is left
        tmp.unlink(missing_ok=True)
        raise
