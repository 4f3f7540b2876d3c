"""The coding workbench: from a case file to reliable codings, in workbooks or in QDA software.

A coding round, module by module (the command is ``cape-study coding ...``):

- :mod:`~cape_study.coding.plan`: which coder codes which unit (a case, a document or a
  case's last decision) for which scheme, with a seeded, stratified overlap sample coded
  twice for reliability; a later plan keeps every earlier assignment.
- :mod:`~cape_study.coding.workbook`: one protected .xlsx workbook per coder (a row per
  unit, a drop-down per code, quote, note and minutes; the codebook's definitions and
  the unit's masked text and case timeline beside them).
- :mod:`~cape_study.coding.returned`: reads returned workbooks, checks every cell
  (located problems; nothing merged when one is wrong) and merges them into the case
  file's codings, idempotently.
- :mod:`~cape_study.coding.adjudication`: the disagreement workbook and its decisions,
  stored as codings of the coder ``consensus`` (:mod:`cape_study.data.codings`).
- :mod:`~cape_study.coding.refi`: the codebook as a REFI-QDA .qdc, the units with their
  codings as a .qdpx (both checked against the published schemas), and the import of a
  .qdpx written by NVivo, MAXQDA or ATLAS.ti through a code mapping.
- :mod:`~cape_study.coding.progress`: units coded per coder and scheme, and the overlap
  codings that reliability is computed on.
- :mod:`~cape_study.coding.words`: the workbench's words in Swedish, English and Finnish.
- :mod:`~cape_study.coding.files`: every file written replaced in one step.

The workbench uses :mod:`cape_study.data` and :mod:`cape_study.privacy` only (an
import-linter contract); reliability is computed by the caller with
:mod:`cape_study.stats.reliability`.
"""
