"""Tests for tools/data_from_sources.py (standard library only, offline, a few seconds).

    python3 -m unittest tools/test_data_from_sources.py        # from the repository root

The main test converts the frozen copies of the public sources in data/ (SCP's ODS, the
raw CBS 83553NED download) and requires the result to equal data/jeugdhulp_wijk_2017.csv
and data/gemeente_jeugdzorgregio_2017.csv byte for byte. The data folder is
$JEUGDHULP_DATA, default data/ in the repository.
"""

import csv
import io
import os
import sys
import tempfile
import unittest
import zipfile
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import data_from_sources as dfs  # noqa: E402

DATA = os.environ.get("JEUGDHULP_DATA") or os.path.join(ROOT, "data")
ODS = os.path.join(DATA, "scp", "Wijkdata_Jeugdhulp_in_de_wijk.ods")
CBS_DIR = os.path.join(DATA, "cbs", "83553NED_gebieden_2017")
WIJK_CSV = os.path.join(DATA, "jeugdhulp_wijk_2017.csv")
GEM_CSV = os.path.join(DATA, "gemeente_jeugdzorgregio_2017.csv")


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def require_data():
    missing = [p for p in (ODS, CBS_DIR, WIJK_CSV, GEM_CSV) if not os.path.exists(p)]
    if missing:
        raise AssertionError(f"data missing (set JEUGDHULP_DATA): {', '.join(missing)}")


def make_ods(path, content_xml):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                   compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content_xml)


ODS_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>'
            '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
            '<office:body><office:spreadsheet>')
ODS_TAIL = '</office:spreadsheet></office:body></office:document-content>'


def s_cell(text, repeat=1):
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{rep}><text:p>{text}</text:p></table:table-cell>'


def f_cell(value, shown=None, repeat=1):
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return (f'<table:table-cell office:value-type="float" office:value="{value}"{rep}>'
            f'<text:p>{shown if shown is not None else value}</text:p></table:table-cell>')


def empty(repeat=1):
    return f'<table:table-cell table:number-columns-repeated="{repeat}"/>'


def row(*cells, repeat=1):
    rep = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-row{rep}>{"".join(cells)}</table:table-row>'


def sheet(name, *rows):
    return f'<table:table table:name="{name}">{"".join(rows)}</table:table>'


class ConvertSharedCopies(unittest.TestCase):
    """The converter reproduces data/'s CSV files from the frozen sources."""

    @classmethod
    def setUpClass(cls):
        require_data()
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = os.path.join(cls.tmp.name, "out")
        cls.counts = dfs.convert(ODS, CBS_DIR, cls.out)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_counts(self):
        self.assertEqual(self.counts, (2918, 388))

    def test_wijk_file_byte_for_byte(self):
        got = read_bytes(os.path.join(self.out, "jeugdhulp_wijk_2017.csv"))
        want = read_bytes(WIJK_CSV)
        if got != want:  # say where, not just "differs"
            g, w = got.decode().splitlines(), want.decode().splitlines()
            for i, (a, b) in enumerate(zip(g, w), start=1):
                self.assertEqual(a, b, f"jeugdhulp_wijk_2017.csv line {i}")
            self.assertEqual(len(g), len(w), "number of lines")
        self.assertEqual(got, want)

    def test_gemeente_file_byte_for_byte(self):
        self.assertEqual(read_bytes(os.path.join(self.out, "gemeente_jeugdzorgregio_2017.csv")),
                         read_bytes(GEM_CSV))

    def test_missing_values_stay_empty(self):
        with open(os.path.join(self.out, "jeugdhulp_wijk_2017.csv"), encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(sum(r["perc_jhzv"] == "" for r in rows), 286)
        self.assertEqual(sum(r["perc_hhverd"] == "" for r in rows), 1042)
        self.assertTrue(all(r["perc_przv"] for r in rows))
        self.assertFalse(any("." == v for r in rows for v in r.values()))


class ReadOds(unittest.TestCase):
    def test_repeats_padding_values_and_text(self):
        xml = ODS_HEAD + sheet(
            "s",
            row(s_cell("a"), s_cell("b"), s_cell("c"), s_cell("d"), empty(16380)),
            # display text is rounded; the value is office:value
            row(f_cell("12.489000000000001", "12"), s_cell("."), f_cell("7", repeat=2), empty(16380)),
            row(empty(16384), repeat=2),                         # blank rows inside the sheet
            row(empty(2), s_cell("x", repeat=2), empty(16380)),  # repeated value after blanks
            row(f_cell("1", repeat=2), empty(3), repeat=2),      # repeated row with values
            '<table:table-row><table:table-cell office:value-type="string">'
            '<text:p>two<text:s text:c="2"/>spaces</text:p><text:p>line <text:span>2</text:span></text:p>'
            '<office:annotation><text:p>comment</text:p></office:annotation>'
            '</table:table-cell></table:table-row>',
            row(empty(16384), repeat=1048500),                   # padding: dropped
        ) + sheet("leeg", row(empty(16384), repeat=1048576)) + ODS_TAIL
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "t.ods")
            make_ods(p, xml)
            sheets = dfs.read_ods(p)
        self.assertEqual(list(sheets), ["s", "leeg"])
        self.assertEqual(sheets["leeg"], [])
        self.assertEqual(sheets["s"], [
            ["a", "b", "c", "d"],
            ["12.489000000000001", ".", "7", "7"],
            [], [],
            [None, None, "x", "x"],
            ["1", "1"], ["1", "1"],
            ["two  spaces\nline 2"],
        ])

    def test_not_an_ods(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "t.ods")
            with open(p, "w") as f:
                f.write("no zip")
            with self.assertRaisesRegex(dfs.SourceError, "not a readable ODS"):
                dfs.read_ods(p)


class Numbers(unittest.TestCase):
    def test_format(self):
        cases = {
            "12.489000000000001": "12.489",
            "0.70000000000000007": "0.7",         # SCP's 17th digit is off: repr gives 0.7000000000000001
            "-8.4000000000000005E-2": "-0.084",
            "25353": "25353", "0": "0", "-0": "0", "1": "1",
            "1e-05": "0.00001", ".": "", "": "", " . ": "",
        }
        for text, want in cases.items():
            self.assertEqual(dfs.fmt_number(text, "t"), want, text)
        self.assertEqual(dfs.fmt_number(None, "t"), "")
        with self.assertRaisesRegex(dfs.SourceError, "sheet x.*'abc'"):
            dfs.fmt_number("abc", "sheet x")

    def test_codes(self):
        self.assertEqual(dfs.int_code("300", "WK", 6, "t"), "WK000300")
        self.assertEqual(dfs.int_code("3", "GM", 4, "t"), "GM0003")
        with self.assertRaises(dfs.SourceError):
            dfs.int_code("3.5", "GM", 4, "t")


def small_sources(d, gemeente_in_cbs=True, extra_gebruik=False):
    """A two-wijk ODS and a one-gemeente CBS table."""
    dets = "".join(s_cell(c) for c in dfs.DETERMINANTS)
    gebruik_rows = [row(f_cell("300"), f_cell("12.489000000000001"), f_cell("14.375999999999999"),
                        f_cell("-1.887")),
                    row(f_cell("301"), s_cell("."), f_cell("10"), s_cell("."))]
    if extra_gebruik:
        gebruik_rows.append(row(f_cell("399"), f_cell("1"), f_cell("1"), f_cell("0")))
    xml = ODS_HEAD + sheet(
        "wijk", row(s_cell("wijk"), s_cell("wijknaam"), s_cell("gemeentecode"), s_cell("gemnaam_2017")),
        row(f_cell("300"), s_cell("Wijk 00"), f_cell("3"), s_cell("Appingedam")),
        row(f_cell("301"), s_cell("Appel, Peer"), f_cell("3"), s_cell("Appingedam")),
    ) + sheet(
        "gebruik", row(s_cell("wijk"), s_cell("perc_jhzv"), s_cell("perc_przv"), s_cell("residu")),
        *gebruik_rows,
    ) + sheet(
        "determinanten", row(s_cell("wijk"), dets),
        row(f_cell("300"), f_cell("0.70000000000000007", repeat=len(dfs.DETERMINANTS))),
        row(f_cell("301"), s_cell(".", repeat=len(dfs.DETERMINANTS))),
    ) + ODS_TAIL
    ods = os.path.join(d, "s.ods")
    make_ods(ods, xml)
    cbs = os.path.join(d, "cbs")
    os.makedirs(cbs)
    rec = {"Code_1": "GM0003    " if gemeente_in_cbs else "GM0005    ", "Naam_2": "Appingedam   ",
           "Code_16": "JZ01      ", "Naam_17": "Groningen   ", "Code_32": "PV20  ", "Naam_33": "Groningen  ",
           "Inwonertal_48": "11971", "Code_46": "3         "}
    with open(os.path.join(cbs, "data.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rec), quoting=csv.QUOTE_ALL)
        w.writeheader()
        w.writerow(rec)
    return ods, cbs


class ConvertSmall(unittest.TestCase):
    def test_rows_quoting_and_missing(self):
        with tempfile.TemporaryDirectory() as d:
            ods, cbs = small_sources(d)
            self.assertEqual(dfs.convert(ods, cbs, os.path.join(d, "out")), (2, 1))
            text = read_bytes(os.path.join(d, "out", "jeugdhulp_wijk_2017.csv")).decode()
        lines = text.split("\r\n")
        self.assertEqual(lines[0], ",".join(dfs.WIJK_COLUMNS))
        self.assertEqual(lines[1], "WK000300,Wijk 00,Wijk 00,GM0003,Appingedam,JZ01,Groningen,11971,"
                         "12.489,14.376,-1.887," + ",".join(["0.7"] * 27))
        self.assertEqual(lines[2], 'WK000301,"Appel, Peer","Appel, Peer",GM0003,Appingedam,JZ01,Groningen,'
                         "11971,,10," + "," * 27)  # residu + 27 determinants empty
        self.assertEqual(lines[3], "")

    def test_gemeente_missing_from_cbs(self):
        with tempfile.TemporaryDirectory() as d:
            ods, cbs = small_sources(d, gemeente_in_cbs=False)
            with self.assertRaisesRegex(dfs.SourceError, "gemeente GM0003 not in CBS 83553NED"):
                dfs.convert(ods, cbs, os.path.join(d, "out"))

    def test_wijk_only_in_gebruik(self):
        with tempfile.TemporaryDirectory() as d:
            ods, cbs = small_sources(d, extra_gebruik=True)
            with self.assertRaisesRegex(dfs.SourceError, "sheet gebruik has wijken not in sheet wijk: WK000399"):
                dfs.convert(ods, cbs, os.path.join(d, "out"))

    def test_cli_usage_errors(self):
        with mock.patch("sys.stderr", io.StringIO()):
            with self.assertRaises(SystemExit):
                dfs.main(["--ods", "x"])


if __name__ == "__main__":
    unittest.main()
