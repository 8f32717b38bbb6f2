"""Reading a merchant's spreadsheet without trusting it.

An XLSX file is a zip archive, and a zip of a few hundred kilobytes may
expand to gigabytes (a "zip bomb"). Before openpyxl opens one, its members
are counted and their sizes read from the archive's directory: too many
members, too much uncompressed, or a member compressed far beyond what real
spreadsheets are is refused naming the field `file`. The directory cannot
lie about sizes to get past this: Python's zipfile stops a member at its
declared size and fails its checksum. The rows read are capped as well, and
the columns of each.
"""

import io
import zipfile
from typing import Any

from dacu.domain.errors import InvalidRule

MAX_MEMBERS = 1_000
MAX_UNCOMPRESSED = 50 * 1024 * 1024  # 50 MB, all members together
MAX_RATIO = 100  # uncompressed / compressed, for any member of some size
RATIO_FROM = 64 * 1024  # smaller members may compress as they like
MAX_COLUMNS = 64


def check_archive(data: bytes) -> None:
    """InvalidRule("file") unless `data` is a zip archive of sane size and members."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InvalidRule("file", "not a readable XLSX file (not a zip archive)") from None
    if len(members) > MAX_MEMBERS:
        raise InvalidRule("file", f"the XLSX file has more than {MAX_MEMBERS} parts")
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED:
        raise InvalidRule("file", f"the XLSX file expands past {MAX_UNCOMPRESSED} bytes")
    for member in members:
        if member.file_size >= RATIO_FROM and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise InvalidRule(
                "file", f"{member.filename} is compressed more than {MAX_RATIO} to 1: refused"
            )


def xlsx_rows(data: bytes, max_rows: int) -> list[list[Any]]:
    """The first sheet's rows (header first), numbered as the sheet numbers them (a blank
    row is an empty list); more than `max_rows` filled rows under the header is an
    InvalidRule naming `file`, and no more is read."""
    check_archive(data)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a broken file
        raise InvalidRule("file", f"not a readable XLSX file: {error}") from None
    try:
        rows: list[list[Any]] = []
        filled = 0
        for row in book.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True):
            blank = all(cell is None or str(cell).strip() == "" for cell in row)
            filled += not blank
            if filled > max_rows + 1:
                raise InvalidRule("file", f"at most {max_rows} rows under the header")
            rows.append([] if blank else list(row))
        return drop_trailing_blanks(rows)
    except InvalidRule:
        raise
    except Exception as error:  # a part that is broken inside
        raise InvalidRule("file", f"not a readable XLSX file: {error}") from None
    finally:
        book.close()


def drop_trailing_blanks(rows: list[list[Any]]) -> list[list[Any]]:
    while rows and not rows[-1]:
        rows.pop()
    return rows
