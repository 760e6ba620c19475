"""Coding in a spreadsheet: a coder's sheet exported as CSV or XLSX, and the filled-in sheet imported.

:func:`export_sheet` writes one row per unit and one column per codebook variable (dropdowns for
single-choice variables in the XLSX, the codebook on its own sheet); :func:`import_sheet` reads
the filled-in sheet back, checks every cell against the codebook, and returns coding records for
:meth:`civicposts.coding.CodingStore.append_many` (the same records the app writes).
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
from pathlib import Path
from typing import Any

import pandas as pd

from . import schema
from .codebook import Codebook
from .coding import MULTI_SEP, check_coder, make_record
from .errors import InputError
from .iorw import write_csv, write_xlsx

log = logging.getLogger(__name__)

SHEET_NAME = "coding"
CODEBOOK_SHEET = "codebook"
LISTS_SHEET = "lists"
RELATION_COLUMN = "follows_up"
MEMO_PREFIX = "memo_"
TEXT_COLUMNS = ("caption", "text")


def _sheet_variables(units: pd.DataFrame, codebook: Codebook) -> list[str]:
    types = set(units["unit_type"]) if "unit_type" in units.columns else {"post"}
    return [v for v in codebook.variables if codebook.variables[v].unit_type in types]


def _relation_variable(codebook: Codebook, variables: list[str]) -> str | None:
    for v in variables:
        if any(c.relation for c in codebook.variables[v].codes):
            return v
    return None


def sheet_frame(units: pd.DataFrame, codebook: Codebook, coder: str,
                decisions: pd.DataFrame | None = None) -> pd.DataFrame:
    """The coding sheet as a DataFrame: coder, unit_id, unit_type, the unit's url, local_date,
    kind (verbatim/paraphrase), caption/text when present, then one column per variable
    (multi-choice codes joined with ``|``), a ``memo_<variable>`` column per variable and a
    ``follows_up`` column (target post id), pre-filled with ``coder``'s current ``decisions``
    when given."""
    check_coder(coder)
    variables = _sheet_variables(units, codebook)
    rel_var = _relation_variable(codebook, variables)
    base = pd.DataFrame({"unit_id": units["unit_id"].astype(str).to_numpy()})
    base["unit_type"] = units["unit_type"].to_numpy() if "unit_type" in units.columns else "post"
    for col in ("url", "local_date", "kind", *TEXT_COLUMNS):
        if col in units.columns:
            base[col] = units[col].fillna("").astype(str).to_numpy()
    current: dict[tuple[str, str], Any] = {}
    if decisions is not None and len(decisions):
        mine = decisions[decisions["coder"] == coder]
        for row in mine.itertuples(index=False):
            current[(row.unit_id, row.variable)] = row
    for v in variables:
        vals, memos = [], []
        for uid in base["unit_id"]:
            row = current.get((uid, v))
            vals.append(MULTI_SEP.join(row.codes) if row is not None else "")
            memos.append(row.memo if row is not None else "")
        base[v] = vals
        base[MEMO_PREFIX + v] = memos
    if rel_var is not None:
        targets = []
        for uid in base["unit_id"]:
            row = current.get((uid, rel_var))
            t = None if row is None else row.relation_target
            targets.append("" if t is None or (isinstance(t, float) and pd.isna(t)) else t)
        base[RELATION_COLUMN] = targets
    base.insert(0, "coder", coder)
    return base


def export_sheet(units: pd.DataFrame, codebook: Codebook, coder: str, csv_path: str | Path | None,
                 xlsx_path: str | Path | None, *, decisions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Write a coding sheet for ``coder`` as CSV (UTF-8 with BOM) and/or XLSX; return the sheet.

    One row per unit, one column per variable (see :func:`sheet_frame`). The XLSX has the
    ``coding`` sheet with dropdowns (data validation) for single-choice variables and an input
    hint listing the codes of multi-choice ones, a ``codebook`` sheet (codes with labels and
    definitions) and a hidden ``lists`` sheet feeding the dropdowns. File bytes are
    deterministic (fixed workbook properties and zip timestamps, from SOURCE_DATE_EPOCH).
    """
    sheet = sheet_frame(units, codebook, coder, decisions)
    if csv_path is not None:
        write_csv(csv_path, sheet, bom=True)
    if xlsx_path is not None:
        write_xlsx(xlsx_path, _workbook(sheet, codebook))
    return sheet


def _workbook(sheet: pd.DataFrame, codebook: Codebook) -> "openpyxl.Workbook":  # noqa: F821
    """The coding sheet's workbook: the sheet with dropdowns, a hidden list sheet, the codebook."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    cols = list(sheet.columns)
    ws.append(cols)
    for row in sheet.itertuples(index=False):
        ws.append([("" if v is None else str(v)) for v in row])
    _as_text(ws)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "C2"
    n = len(sheet)
    last = max(n + 1, 2)

    lists = wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    variables = [c for c in cols if c in codebook.variables]
    for j, v in enumerate(variables, start=1):
        var = codebook.variables[v]
        letter = get_column_letter(j)
        lists.cell(row=1, column=j, value=v)
        for i, code in enumerate(var.code_ids(), start=2):
            lists.cell(row=i, column=j, value=code)
        col_letter = get_column_letter(cols.index(v) + 1)
        rng = f"{col_letter}2:{col_letter}{last}"
        if var.kind == "single":
            dv = DataValidation(type="list", formula1=f"={LISTS_SHEET}!${letter}$2:${letter}${len(var.codes) + 1}",
                                allow_blank=True, showErrorMessage=True, errorTitle="Unknown code",
                                error=f"Choose one code of {v} from the list (codebook {codebook.version}).",
                                promptTitle=v[:32], prompt="Choose one code.")
        else:
            codes = ", ".join(var.code_ids())
            dv = DataValidation(type="custom", formula1="TRUE", allow_blank=True, showErrorMessage=False,
                                promptTitle=v[:32], prompt=f"One or more, joined with |: {codes}"[:255])
        dv.showInputMessage = True
        ws.add_data_validation(dv)
        dv.add(rng)
    for j, col in enumerate(cols, start=1):
        width = 60 if col in TEXT_COLUMNS else (30 if col.startswith(MEMO_PREFIX) or col == "url" else 18)
        ws.column_dimensions[get_column_letter(j)].width = width
        if col in TEXT_COLUMNS:
            for r in range(2, n + 2):
                ws.cell(row=r, column=j).alignment = Alignment(wrap_text=True, vertical="top")

    cb = wb.create_sheet(CODEBOOK_SHEET)
    table = codebook.table()
    kinds = codebook.kinds()
    table.insert(1, "kind", table["variable"].map(kinds))
    cb.append([f"{codebook.title} — version {codebook.version}"])
    cb.append(list(table.columns))
    for row in table.itertuples(index=False):
        cb.append(list(row))
    for cell in cb[2]:
        cell.font = Font(bold=True)
    _as_text(cb)
    return wb


def _as_text(ws: "openpyxl.worksheet.worksheet.Worksheet") -> None:  # noqa: F821
    """Store every string as text: openpyxl turns strings starting with '=' into formulas, so a
    caption or memo like '=HYPERLINK(...)' would otherwise run in the coder's spreadsheet."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def _read_sheet_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and (spreadsheet row number, {column: text}) from a CSV or XLSX coding sheet."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            try:
                header = next(reader)
            except StopIteration:
                raise InputError(path, "empty sheet (no header row)") from None
            rows = [(i, dict(zip(header, (c.strip() for c in rec), strict=False)))
                    for i, rec in enumerate(reader, start=2) if any(c.strip() for c in rec)]
        return header, rows
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for broken files
            raise InputError(path, f"cannot open as a workbook ({exc})") from exc
        try:
            if SHEET_NAME not in wb.sheetnames:
                raise InputError(path, f"no sheet named {SHEET_NAME!r} (found {', '.join(wb.sheetnames)})")
            it = wb[SHEET_NAME].iter_rows(values_only=True)
            header = [("" if h is None else str(h)) for h in next(it, ())]
            rows = []
            for i, rec in enumerate(it, start=2):
                vals = ["" if v is None else str(v).strip() for v in rec]
                if any(vals):
                    rows.append((i, dict(zip(header, vals, strict=False))))
        finally:
            wb.close()
        return header, rows
    raise InputError(path, f"unsupported sheet type {suffix!r}; expected .csv or .xlsx")


def import_sheet(path: str | Path, codebook: Codebook, coder: str) -> list[dict[str, Any]]:
    """Read a filled-in coding sheet and return validated records for ``CodingStore.append_many``.

    Blank cells mean "not coded" and give no record. Every non-blank cell is validated against
    the codebook; a bad cell raises InputError naming the file, the row and column and the bad
    code. Rows belonging to another coder (``coder`` column) are rejected.
    """
    path = Path(path)
    check_coder(coder)
    header, rows = _read_sheet_rows(path)
    for need in ("unit_id", "unit_type"):
        if need not in header:
            raise InputError(path, f"missing column {need!r}; found {', '.join(header)}")
    variables = [c for c in header if c in codebook.variables]
    if not variables:
        raise InputError(path, f"no column names a codebook variable ({', '.join(codebook.variables)}; "
                         f"codebook {codebook.path})")
    rel_var = _relation_variable(codebook, variables)
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    for rowno, row in rows:
        where = f"row {rowno}"
        uid = schema.take_id(row.get("unit_id", ""), seen, path, where)
        if row.get("coder") and row["coder"] != coder:
            raise InputError(path, f"row belongs to coder {row['coder']!r}, not {coder!r}", where)
        unit_type = row.get("unit_type", "")
        target = row.get(RELATION_COLUMN, "")
        for v in variables:
            cell = row.get(v, "")
            memo = row.get(MEMO_PREFIX + v, "")
            if not cell:
                if memo or (v == rel_var and target):
                    raise InputError(path, f"column {v!r} is empty but its memo or follows_up is filled", where)
                continue
            if codebook.variables[v].unit_type != unit_type:
                raise InputError(path, f"column {v!r} is filled but applies to {codebook.variables[v].unit_type} "
                                 f"units, not {unit_type!r}", where)
            codes = [c.strip() for c in cell.split(MULTI_SEP) if c.strip()]
            relation = {"type": "follows_up", "target": target} if (v == rel_var and target) else None
            try:
                rec = make_record(codebook, coder, uid, unit_type, v, codes, memo, relation,
                                  timestamp=dt.datetime(2000, 1, 1, tzinfo=dt.UTC), where=path,
                                  record=f"{where}, column {v!r}")
            except ValueError as exc:
                raise InputError(path, str(exc), f"{where}, column {v!r}") from exc
            rec["timestamp"] = None  # stamped when appended
            records.append(rec)
    log.info("%s: %d coding(s) for coder %s from %d row(s)", path, len(records), coder, len(rows))
    return records
