#!/usr/bin/env python3
"""Convert SCP's per-wijk ODS and CBS table 83553NED into the project's two CSV files
(Python 3 standard library only).

    python3 tools/data_from_sources.py --ods FILE --cbs-dir DIR --out DIR

It writes `jeugdhulp_wijk_2017.csv` and `gemeente_jeugdzorgregio_2017.csv` with exactly the
columns, order and number formatting of the frozen copies in `data/` (see data/README.md).
The sources themselves are frozen in `data/` too (`scp/Wijkdata_Jeugdhulp_in_de_wijk.ods`,
`cbs/83553NED_gebieden_2017/data.csv`), so this script documents and checks how the CSV
files were made: its test converts them again and requires the CSV files byte for byte.

Sources and credits:

- Bron: SCP, Jeugdhulp in de wijk (2020), SCP-publicatie 2020-1: the per-wijk data file
  "Wijkdata_Jeugdhulp_in_de_wijk.ods" that SCP published with the study.
- Bron: CBS. StatLine 83553NED "Gebieden in Nederland 2017" (gemeente -> jeugdzorgregio,
  provincie, inwonertal, stedelijkheid), licence CC BY 4.0.
"""

import argparse
import csv
import decimal
import io
import os
import sys
import xml.etree.ElementTree as ET
import zipfile

# --- output columns (data/README.md) --------------------------------------

DETERMINANTS = [
    "perc_sbo_g", "perc_vso_g", "perc_praktijk_g", "perc_hhmk", "perc_jong04", "perc_1ouder",
    "perc_tienmam", "perc_hhmkhgink", "perc_kind_sch5", "perc_ouderpsy", "perc_hhverd",
    "perc_hhbijs", "perc_hhwan", "groenedruk", "grijzedruk", "perc_ao", "perc_laagopl",
    "gem_gestink", "polchrplus", "perc_nwmig", "perc_antsur", "perc_1gez", "huur_corp",
    "woonwaarde", "afstandhuisarts", "samenw", "kleinewijk",
]
USE = ["perc_jhzv", "perc_przv", "residu"]
WIJK_COLUMNS = [
    "wijkcode", "wijknaam_scp", "wijknaam_cbs2017", "gemeentecode", "gemeentenaam",
    "jeugdzorgregiocode", "jeugdzorgregionaam", "gemeente_inwonertal_2017",
] + USE + DETERMINANTS
GEMEENTE_COLUMNS = [
    "gemeentecode", "gemeentenaam", "jeugdzorgregiocode", "jeugdzorgregionaam",
    "provinciecode", "provincienaam", "inwonertal_2017", "stedelijkheid_code",
]
# 83553NED topic keys (DataProperties): Code_1/Naam_2 gemeente, Code_16/Naam_17
# jeugdzorgregio, Code_32/Naam_33 provincie, Code_46 stedelijkheid, Inwonertal_48.
CBS_KEYS = {
    "gemeentecode": "Code_1", "gemeentenaam": "Naam_2",
    "jeugdzorgregiocode": "Code_16", "jeugdzorgregionaam": "Naam_17",
    "provinciecode": "Code_32", "provincienaam": "Naam_33",
    "inwonertal_2017": "Inwonertal_48", "stedelijkheid_code": "Code_46",
}

MISSING = "."  # SCP's marker for a missing value in its sheets


class SourceError(Exception):
    """A source file is not what the converter expects; the message says where."""


# --- ODS ------------------------------------------------------------------------------

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}
T = "{%s}" % NS["table"]
O = "{%s}" % NS["office"]
X = "{%s}" % NS["text"]


def _cell_text(cell):
    """The text of a cell: paragraphs joined by newlines, <text:s/> expanded, spans
    and links flattened."""
    def walk(el):
        out = [el.text or ""]
        for child in el:
            if child.tag == X + "s":
                out.append(" " * int(child.get(X + "c", "1")))
            elif child.tag == X + "tab":
                out.append("\t")
            elif child.tag == X + "line-break":
                out.append("\n")
            else:
                out.append(walk(child))
            out.append(child.tail or "")
        return "".join(out)
    # Direct children only: a comment (office:annotation) has text:p of its own.
    return "\n".join(walk(p) for p in cell.findall(X + "p"))


def _cell_value(cell):
    """A cell as a string: office:value for numbers (the full value, not the rounded
    display text), the text otherwise; None when empty."""
    vtype = cell.get(O + "value-type")
    if vtype in ("float", "percentage", "currency"):
        return cell.get(O + "value")
    if vtype == "boolean":
        return cell.get(O + "boolean-value")
    if vtype == "date":
        return cell.get(O + "date-value")
    if vtype == "time":
        return cell.get(O + "time-value")
    text = _cell_text(cell)
    return text if (vtype or text) else None


def read_ods(path):
    """{sheet name: rows}, each row a list of cell strings (None = empty). Repeated
    cells and rows are expanded, trailing empty cells and rows dropped (an ODS pads
    each sheet to 16384 columns and 1048576 rows with repeat counts)."""
    try:
        with zipfile.ZipFile(path) as z:
            content = z.read("content.xml")
    except (OSError, zipfile.BadZipFile, KeyError) as e:
        raise SourceError(f"{path}: not a readable ODS file ({e})")
    sheets = {}
    rows = None
    for event, el in ET.iterparse(io.BytesIO(content), events=("start", "end")):
        if event == "start" and el.tag == T + "table":
            rows = []
            sheets[el.get(T + "name")] = rows
        elif event == "end" and el.tag == T + "table-row":
            row, pending_empty = [], 0
            for cell in el:
                if cell.tag not in (T + "table-cell", T + "covered-table-cell"):
                    continue
                value = _cell_value(cell)
                n = int(cell.get(T + "number-columns-repeated", "1"))
                if value is None:
                    pending_empty += n  # materialised only if a value follows
                else:
                    row.extend([None] * pending_empty)
                    pending_empty = 0
                    row.extend([value] * n)
            repeat = int(el.get(T + "number-rows-repeated", "1"))
            if row:
                rows.extend([row] * repeat)
            else:
                rows.append(("blank", repeat))  # expanded only if a row with values follows
            el.clear()
        elif event == "end" and el.tag == T + "table":
            # Expand blank runs inside the sheet, drop them at its end.
            while rows and isinstance(rows[-1], tuple):
                rows.pop()
            expanded = []
            for r in rows:
                if isinstance(r, tuple):
                    expanded.extend([[] for _ in range(r[1])])
                else:
                    expanded.append(r)
            rows[:] = expanded
            el.clear()
    return sheets


def sheet_records(sheets, name, path):
    """The rows of a sheet as dicts keyed by its header row."""
    if name not in sheets:
        raise SourceError(f"{path}: sheet '{name}' missing (sheets: {', '.join(sheets)})")
    rows = sheets[name]
    if not rows:
        raise SourceError(f"{path}: sheet '{name}' is empty")
    header = [h.strip() if h else "" for h in rows[0]]
    out = []
    for i, row in enumerate(rows[1:], start=2):
        if not any(v not in (None, "") for v in row):
            continue
        row = list(row) + [None] * (len(header) - len(row))
        out.append((i, dict(zip(header, row))))
    return header, out


# --- numbers --------------------------------------------------------------------------

def fmt_number(text, where):
    """SCP's stored value as the decimal SCP published: 15 significant digits, trailing
    zeros dropped, no exponent ('.' or empty -> '').

    The ODS holds each number as office:value with 17 significant digits, written by a
    tool that sometimes gets the last digit wrong: 0.7 is stored as 0.70000000000000007,
    which is not the double nearest to 0.7 (that prints as 0.69999999999999996), so
    Python's shortest round-trip repr would give 0.7000000000000001. Fifteen digits
    (DBL_DIG, the most a double carries faithfully) recover the intended decimal:
    0.7, 24.275, -0.084, 25353. The data has at most 3 decimals."""
    if text is None:
        return ""
    t = text.strip()
    if t in ("", MISSING):
        return ""
    try:
        x = float(t)
    except ValueError:
        raise SourceError(f"{where}: value {text!r} is not a number")
    if x != x or x in (float("inf"), float("-inf")):
        raise SourceError(f"{where}: value {text!r} is not a finite number")
    s = "%.15g" % x
    if "e" in s:  # |x| < 1e-4 or >= 1e15: never in this data, but write plain decimals
        s = format(decimal.Decimal(s), "f")
        if "." in s:
            s = s.rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def int_code(text, prefix, width, where):
    """SCP stores codes as numbers (300, 3); CBS writes WK000300, GM0003."""
    try:
        x = float(text)
    except (TypeError, ValueError):
        raise SourceError(f"{where}: code {text!r} is not a number")
    if x != int(x) or x < 0 or x >= 10 ** width:
        raise SourceError(f"{where}: code {text!r} is not a {width}-digit code")
    return f"{prefix}{int(x):0{width}d}"


# --- CBS 83553NED ---------------------------------------------------------------------

def read_cbs(cbs_dir):
    """Rows of 83553NED TypedDataSet from `data.csv`, the raw table download."""
    where = os.path.join(cbs_dir, "data.csv")
    if not os.path.exists(where):
        raise SourceError(f"{cbs_dir}: data.csv not found")
    with open(where, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    out = {}
    for i, r in enumerate(rows, start=1):
        rec = {}
        for col, key in CBS_KEYS.items():
            if key not in r:
                raise SourceError(f"{where}: column {key} missing")
            v = r[key]
            rec[col] = "" if v is None else str(v).strip()
        inw = rec["inwonertal_2017"]
        if inw:
            try:
                rec["inwonertal_2017"] = str(int(float(inw)))
            except ValueError:
                raise SourceError(f"{where}: row {i}, Inwonertal_48 {inw!r} is not a number")
        code = rec["gemeentecode"]
        if not code.startswith("GM"):
            continue
        if code in out:
            raise SourceError(f"{where}: gemeente {code} twice")
        out[code] = rec
    if not out:
        raise SourceError(f"{where}: no gemeenten")
    return out


# --- conversion -----------------------------------------------------------------------

def convert(ods_path, cbs_dir, out_dir):
    """Write jeugdhulp_wijk_2017.csv and gemeente_jeugdzorgregio_2017.csv into out_dir.
    Returns (number of wijken, number of gemeenten)."""
    sheets = read_ods(ods_path)
    _, wijk = sheet_records(sheets, "wijk", ods_path)
    use_header, gebruik = sheet_records(sheets, "gebruik", ods_path)
    det_header, determinanten = sheet_records(sheets, "determinanten", ods_path)
    for name, header, cols in (("gebruik", use_header, USE), ("determinanten", det_header, DETERMINANTS)):
        missing = [c for c in cols if c not in header]
        if missing:
            raise SourceError(f"{ods_path}: sheet '{name}' lacks column(s) {', '.join(missing)}")
    gemeenten = read_cbs(cbs_dir)

    def by_wijk(records, sheet):
        out = {}
        for line, r in records:
            code = int_code(r.get("wijk"), "WK", 6, f"{ods_path}, sheet {sheet}, row {line}, column wijk")
            if code in out:
                raise SourceError(f"{ods_path}, sheet {sheet}, row {line}: wijk {code} twice")
            out[code] = (line, r)
        return out

    use_by = by_wijk(gebruik, "gebruik")
    det_by = by_wijk(determinanten, "determinanten")
    errors = []
    rows = []
    seen = set()
    for line, w in wijk:
        where = f"{ods_path}, sheet wijk, row {line}"
        code = int_code(w.get("wijk"), "WK", 6, where + ", column wijk")
        gm = int_code(w.get("gemeentecode"), "GM", 4, where + ", column gemeentecode")
        if code in seen:
            errors.append(f"{where}: wijk {code} twice")
            continue
        seen.add(code)
        if code[2:6] != gm[2:]:
            errors.append(f"{where}: wijk {code} not in gemeente {gm}")
        cbs = gemeenten.get(gm)
        if cbs is None:
            errors.append(f"{where}: gemeente {gm} not in CBS 83553NED")
            continue
        if code not in use_by or code not in det_by:
            errors.append(f"{where}: wijk {code} missing from sheet "
                          + ("gebruik" if code not in use_by else "determinanten"))
            continue
        name = (w.get("wijknaam") or "").strip()
        row = [code, name, name, gm, (w.get("gemnaam_2017") or "").strip(),
               cbs["jeugdzorgregiocode"], cbs["jeugdzorgregionaam"], cbs["inwonertal_2017"]]
        for sheet, (uline, rec), cols in (("gebruik", use_by[code], USE),
                                          ("determinanten", det_by[code], DETERMINANTS)):
            for c in cols:
                try:
                    row.append(fmt_number(rec.get(c), f"{ods_path}, sheet {sheet}, row {uline}, column {c}"))
                except SourceError as e:
                    errors.append(str(e))
                    row.append("")
        rows.append(row)
    for sheet, by in (("gebruik", use_by), ("determinanten", det_by)):
        extra = sorted(set(by) - seen)
        if extra:
            errors.append(f"{ods_path}: sheet {sheet} has wijken not in sheet wijk: {', '.join(extra[:5])}"
                          + (" …" if len(extra) > 5 else ""))
    if errors:
        raise SourceError("\n".join(errors))

    os.makedirs(out_dir, exist_ok=True)
    # csv module defaults: QUOTE_MINIMAL, CRLF line ends, as data/.
    with open(os.path.join(out_dir, "jeugdhulp_wijk_2017.csv"), "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(WIJK_COLUMNS)
        wr.writerows(rows)
    with open(os.path.join(out_dir, "gemeente_jeugdzorgregio_2017.csv"), "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(GEMEENTE_COLUMNS)
        for code in sorted(gemeenten):
            wr.writerow([gemeenten[code][c] for c in GEMEENTE_COLUMNS])
    return len(rows), len(gemeenten)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ods", required=True, help="SCP's Wijkdata_Jeugdhulp_in_de_wijk.ods")
    p.add_argument("--cbs-dir", required=True, help="folder with CBS 83553NED data.csv")
    p.add_argument("--out", required=True, help="output folder")
    a = p.parse_args(argv)
    ods, cbs_dir, out = a.ods, a.cbs_dir, a.out
    try:
        n_wijk, n_gem = convert(ods, cbs_dir, out)
    except SourceError as e:
        print(f"data_from_sources: {e}", file=sys.stderr)
        return 1
    print(f"data_from_sources: {n_wijk} wijken, {n_gem} gemeenten -> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
