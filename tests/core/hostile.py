"""Hostile and careless files, built in the test: the bytes a careless or malicious uploader sends."""

import io
import re
import signal
import tracemalloc
import zipfile
from contextlib import contextmanager

from openpyxl import Workbook

MB = 1024 * 1024


def workbook_bytes(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewrite_member(content: bytes, member: str, change) -> bytes:
    """The same zip with one member's text passed through `change`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == member:
                data = change(data.decode()).encode()
            target.writestr(info.filename, data)
    return out.getvalue()


def dimension_bomb(header) -> bytes:
    """A 5 KB workbook declaring A1:XFD1048576 with one cell at A1048576."""
    book = Workbook()
    book.active.append(header)
    book.active["A1048576"] = "far"
    out = io.BytesIO()
    book.save(out)
    return rewrite_member(
        out.getvalue(),
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml),
    )


def undeclared_far_cell(header) -> bytes:
    """No <dimension> at all, a header and one cell at XFD1048576: only the iteration caps hold."""
    book = Workbook()
    book.active.append(header)
    book.active["XFD1048576"] = "far"
    out = io.BytesIO()
    book.save(out)
    return rewrite_member(out.getvalue(), "xl/worksheets/sheet1.xml", lambda xml: re.sub(r"<dimension[^>]*/>", "", xml))


def _with_member(base: bytes, member: str, size: int, unit: bytes) -> bytes:
    """`base` with `member` replaced by `size` bytes made of `unit`, streamed (never held whole)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != member:
                target.writestr(info.filename, source.read(info.filename))
        with target.open(member, "w", force_zip64=True) as stream:
            chunk = unit * (MB // len(unit))
            for _ in range(size // len(chunk)):
                stream.write(chunk)
    return out.getvalue()


def zip_bomb(header, size=64 * MB) -> bytes:
    """A valid workbook whose sheet inflates to `size` bytes of blank XML."""
    return _with_member(workbook_bytes([header]), "xl/worksheets/sheet1.xml", size, b" ")


def shared_strings_bomb(header, size=8 * MB) -> bytes:
    """A workbook whose sharedStrings.xml holds `size` bytes of tiny strings."""
    return _with_member(workbook_bytes([header]), "xl/sharedStrings.xml", size, b"<si><t>a</t></si>")


def docx_like_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        target.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@contextmanager
def deadline(seconds: float):
    """Fails the test (TimeoutError) if the block runs longer than `seconds` of wall time."""

    def expire(signum, frame):
        raise TimeoutError(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def peak_memory():
    """Yields a dict whose "peak" is the block's peak of Python allocations, in bytes."""
    result = {}
    tracemalloc.start()
    try:
        yield result
    finally:
        result["peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
