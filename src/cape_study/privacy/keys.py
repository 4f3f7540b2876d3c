"""Pseudonymisation keys and keyed pseudonyms.

**Pseudonyms.** Each case, victim, suspect and document id (the key column of its table
in the codebook) becomes ``<T>-<pseudonym>``: ``T`` the table's initial (``C``, ``V``,
``S``, ``D``) and the pseudonym the first 10 characters of the base-32 (RFC 4648)
encoding of HMAC-SHA-256(key, ``table`` + U+001F + id) (Krawczyk, Bellare and Canetti,
RFC 2104; the keyed-hash pseudonymisation of ENISA, *Pseudonymisation techniques and best
practices*, 2019, sect. 5.2). Every column that refers to an id (``events.case_id``,
``codings.unit_id`` ...) gets the same pseudonym, so the tables still join. Without the
key the ids cannot be recovered or re-computed; with the same key the same id always
gets the same pseudonym, so deliveries of the same register can be linked. Ten base-32
characters carry 50 bits: the chance that two of 100,000 ids collide is about 4e-6, and a
collision stops intake (:class:`PrivacyError`). Base 32 has no 0, 1, 8 or 9, so a
pseudonym can never look like a personnummer or a phone number.

**The key** is read from the environment variable ``CAPE_PSEUDO_KEY`` or from a key
file (parameter ``key_file``, default ``~/.config/cape-study/pseudonym.key``; make one
with ``cape-study keygen``). A key file inside the project is refused, and so is one
that others can read. Without a key, intake refuses a case file not marked synthetic.
A synthetic case file without a key uses the public demo key :data:`DEMO_KEY`, which
is published here and protects nothing. The key never appears in an output, the
manifest or a message; :attr:`PseudonymKey.fingerprint` (an HMAC of a fixed text) tells
whether two processed data sets were made with the same key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

from cape_study.errors import CapeStudyError
from cape_study.paths import project

__all__ = [
    "DEFAULT_KEY_FILE",
    "DEMO_KEY",
    "KEY_ENV",
    "KeyMissing",
    "PrivacyError",
    "PseudonymKey",
    "load_key",
    "pseudonym",
    "write_key",
]

#: The environment variable that holds the pseudonymisation key.
KEY_ENV = "CAPE_PSEUDO_KEY"
#: Where the key file is looked for by default (``~`` is the user's home).
DEFAULT_KEY_FILE = "~/.config/cape-study/pseudonym.key"
#: The public key for synthetic case files when no key is configured. Not a secret.
DEMO_KEY = "cape-study public demo key: synthetic data only, protects nothing"
_PSEUDONYM_LENGTH = 10
_MIN_KEY_LENGTH = 32


class PrivacyError(CapeStudyError):
    """A key, identifier or text that cannot be protected as the privacy rules require."""


class KeyMissing(PrivacyError):
    """No pseudonymisation key for a case file that is not synthetic."""


@dataclasses.dataclass(frozen=True)
class PseudonymKey:
    """A pseudonymisation key and where it came from (``source``); the secret is never
    shown by ``repr`` or ``str``."""

    secret: bytes = dataclasses.field(repr=False)
    source: str

    @property
    def fingerprint(self) -> str:
        """A short keyed hash of a fixed text: equal fingerprints, same key."""
        return hmac.new(self.secret, b"cape-study key fingerprint", hashlib.sha256).hexdigest()[:12]

    def __str__(self) -> str:
        return f"pseudonymisation key from {self.source}"


def load_key(
    key_file: str | os.PathLike[str] | None = DEFAULT_KEY_FILE,
    *,
    synthetic: bool = False,
    root: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> PseudonymKey:
    """Find the pseudonymisation key: ``$CAPE_PSEUDO_KEY``, else ``key_file``, else (for
    synthetic data only) the public :data:`DEMO_KEY`.

    Parameters
    ----------
    key_file
        The key file (``~`` expanded). Refused when it lies inside the project ``root``
        or can be read by others than its owner.
    synthetic
        Whether the case file is marked synthetic; only then may the demo key be used.
    root
        The project root (default :func:`cape_study.paths.project`).
    environ
        The environment to read (default ``os.environ``).

    Raises
    ------
    KeyMissing
        No key for a case file that is not synthetic; the message says how to make one.
    PrivacyError
        A key that is too short, or a key file in the project or readable by others.
    """
    environ = os.environ if environ is None else environ
    value = environ.get(KEY_ENV, "").strip()
    if value:
        return PseudonymKey(_checked(value, f"${KEY_ENV}"), f"environment variable {KEY_ENV}")
    if key_file:
        path = _outside_project(key_file, root)
        if path.is_file():
            if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise PrivacyError(
                    f"key file {path} can be read by other users; make it private with "
                    f"`chmod 600 {path}`"
                )
            text = path.read_text(encoding="utf-8").strip()
            return PseudonymKey(_checked(text, f"key file {path}"), "key file")
    if synthetic:
        return PseudonymKey(DEMO_KEY.encode("utf-8"), "public demo key (synthetic data)")
    raise KeyMissing(
        f"no pseudonymisation key for a case file not marked synthetic: create one with "
        f"`cape-study keygen` (writes {DEFAULT_KEY_FILE}) or set {KEY_ENV}"
        + (f", or point the parameter key_file at yours (now {key_file})" if key_file else "")
    )


def _checked(value: str, where: str) -> bytes:
    if len(value) < _MIN_KEY_LENGTH:
        raise PrivacyError(
            f"the key in {where} is too short ({len(value)} characters, at least "
            f"{_MIN_KEY_LENGTH}); make a new one with `cape-study keygen`"
        )
    return value.encode("utf-8")


def _outside_project(path: str | os.PathLike[str], root: str | os.PathLike[str] | None) -> Path:
    resolved = Path(path).expanduser().resolve()
    base = project(root).root
    if resolved.is_relative_to(base):
        raise PrivacyError(
            f"key file {resolved} is inside the project {base}; keep the key outside the "
            "repository (default ~/.config/cape-study/pseudonym.key)"
        )
    return resolved


def write_key(
    path: str | os.PathLike[str] = DEFAULT_KEY_FILE,
    *,
    force: bool = False,
    root: str | os.PathLike[str] | None = None,
) -> Path:
    """Write a new random key (256 bits, as 64 hexadecimal digits) to a private file.

    The folder is created private (mode 700) and the file readable by its owner only
    (mode 600). An existing key file is kept unless ``force``: replacing a key changes
    every pseudonym. Returns the path; the key itself is never printed or returned.

    Raises
    ------
    PrivacyError
        The path is inside the project, or a key file exists and ``force`` is not given.
    """
    target = _outside_project(path, root)
    if target.exists() and not force:
        raise PrivacyError(
            f"{target} already exists; a new key would change every pseudonym "
            "(use --force to replace it)"
        )
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    os.replace(tmp, target)
    return target


_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # RFC 4648


def pseudonym(value: str, key: PseudonymKey, table: str) -> str:
    """The pseudonym of one id of ``table`` (``cases``, ``victims`` ...): the table's
    initial, a hyphen and 10 base-32 characters of HMAC-SHA-256(key, table + U+001F + id)."""
    digest = hmac.digest(key.secret, f"{table}\x1f{value}".encode(), "sha256")
    # base 32 of the first 5 * _PSEUDONYM_LENGTH bits: the start of the digest's base 32
    length = _PSEUDONYM_LENGTH
    bits = int.from_bytes(digest, "big") >> (8 * len(digest) - 5 * length)
    code = "".join(_B32[(bits >> shift) & 31] for shift in range(5 * length - 5, -5, -5))
    return f"{table[:1].upper()}-{code}"
