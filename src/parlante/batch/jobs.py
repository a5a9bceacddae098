"""Job files: one row per video, as CSV (header row) or JSON Lines (one object per line).

Columns: ``portrait`` (required), ``audio``, ``motion``, ``output``, and any AnimateOptions
field (``emotion``, ``seed``, ``gaze`` as "yaw,pitch" (quoted in CSV) or "yaw;pitch",
``motion_scale`` or ``motion-scale``, ``size``, ``fps``, ...). An empty cell takes the batch
default. Relative paths are relative to the job file; outputs to the output folder.

A problem with the file itself (unreadable, unknown column, duplicate outputs) raises
``JobFileError``; a problem with one row (a bad value, a missing cell) is kept on that row's
``Job.problem`` so that the other rows still run.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import re
import types
import typing
from dataclasses import dataclass, replace
from pathlib import Path

from parlante.errors import ParlanteError
from parlante.options import AnimateOptions

PATH_COLUMNS = ("portrait", "audio", "motion", "output")
OPTION_COLUMNS = tuple(f.name for f in dataclasses.fields(AnimateOptions))
VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov")
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


class JobFileError(ParlanteError):
    """The job file as a whole cannot be used (the CLI exits with code 2)."""


@dataclass
class Job:
    """One row of a job file, resolved: absolute paths and complete options."""

    index: int
    """0-based position among the jobs."""
    where: str
    """``file:line`` of the row, for messages."""
    portrait: Path | None
    audio: Path | None
    motion: Path | None
    output: Path
    """Absolute output path inside the output folder."""
    options: AnimateOptions
    problem: str | None = None
    """Why this row cannot run (one line), or None."""


def read_jobs(
    path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    defaults: AnimateOptions | None = None,
) -> list[Job]:
    """Parse a job file (.csv/.tsv, .jsonl/.ndjson, or .json holding a list of objects).

    Each row's options start from ``defaults`` (e.g. the CLI flags) and its cells override.
    Raises JobFileError for a file that cannot be used at all.
    """
    path = Path(path)
    out_dir = Path(out_dir).absolute()
    defaults = defaults or AnimateOptions()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise JobFileError(f"{path}: no such job file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise JobFileError(f"{path}: cannot read the job file ({err})") from None
    rows = _parse(text, path)
    if not rows:
        raise JobFileError(f"{path}: no jobs in the file")
    base = path.absolute().parent
    jobs = [
        _job(i, line, cells, path, base, out_dir, defaults) for i, (line, cells) in enumerate(rows)
    ]
    _check_outputs(jobs, path)
    return jobs


def column_name(raw: str) -> str:
    """Header spelling -> field name: ``Motion-Scale`` -> ``motion_scale``."""
    return raw.strip().lower().replace("-", "_").replace(" ", "_")


def _parse(text: str, path: Path) -> list[tuple[int, dict[str, object]]]:
    """[(line number, {column: value})] with normalised, validated column names."""
    suffix = path.suffix.lower()
    first = text.lstrip()[:1]
    as_json = suffix in (".jsonl", ".ndjson", ".json") or (
        suffix not in (".csv", ".tsv") and first in ("{", "[")
    )
    if as_json:
        rows = _parse_json(text, path)
        columns = [(line, key) for line, cells in rows for key in cells]
    else:
        header_line, header, rows = _parse_csv(text, path, "\t" if suffix == ".tsv" else ",")
        columns = [(header_line, key) for key in header]
    allowed = set(PATH_COLUMNS) | set(OPTION_COLUMNS)
    for line, key in columns:
        if key not in allowed:
            raise JobFileError(
                f"{path}:{line}: unknown column {key!r} (known: "
                f"{', '.join(PATH_COLUMNS + OPTION_COLUMNS)})"
            )
    if rows and "portrait" not in {key for _, key in columns}:
        raise JobFileError(f"{path}: no 'portrait' column")
    return rows


def _parse_csv(
    text: str, path: Path, delimiter: str
) -> tuple[int, list[str], list[tuple[int, dict[str, object]]]]:
    """(header line, column names, rows); blank rows and rows starting with # are skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header_line, header = 0, []
    rows: list[tuple[int, dict[str, object]]] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
                continue
            if not header:
                header_line, header = line, [column_name(c) for c in cells]
                if "" in header:
                    raise JobFileError(f"{path}:{line}: empty column name in the header")
                dupes = sorted({h for h in header if header.count(h) > 1})
                if dupes:
                    raise JobFileError(f"{path}:{line}: column {dupes[0]!r} appears twice")
                continue
            if len(cells) > len(header):
                raise JobFileError(
                    f"{path}:{line}: {len(cells)} cells but the header has {len(header)} columns"
                )
            rows.append((line, {h: c.strip() for h, c in zip(header, cells, strict=False)}))
    except csv.Error as err:
        raise JobFileError(f"{path}:{reader.line_num}: not valid CSV ({err})") from None
    return header_line, header, rows


def _parse_json(text: str, path: Path) -> list[tuple[int, dict[str, object]]]:
    stripped = text.strip()
    if stripped.startswith("["):  # a .json file holding one list of objects
        try:
            items = json.loads(stripped)
        except json.JSONDecodeError as err:
            raise JobFileError(f"{path}:{err.lineno}: not valid JSON ({err.msg})") from None
        numbered = [(i + 1, item) for i, item in enumerate(items)]
    else:
        numbered = []
        for line, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            try:
                numbered.append((line, json.loads(raw)))
            except json.JSONDecodeError as err:
                raise JobFileError(f"{path}:{line}: not valid JSON ({err.msg})") from None
    rows = []
    for line, item in numbered:
        if not isinstance(item, dict):
            raise JobFileError(f"{path}:{line}: expected a JSON object, got {type(item).__name__}")
        cells = {column_name(str(k)): v for k, v in item.items()}
        if len(cells) != len(item):
            raise JobFileError(f"{path}:{line}: a column appears twice")
        rows.append((line, cells))
    return rows


def _job(
    index: int,
    line: int,
    cells: dict[str, object],
    path: Path,
    base: Path,
    out_dir: Path,
    defaults: AnimateOptions,
) -> Job:
    where = f"{path.name}:{line}"
    values = {k: v for k, v in cells.items() if not _empty(v)}
    portrait = _path(values.get("portrait"), base)
    audio = _path(values.get("audio"), base)
    motion = _path(values.get("motion"), base)
    problem = None
    options = defaults
    try:
        overrides = {k: _convert(k, v, base) for k, v in values.items() if k in OPTION_COLUMNS}
        options = replace(defaults, **overrides)
    except ValueError as err:
        problem = str(err)
    if portrait is None:
        problem = problem or "no portrait given"
    elif audio is None and motion is None:
        problem = problem or "no audio given"
    output, out_problem = _output(values.get("output"), portrait, audio, motion, out_dir, index)
    problem = problem or out_problem
    return Job(index, where, portrait, audio, motion, output, options, problem)


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _path(value: object, base: Path) -> Path | None:
    if _empty(value):
        return None
    return base / Path(str(value).strip()).expanduser()


def _output(
    value: object,
    portrait: Path | None,
    audio: Path | None,
    motion: Path | None,
    out_dir: Path,
    index: int,
) -> tuple[Path, str | None]:
    """(absolute output path, problem or None); default name: ``<portrait>_<audio>.mp4``."""
    if _empty(value):
        stems = [p.stem for p in (portrait, audio or motion) if p is not None]
        name = "_".join(stems) or f"job{index + 1}"
        return out_dir / f"{name}.mp4", None
    rel = Path(str(value).strip())
    if not rel.suffix:
        rel = rel.with_suffix(".mp4")
    if rel.is_absolute() or ".." in rel.parts:
        return out_dir / f"job{index + 1}.mp4", (
            f"output {str(value)!r} must be a relative path inside the output folder"
        )
    if rel.suffix.lower() not in VIDEO_SUFFIXES:
        return out_dir / rel, f"output {str(value)!r} must be an .mp4 file"
    return out_dir / rel, None


def _convert(name: str, value: object, base: Path) -> object:
    """A cell (text from CSV, or a JSON value) -> the AnimateOptions field's type."""
    hint = typing.get_type_hints(AnimateOptions)[name]
    if isinstance(hint, types.UnionType):  # "X | None"
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    try:
        if typing.get_origin(hint) is tuple:
            parts = value if isinstance(value, list) else re.split(r"[,;\s]+", str(value).strip())
            if len(parts) != 2:
                raise ValueError
            return (float(parts[0]), float(parts[1]))
        if hint is bool:
            if isinstance(value, bool):
                return value
            word = str(value).strip().lower()
            if word not in TRUE_WORDS | FALSE_WORDS:
                raise ValueError
            return word in TRUE_WORDS
        if hint is int:
            if isinstance(value, float) and value.is_integer():
                return int(value)
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise ValueError
            return int(value)
        if hint is float:
            if isinstance(value, bool):
                raise ValueError
            return float(value)  # type: ignore[arg-type]
        text = str(value).strip()
        if name == "transcript" and text.lower().endswith(".txt"):
            return str(base / Path(text).expanduser())
        return text
    except (TypeError, ValueError):
        kind = {int: "an integer", float: "a number", bool: "true or false"}.get(
            hint, "YAW,PITCH in degrees" if name == "gaze" else "text"
        )
        raise ValueError(f"{name}: expected {kind}, got {value!r}") from None


def _check_outputs(jobs: list[Job], path: Path) -> None:
    first: dict[Path, Job] = {}
    for job in jobs:
        if job.problem:  # it will not write anything
            continue
        other = first.setdefault(job.output, job)
        if other is not job:
            raise JobFileError(
                f"{path}: rows {other.where.rsplit(':', 1)[1]} and {job.where.rsplit(':', 1)[1]} "
                f"both write {job.output.name}"
            )
