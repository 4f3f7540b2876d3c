"""Seeded synthetic case files with planted, known effects (see :mod:`.generator`)."""

from cape_study.synth.generator import *  # noqa: F403
from cape_study.synth.generator import __all__ as __all__
