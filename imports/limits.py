"""Bounds on uploaded workbooks (XLSX, ZIP of CSV files): one place for every cap.

An upload is at most ``PLANWERK_UPLOAD_MAX_BYTES`` on the wire, but a ZIP member may inflate a
thousandfold and a header may lie about its size. So nothing here trusts what an archive or a
sheet says about itself (``ZipInfo.file_size``, ``<dimension>``): members are read as streams in
small chunks and the bytes are counted as they come out of the decompressor, rows and cells are
counted as the parser meets them, and the first cap reached stops the reading with a message for
the person who uploaded the file. ``scan_workbook`` does this in one cheap pass, before any
parser holds a sheet in memory; its row count decides between inline preview and the worker.

XML members are scanned with expat and no tree: a DOCTYPE (entity declarations, external
entities, the "billion laughs") is refused before openpyxl sees the file (openpyxl itself parses
with defusedxml, which refuses them too).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from xml.parsers import expat

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .changes import ImportRefused, Problem

CHUNK = 64 * 1024
ENCRYPTED = 0x1  # general purpose flag bit 0 of a ZIP entry


def max_decompressed_bytes() -> int:
    """All members of one archive together, counted while decompressing."""
    return int(settings.PLANWERK_IMPORT_MAX_DECOMPRESSED_BYTES)


def max_rows() -> int:
    """Rows of all sheets of one file together (header rows and empty rows included)."""
    return int(settings.PLANWERK_IMPORT_MAX_ROWS)


def max_columns() -> int:
    return int(settings.PLANWERK_IMPORT_MAX_COLUMNS)


def max_cell_chars() -> int:
    return int(settings.PLANWERK_IMPORT_MAX_CELL_CHARS)


def max_members() -> int:
    return int(settings.PLANWERK_IMPORT_MAX_MEMBERS)


def max_line_bytes() -> int:
    """A CSV line (between two line breaks) longer than this cannot be a row of cells within
    the cell cap; reading it whole would hold it in memory."""
    return 32 * max_cell_chars()


MAX_XML_DEPTH = 32  # a worksheet needs 6 (worksheet/sheetData/row/c/is/t)
MAX_CELLS = 2_000_000  # cells of all sheets, shared strings counted as cells


class InputRefused(ImportRefused):
    """The file is outside the bounds or unreadable; ``problems`` says where and why."""


def refuse(message: str, *, sheet: str = "", row: int | None = None, column: str = ""):
    raise InputRefused([Problem(message, sheet=sheet, row=row, column=column)])


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def _megabytes(size: int) -> str:
    return number_format(round(size / (1024 * 1024)), force_grouping=True)


def _in(member: str, file_name: str) -> str:
    return _("“%(member)s” in “%(file)s”") % {"member": member, "file": file_name}


# --- the archive ---------------------------------------------------------------------------


def open_archive(content: bytes, file_name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zlib.error, ValueError, NotImplementedError, EOFError):
        refuse(_("“%(name)s” is a damaged ZIP or XLSX file.") % {"name": file_name})


def _unsafe_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return (
        name.startswith(("/", "\\"))
        or ".." in parts
        or re.match(r"^[A-Za-z]:", name) is not None
        or "\x00" in name
    )


def safe_members(archive: zipfile.ZipFile, file_name: str) -> list[zipfile.ZipInfo]:
    """The archive's files (not folders); refused: too many, encrypted, or a name that points
    outside the archive (``../``, an absolute path, a drive letter)."""
    infos = archive.infolist()
    if len(infos) > max_members():
        refuse(
            _("“%(name)s” holds %(count)s files; at most %(limit)s are allowed.")
            % {"name": file_name, "count": _number(len(infos)), "limit": _number(max_members())}
        )
    for info in infos:
        if _unsafe_name(info.filename):
            refuse(
                _("%(member)s: this file name points outside the archive.")
                % {"member": _in(info.filename[:120], file_name)}
            )
        if info.flag_bits & ENCRYPTED:
            refuse(_encrypted(info.filename, file_name))
    return [info for info in infos if not info.is_dir()]


def _encrypted(member: str, file_name: str) -> str:
    return _("%(member)s is encrypted (password protected). Please save it without one.") % {
        "member": _in(member, file_name)
    }


class Budget:
    """The decompressed bytes an archive may still give, shared by its members."""

    def __init__(self):
        self.limit = max_decompressed_bytes()
        self.spent = 0

    def take(self, size: int, member: str, file_name: str) -> None:
        self.spent += size
        if self.spent > self.limit:
            refuse(
                _(
                    "%(member)s unpacks to more than %(limit)s MB (all files of the archive "
                    "together). Please split the file or remove what is not needed."
                )
                % {"member": _in(member, file_name), "limit": _megabytes(self.limit)}
            )


def member_chunks(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, file_name: str, budget: Budget
) -> Iterator[bytes]:
    """The member's bytes in chunks of at most ``CHUNK``, counted against ``budget`` as they
    come; a damaged member (bad CRC, broken deflate stream, unknown compression) is refused
    with its name."""
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    return
                budget.take(len(chunk), info.filename, file_name)
                yield chunk
    except InputRefused:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError):
        refuse(_("%(member)s is damaged.") % {"member": _in(info.filename, file_name)})
    except NotImplementedError:
        refuse(
            _("%(member)s uses a compression method that cannot be read.")
            % {"member": _in(info.filename, file_name)}
        )
    except RuntimeError:  # zipfile: "File … is encrypted, password required"
        refuse(_encrypted(info.filename, file_name))


class ChunkReader(io.RawIOBase):
    """A byte stream over an iterator of chunks (for ``io.TextIOWrapper``)."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer:
            self._buffer = next(self._chunks, b"")
            if not self._buffer:
                return 0
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


# --- the cheap pass -------------------------------------------------------------------------


@dataclass
class Scan:
    """What one bounded pass over the file found."""

    kind: str  # "xlsx" or "csv"
    rows: int  # data rows of all sheets (header rows not counted): decides inline or worker


def scan_workbook(content: bytes, file_name: str) -> Scan:
    """Check the whole file within the caps, holding no more than a chunk at a time.

    ``InputRefused`` for a damaged, encrypted or hostile archive, or one over a cap.
    """
    archive = open_archive(content, file_name)
    with archive:
        members = safe_members(archive, file_name)
        budget = Budget()
        if any(info.filename == "xl/workbook.xml" for info in members):
            return _scan_xlsx(archive, members, file_name, budget)
        return _scan_csv(archive, members, file_name, budget)


def _scan_csv(archive, members, file_name: str, budget: Budget) -> Scan:
    rows = 0
    for info in members:
        if not info.filename.lower().endswith(".csv"):
            continue
        lines, run = 0, 0
        for chunk in member_chunks(archive, info, file_name, budget):
            if rows + lines + chunk.count(b"\n") > max_rows():
                refuse(too_many_rows_message(_in(info.filename, file_name)))
            first, *rest = chunk.split(b"\n")
            pieces = [run + len(first), *(len(part) for part in rest)]
            too_long = next((i for i, size in enumerate(pieces) if size > max_line_bytes()), None)
            if too_long is not None:
                refuse(
                    _("%(member)s: line %(line)s is longer than %(limit)s bytes.")
                    % {
                        "member": _in(info.filename, file_name),
                        "limit": _number(max_line_bytes()),
                        "line": _number(lines + 1 + too_long),
                    }
                )
            lines += len(rest)
            run = pieces[-1]
        rows += max(lines - 1 + (1 if run else 0), 0)  # the last line may lack a line break
    return Scan("csv", rows)


def too_many_rows_message(where: str) -> str:
    return _(
        "%(where)s has more than %(limit)s rows (all sheets together). Please split the file."
    ) % {"where": where, "limit": _number(max_rows())}


def _scan_xlsx(archive, members, file_name: str, budget: Budget) -> Scan:
    counter = _XmlCounter(file_name)
    for info in members:
        name = info.filename
        is_xml = name.lower().endswith((".xml", ".rels"))
        counter.start_member(name, worksheet=name.startswith("xl/worksheets/") and is_xml)
        parser = counter.parser() if is_xml else None
        for chunk in member_chunks(archive, info, file_name, budget):
            if parser is not None:
                counter.feed(parser, chunk)
        if parser is not None:
            counter.feed(parser, b"", final=True)
        counter.end_member()
    return Scan("xlsx", counter.data_rows)


_COLUMN = re.compile(r"[A-Z]+")


def _column_index(reference: str) -> int:
    """``"AB12"`` → 28; 0 for anything else."""
    match = _COLUMN.match(reference or "")
    if match is None:
        return 0
    index = 0
    for letter in match.group():
        index = index * 26 + ord(letter) - 64
        if index > 10**7:
            break
    return index


class _XmlCounter:
    """Rows, cells, columns, depth and text length of XLSX members, with expat and no tree."""

    def __init__(self, file_name: str):
        self.file_name = file_name
        self.rows = 0  # all rows met so far, by their numbers
        self.data_rows = 0
        self.cells = 0

    def start_member(self, name: str, *, worksheet: bool) -> None:
        self.member, self.worksheet = name, worksheet
        self.depth, self.text, self.row, self.row_cells, self.last_row = 0, 0, 0, 0, 0
        self.rows_here = 0

    def end_member(self) -> None:
        if self.worksheet and self.rows_here:
            self.data_rows += self.rows_here - 1

    def parser(self):
        parser = expat.ParserCreate()
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._doctype
        parser.ExternalEntityRefHandler = self._doctype
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._characters
        return parser

    def feed(self, parser, chunk: bytes, *, final: bool = False) -> None:
        try:
            parser.Parse(chunk, final)
        except expat.ExpatError as error:
            refuse(
                _("%(member)s is not well-formed XML (line %(line)s, column %(column)s).")
                % {
                    "member": _in(self.member, self.file_name),
                    "line": error.lineno,
                    "column": error.offset,
                }
            )

    def _where(self) -> str:
        return _in(self.member, self.file_name)

    def _doctype(self, *args):
        refuse(
            _(
                "%(member)s declares a DOCTYPE or entities. Workbooks from spreadsheet programs "
                "never do; the file is refused."
            )
            % {"member": self._where()}
        )

    def _start(self, name: str, attributes: dict) -> None:
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            refuse(
                _("%(member)s is nested more than %(limit)s levels deep.")
                % {"member": self._where(), "limit": MAX_XML_DEPTH}
            )
        self.text = 0  # the length of one text node is bounded, not of the whole member
        local = name.rsplit(":", 1)[-1]
        if local == "si":
            self._count_cell()
        if not self.worksheet:
            return
        if local == "row":
            number = attributes.get("r", "")
            self.row = int(number) if number.isdigit() and len(number) < 9 else self.last_row + 1
            self.row = max(self.row, self.last_row + 1)
            self.rows += self.row - self.last_row
            self.rows_here += self.row - self.last_row
            self.last_row, self.row_cells = self.row, 0
            if self.rows > max_rows():
                refuse(too_many_rows_message(self._where()))
        elif local == "c":
            self.row_cells += 1
            column = max(_column_index(attributes.get("r", "")), self.row_cells)
            if column > max_columns():
                refuse(
                    _("%(member)s, row %(row)s: more than %(limit)s columns.")
                    % {"member": self._where(), "row": self.row, "limit": _number(max_columns())}
                )
            self._count_cell()

    def _count_cell(self) -> None:
        self.cells += 1
        if self.cells > MAX_CELLS:
            refuse(
                _("%(member)s has more than %(limit)s cells.")
                % {"member": self._where(), "limit": _number(MAX_CELLS)}
            )

    def _end(self, name: str) -> None:
        self.depth -= 1
        self.text = 0

    def _characters(self, data: str) -> None:
        self.text += len(data)
        if self.text > max_cell_chars():
            where = self._where()
            if self.worksheet and self.row:
                where = _("%(member)s, row %(row)s") % {"member": where, "row": self.row}
            refuse(
                _("%(where)s: a cell holds more than %(limit)s characters.")
                % {"where": where, "limit": _number(max_cell_chars())}
            )


def cell_too_long_message() -> str:
    return _("The cell holds more than %(limit)s characters.") % {
        "limit": _number(max_cell_chars())
    }


def too_many_columns_message() -> str:
    return _("The row has more than %(limit)s columns.") % {"limit": _number(max_columns())}
