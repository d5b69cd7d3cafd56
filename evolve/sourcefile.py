"""How a target file is stored on disk, and keeping it that way when a variant of it is written.

A target file is Python source as Python itself reads it: its encoding is
what PEP 263 says (a UTF-8 byte-order mark, or a ``# -*- coding: latin-1 -*-``
cookie on line 1 or 2, else UTF-8), as ``tokenize.detect_encoding`` finds it.
Everything inside evolve works on the decoded text, with the BOM dropped and
the line endings (LF, CRLF) and tabs left exactly as they are. Every file evolve
writes (a variant in a workspace, a blob for a commit, ``best.diff``) is
encoded back the way the original was, BOM included, so a commit changes only
the lines an edit changed.

This module imports nothing of evolve: the engine, the workers and promotion
all use it.
"""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

__all__ = ["SourceError", "codec_of", "decode", "encode", "read", "write"]

BOM = b"\xef\xbb\xbf"


class SourceError(ValueError):
    """The bytes are not Python source text in any encoding Python would accept; the message says why."""


def codec_of(data: bytes) -> str:
    """The codec Python reads ``data`` with: ``utf-8-sig`` after a BOM, the PEP 263 cookie's, else ``utf-8``."""
    try:
        codec, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if "invalid or missing" in str(exc.msg):  # no cookie, and the first lines are not UTF-8
            return "utf-8"  # ``decode`` says which byte
        raise SourceError(f"has an encoding declaration Python rejects ({exc.msg})") from None  # unknown codec
    return codec


def decode(data: bytes) -> str:
    """The text of the source ``data``: decoded by its declared encoding, BOM dropped, newlines untouched."""
    codec = codec_of(data)
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        declared = "UTF-8" if codec.startswith("utf-8") else codec
        raise SourceError(f"is not valid {declared} text (byte 0x{data[exc.start]:02x} on line {line}); "
                          "save it as UTF-8 or declare its encoding (PEP 263: # -*- coding: NAME -*-)") from None


def encode(text: str, like: bytes | None = None) -> bytes:
    """``text`` stored the way ``like`` (the original file's bytes) is stored; without ``like``, the way
    the text declares (its own coding cookie, else UTF-8)."""
    codec = codec_of(like) if like is not None else codec_of(text.encode("utf-8", "surrogatepass"))
    try:
        return text.encode(codec)
    except UnicodeEncodeError as exc:
        raise SourceError(f"has a character {text[exc.start]!r} that its encoding {codec} cannot store") from None


def read(path: Path) -> str:
    """The text of the source file at ``path`` (see ``decode``)."""
    return decode(Path(path).read_bytes())


def write(path: Path, text: str) -> None:
    """Replace the source file at ``path`` with ``text``, stored as the file there was (or as the text
    declares, for a new file)."""
    path = Path(path)
    try:
        like: bytes | None = path.read_bytes()
    except FileNotFoundError:
        like = None
    path.write_bytes(encode(text, like))

