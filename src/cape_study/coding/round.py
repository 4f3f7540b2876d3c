"""A coding round on disk: the folder that holds its plan, workbooks and answers, and the
steps of a round as the ``cape-study coding`` commands run them.

A round folder (kept beside the case file, on the same protected storage: the workbooks
hold the texts) contains::

    plan.csv             who codes what (cape_study.coding.plan)
    workbooks/<coder>.xlsx   the coder workbooks sent out
    answers.csv          every answer read back, the latest per coder, unit and scheme
    adjudication.xlsx    the disagreements to decide
    mapping-<name>.csv   a proposed code mapping for a .qdpx

and merges codings into the case file's codings table (its ``codings.csv``, or the CSV
file named by the table's label). That is the one place where the library writes into a
case file, on the team's command: the codings are read as the loaders read them (so the
case file must validate), merged, and written back in the codebook's form (column names,
commas, 1/0), replacing the file in one step, never half written; the committed demo
case file is refused (copy it).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cape_study.coding import adjudication, plan, progress, refi, returned, workbook
from cape_study.coding.files import write_csv
from cape_study.data.codebook import Codebook, codebook_or_default
from cape_study.data.headers import normalise, table_aliases
from cape_study.data.loaders import CaseFile, load_case_file
from cape_study.errors import CapeStudyError
from cape_study.paths import project
from cape_study.privacy.keys import PseudonymKey

__all__ = ["Round"]


@dataclass
class Round:
    """A coding round: its ``folder`` and the ``case_file`` it codes (a folder of CSV
    files); ``codings`` is the codings file merged into (default the case file's)."""

    folder: Path
    case_file: Path
    codebook: Codebook | str | None = None
    codings: Path | None = None

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        self.case_file = Path(self.case_file)
        self.book = codebook_or_default(self.codebook)
        self._own_codings = self.codings is None
        if self.codings is None and self.case_file.suffix.lower() not in {".xlsx", ".xlsm"}:
            aliases = table_aliases(self.book)
            named = [
                p
                for p in sorted(self.case_file.glob("*.csv"))
                if aliases.get(normalise(p.stem)) == "codings"
            ]
            self.codings = named[0] if named else self.case_file / "codings.csv"
        self._case: CaseFile | None = None

    # -- files -----------------------------------------------------------------------
    @property
    def plan_file(self) -> Path:
        return self.folder / "plan.csv"

    @property
    def answers_file(self) -> Path:
        return self.folder / "answers.csv"

    @property
    def workbooks(self) -> Path:
        return self.folder / "workbooks"

    def case(self) -> CaseFile:
        """The case file, read and checked once."""
        if self._case is None:
            self._case = load_case_file(self.case_file, codebook=self.book)
        return self._case

    def plan(self) -> pd.DataFrame:
        return plan.read_plan(self.plan_file)

    def answers(self) -> pd.DataFrame:
        return returned.read_answers(self.answers_file)

    def read_codings(self) -> pd.DataFrame:
        """The codings merged into: the case file's, as the loaders read and check them
        (any header language, separator or yes/no spelling), or a ``--codings`` CSV file
        with the codebook's column names; empty when there are none yet."""
        if self.codings is None or not self.codings.exists():
            return pd.DataFrame(columns=returned.CODING_COLUMNS)
        if self._own_codings:
            table = self.case().codings.reindex(columns=returned.CODING_COLUMNS)
            return table.assign(present=table["present"].astype("Int64"))
        return pd.read_csv(self.codings, dtype="string", keep_default_na=False, na_values=[""])

    def _write_codings(self, table: pd.DataFrame) -> Path:
        if self.codings is None:
            raise CapeStudyError(
                f"{self.case_file}: codings can only be merged into a case file that is a "
                "folder of CSV files; give --codings FILE.csv (and use that folder's form)"
            )
        demo = project().demo_case_file.resolve()
        if self.codings.resolve().is_relative_to(demo):
            raise CapeStudyError(
                f"{self.codings} belongs to the committed demo case file; copy the demo "
                "folder elsewhere and code the copy"
            )
        columns = list(returned.CODING_COLUMNS)
        out = table.reindex(columns=columns)
        if out["quote"].isna().all() and out["note"].isna().all():
            out = out.drop(columns=["quote", "note"])
        write_csv(out, self.codings)
        self._case = None  # read again when next needed
        return self.codings

    # -- steps -----------------------------------------------------------------------
    def make_plan(
        self,
        coders: Sequence[str],
        units: Mapping[str, str],
        *,
        overlap: float = 0.2,
        seed: int = 1,
        doc_types: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Plan the round (or extend its plan) and write ``plan.csv``."""
        earlier = self.plan() if self.plan_file.exists() else None
        found = plan.coding_units(self.case(), units, self.book, doc_types=doc_types)
        made = plan.make_plan(found, coders, overlap=overlap, seed=seed, plan=earlier)
        plan.write_plan(made, self.plan_file)
        return made

    def export(
        self, *, lang: str | dict[str, str] = "en", coders: Sequence[str] | None = None
    ) -> list[Path]:
        """Write the coders' workbooks into ``workbooks/``."""
        return workbook.write_workbooks(
            self.plan(), self.case(), self.book, self.workbooks, lang=lang, coders=coders
        )

    def _merge(self, answers: pd.DataFrame) -> tuple[returned.Merge, returned.Merge]:
        merged_answers = returned.merge_answers(self.answers(), answers)
        merged_codings = returned.merge_codings(
            self.read_codings(), returned.codings_from_answers(answers), answers
        )
        self._write_codings(merged_codings.table)
        returned.write_answers(merged_answers.table, self.answers_file)
        return merged_answers, merged_codings

    def import_workbooks(
        self, paths: Sequence[str | os.PathLike[str]]
    ) -> tuple[returned.Merge, returned.Merge]:
        """Read returned workbooks and merge them: answers into ``answers.csv``, codings
        into the codings file. Nothing is written when any workbook has a problem."""
        found = returned.read_returned(paths, self.plan(), self.book)
        return self._merge(found)

    def write_adjudication(
        self, path: Path | None = None, *, key: PseudonymKey | None = None, lang: str = "en"
    ) -> tuple[Path, int]:
        """Write the disagreements to decide; returns the file and their number."""
        items = adjudication.disagreements(self.read_codings(), self.answers())
        case = self.case()
        out = adjudication.write_adjudication(
            items,
            self.book,
            path or self.folder / "adjudication.xlsx",
            documents=case.documents,
            cases=case.cases,
            key=key,
            lang=lang,
        )
        return out, items[["unit_id", "scheme", "code"]].drop_duplicates().shape[0]

    def import_decisions(self, path: str | os.PathLike[str]) -> returned.Merge:
        """Merge an adjudication workbook's decisions as consensus codings."""
        decisions = adjudication.read_decisions(path, self.book)
        merged = adjudication.merge_decisions(self.read_codings(), decisions)
        self._write_codings(merged.table)
        return merged

    def export_qdpx(self, path: str | os.PathLike[str], *, lang: str = "en") -> Path:
        """The planned units, their masked texts and the codings as a .qdpx."""
        units = self.plan()
        texts = workbook.masked_texts(self.case(), units, self.book, lang)
        return refi.write_qdpx(units, texts, self.read_codings(), self.book, path, lang=lang)

    def import_qdpx(
        self, path: str | os.PathLike[str], mapping: str | os.PathLike[str] | None = None
    ) -> tuple[pd.DataFrame, pd.DataFrame, Path | None, tuple | None]:
        """Import a .qdpx. Without ``mapping``, write a proposed mapping
        (``mapping-<name>.csv``) and merge nothing. Returns (mapping, unused, the
        mapping file written or None, the merges or None)."""
        project_ = refi.read_qdpx(path)
        if mapping is None:
            proposed = refi.suggest_mapping(project_, self.book)
            out = self.folder / f"mapping-{Path(path).stem}.csv"
            self.folder.mkdir(parents=True, exist_ok=True)
            proposed.to_csv(out, index=False, encoding="utf-8")
            _, unused = refi.answers_from_qdpx(project_, proposed, self.book, units=self._units())
            return proposed, unused, out, None
        table = refi.read_mapping(mapping, self.book)
        answers, unused = refi.answers_from_qdpx(project_, table, self.book, units=self._units())
        return table, unused, None, self._merge(answers)

    def _units(self) -> pd.DataFrame | None:
        return self.plan() if self.plan_file.exists() else None

    def progress(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Progress per coder and scheme, and the overlap codings so far."""
        plan_ = self.plan()
        table = progress.progress(plan_, self.answers())
        overlap = progress.overlap_codings(plan_, self.read_codings())
        if len(overlap):
            overlap["present"] = pd.to_numeric(overlap["present"]).astype("Int64")
        return table, overlap
