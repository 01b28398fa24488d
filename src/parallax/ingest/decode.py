"""Bytes to text: size limits, binary detection and encoding detection, with errors naming the input."""

from __future__ import annotations

from dataclasses import dataclass

from charset_normalizer import from_bytes

from ..errors import InputError

# A news article is a few tens of KB; anything this large is a dump, not an article.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

_MAGIC = {
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (or DOCX/XLSX)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "gzip-compressed data",
    b"\x7fELF": "an executable",
    b"\xd0\xcf\x11\xe0": "an MS Office document",
}


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    warning: str | None = None  # set when the bytes were not valid UTF-8 and had to be guessed


def check_size(size: int, source: str, max_bytes: int) -> None:
    if size > max_bytes:
        raise InputError(
            source, f"{size / 2**20:.1f} MiB is over the {max_bytes / 2**20:.1f} MiB limit for one input (see --max-size)"
        )


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    head = data[:8192]
    if b"\x00" in head and not (head.startswith((b"\xff\xfe", b"\xfe\xff"))):
        return "binary data (NUL bytes)"
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    if head and control / len(head) > 0.1:
        return "binary data (control characters)"
    return None


def decode(data: bytes, source: str) -> Decoded:
    """Decode one input's bytes, raising :class:`InputError` for empty or binary input."""
    if not data.strip():
        raise InputError(source, "empty input")
    kind = _binary_kind(data)
    if kind:
        raise InputError(source, f"not text: looks like {kind}")
    try:
        return Decoded(data.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError as exc:
        position = exc.start
    best = from_bytes(data).best()
    if best is None:
        raise InputError(source, f"not valid UTF-8 (byte {position}) and no other encoding fits")
    return Decoded(
        str(best), best.encoding, f"not valid UTF-8 (byte {position}); decoded as {best.encoding}"
    )
