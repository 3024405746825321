"""The run's index: one row per input file, OUTDIR/index.csv and OUTDIR/index.json.

index.json is {"settings": {...}, "files": [row, ...]}: the settings tell --resume whether
an old row was made by the same analysis. index.csv holds the same rows for spreadsheets.
Both are written with write_atomic (whole or not at all), rows sorted by file.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from app.base.files import read_limited, write_atomic
from app.base.jsontext import json_safe, parse_json

INDEX_CSV = "index.csv"
INDEX_JSON = "index.json"
OK = "ok"
ERROR = "error"


@dataclass(frozen=True)
class Row:
    """One file of the run.

    file: absolute path; duration: s; sample_rate: Hz; channels; partials: how many were
    tracked (None without --track); seconds: worker time spent on it (all chunks);
    status: OK or ERROR; error: one line, '' when OK. A file that could not be opened has
    None for what it could not tell.
    """

    file: str
    duration: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    partials: int | None = None
    seconds: float = 0.0
    status: str = OK
    error: str = ""


COLUMNS = tuple(field.name for field in fields(Row))


def failed(file: str, error: str, seconds: float = 0.0) -> Row:
    return Row(file=file, seconds=seconds, status=ERROR, error=error)


def write_index(outdir: Path, settings: dict, rows) -> None:
    """Write both index files for `rows` (any order). Raises OSError."""
    ordered = sorted(rows, key=lambda row: row.file)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in ordered:
        writer.writerow(["" if value is None else value for value in asdict(row).values()])
    document = {"settings": settings, "files": [asdict(row) for row in ordered]}
    write_atomic(outdir / INDEX_JSON, json.dumps(json_safe(document), indent=1).encode())
    write_atomic(outdir / INDEX_CSV, text.getvalue().encode())


def read_index(outdir: Path) -> tuple[dict, dict[str, Row]] | None:
    """(settings, rows by file) of the index.json in `outdir`; None when there is none or it
    cannot be read (--resume then redoes every file: nothing is lost but time)."""
    try:
        document = parse_json(read_limited(outdir / INDEX_JSON).decode())
        names = set(COLUMNS)
        rows = [Row(**{k: v for k, v in item.items() if k in names}) for item in document["files"]]
        return document["settings"], {row.file: row for row in rows}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
