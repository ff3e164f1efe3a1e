"""Damaged and re-encoded variants of a Cboe download, generated at test time.

Each mutation takes the text of a valid Cboe download and returns the bytes of a
variant, as a user's tools produce them (a spreadsheet re-save, a locale, a typo, a
compressor). :data:`CASES` lists one per category of bad input, with the outcome the
reader owes: ``None`` when the variant must read to exactly the original snapshot,
otherwise fragments of the :class:`~gexlib.chain.ChainError` message (row and column
included). Nothing here is shipped data: the variants are made from whatever file the
test hands in (a shipped synthetic chain, or a real download from ``GEXLIB_CBOE_DIR``).
"""

from __future__ import annotations

import gzip
import io
import re
import zipfile

from gexlib.chain import CBOE_COLUMNS

# positions of the Cboe columns, calls left and puts right
STRIKE = CBOE_COLUMNS.index("Strike")
CALL = {name: CBOE_COLUMNS.index(name) for name in CBOE_COLUMNS[:STRIKE]}
PUT = {name: STRIKE + 1 + CBOE_COLUMNS[STRIKE + 1:].index(name) for name in CBOE_COLUMNS[STRIKE + 1:]}
SIDES = (CALL, PUT)


class Chain:
    """A Cboe download split into preamble lines, header line and data rows (cells)."""

    def __init__(self, text: str):
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        self.header = next(i for i, ln in enumerate(lines) if ln.startswith("Expiration Date"))
        self.pre = lines[:self.header + 1]
        if any('"' in ln for ln in lines[self.header + 1:]):
            # a quoted cell ("1,540", written by thousands_in_counts) would split into two: another mutation
            # applied to such rows would damage the wrong column (the property test skips that combination)
            raise ValueError("quoted cells in the data rows: the rows cannot be split on commas")
        self.rows = [ln.split(",") for ln in lines[self.header + 1:]]

    def line_of(self, index: int) -> int:
        """1-based line number of data row ``index``."""
        return self.header + 2 + index

    def text(self) -> str:
        return "\n".join(self.pre + [",".join(r) for r in self.rows]) + "\n"

    def near_money(self, spot: float, side=CALL, need=("IV",)) -> int:
        """Index of the row with a live-looking contract nearest spot (first such row)."""
        best, where = None, None
        for i, r in enumerate(self.rows):
            if r[side["Calls" if side is CALL else "Puts"]] and all(float(r[side[n]]) > 0 for n in need):
                d = abs(float(r[STRIKE].replace(",", "")) - spot)
                if best is None or d < best:
                    best, where = d, i
        return where

    def spot_text(self) -> str:
        """The spot as written, thousands separators removed."""
        line = next(ln for ln in self.pre if "Last:" in ln)
        return re.search(r"Last:\s*([0-9][0-9.,]*)", line).group(1).rstrip(",").replace(",", "")

    def spot(self) -> float:
        return float(self.spot_text())


def _chain(text):
    return Chain(text)


# ---------------------------------------------------------------------------
# mutations: text -> (bytes, expected); expected None = reads the same


def _out(c: Chain, expected):
    return c.text().encode(), expected


def iv_in_percent(text):
    c = _chain(text)
    for r in c.rows:
        for side in SIDES:
            r[side["IV"]] = f"{float(r[side['IV']]) * 100:.2f}"
    i = c.near_money(c.spot())
    return _out(c, ["IV looks written in percent", "column 'IV'", "divide the IV columns by 100"]
                ) if i is not None else _out(c, None)


def decimal_comma_in_iv(text):
    c = _chain(text)
    i = c.near_money(c.spot())
    c.rows[i][CALL["IV"]] = '"' + c.rows[i][CALL["IV"]].replace(".", ",") + '"'
    return _out(c, [f"row {c.line_of(i)}, column 'IV' (calls)", "decimal comma"])


def decimal_comma_in_price(text):
    c = _chain(text)
    i = c.near_money(c.spot(), PUT, need=("Bid",))
    c.rows[i][PUT["Bid"]] = '"' + c.rows[i][PUT["Bid"]].replace(".", ",") + '"'
    if "," not in c.rows[i][PUT["Bid"]]:
        c.rows[i][PUT["Bid"]] = c.rows[i][PUT["Bid"]][:-1] + ',5"'
    return _out(c, [f"row {c.line_of(i)}, column 'Bid' (puts)", "decimal comma"])


def thousands_in_counts(text):
    """Every count and strike of 1000 or more written "1,540" (quoted): the same chain."""
    c = _chain(text)
    for r in c.rows:
        for col in (CALL["Open Interest"], PUT["Open Interest"], CALL["Volume"], PUT["Volume"], STRIKE):
            v = r[col]
            if re.fullmatch(r"\d{4,}(\.\d*)?", v):
                whole, _, frac = v.partition(".")
                grouped = f"{int(whole):,}" + (f".{frac}" if _ else "")
                r[col] = f'"{grouped}"'
    return _out(c, None)


def dot_thousands_in_counts(text):
    """Open interest 1607 written 1.607 (a '.' thousands separator)."""
    c = _chain(text)
    i = next(i for i, r in enumerate(c.rows) if re.fullmatch(r"[1-9]\d{3,5}", r[PUT["Open Interest"]]))
    # "2.000" as well as "1.607": a count with a decimal point is refused, not read as 2
    v = c.rows[i][PUT["Open Interest"]]
    c.rows[i][PUT["Open Interest"]] = f"{v[:-3]}.{v[-3:]}"
    return _out(c, [f"row {c.line_of(i)}, column 'Open Interest' (puts)", "not a whole number"])


def _spot_line(c: Chain, new_spot_text: str) -> int:
    k = next(i for i, ln in enumerate(c.pre) if "Last:" in ln)
    c.pre[k] = re.sub(r'"Last:[^"]*"|Last:\s*[0-9]+(?:,[0-9]{3}(?![0-9]))*(?:\.[0-9]*)?', lambda m: new_spot_text, c.pre[k], count=1)
    return k + 1


def spot_unquoted_thousands(text):
    c = _chain(text)
    s = c.spot_text()
    whole, _, frac = s.partition(".")
    _spot_line(c, f"Last: {int(whole):,}" + (f".{frac}" if frac else ""))
    return _out(c, None)


def spot_quoted_thousands(text):
    c = _chain(text)
    s = c.spot_text()
    whole, _, frac = s.partition(".")
    _spot_line(c, f'"Last: {int(whole):,}' + (f".{frac}" if frac else "") + '"')
    return _out(c, None)


def spot_decimal_comma(text):
    c = _chain(text)
    s = c.spot_text()
    row = _spot_line(c, "Last: " + (s.replace(".", ",") if "." in s else s + ",5"))
    return _out(c, [f"row {row}, column 'Last'", "split in two cells"])


def spot_times_100(text):
    c = _chain(text)
    row = _spot_line(c, f"Last: {c.spot() * 100:.4f}")
    return _out(c, [f"row {row}, column 'Last'", "spot"])


def spot_divided_by_10(text):
    c = _chain(text)
    row = _spot_line(c, f"Last: {c.spot() / 10:.4f}")
    return _out(c, [f"row {row}, column 'Last'", "at-the-money strike"])


def _absurd_oi(value):
    def mutate(text):
        c = _chain(text)
        i = c.near_money(c.spot())
        c.rows[i][CALL["Open Interest"]] = value
        detail = "is not a number" if value in ("inf", "nan") else "more than any option series"
        return _out(c, [f"row {c.line_of(i)}, column 'Open Interest' (calls)", detail])
    mutate.__name__ = f"open_interest_{value}"
    return mutate


def _all_zero(name, column):
    def mutate(text):
        c = _chain(text)
        for r in c.rows:
            for side in SIDES:
                r[side[name]] = "0"
        return _out(c, [f"column '{column}'", "no exposure"])
    mutate.__name__ = f"all_{column.replace(' ', '_').lower()}_zero"
    return mutate


def _date(pattern, repl, detail):
    def mutate(text):
        c = _chain(text)
        k = next(i for i, ln in enumerate(c.pre) if "Date:" in ln)
        new = re.sub(pattern, repl, c.pre[k])
        assert new != c.pre[k], c.pre[k]
        c.pre[k] = new
        return _out(c, [f"row {k + 1}, column 'Date'", detail])
    mutate.__name__ = "date_" + detail.replace(" ", "_").lower()
    return mutate


date_without_am_pm = _date(r"\s(AM|PM)\s", " ", "no AM or PM")


def est_in_summer(text):
    c = _chain(text)
    k = next(i for i, ln in enumerate(c.pre) if "Date:" in ln)
    zone = "EDT" if "EST" in c.pre[k] else "EST"
    c.pre[k] = re.sub(r"\bE[DS]T\b", zone, c.pre[k])
    return _out(c, [f"row {k + 1}, column 'Date'", f"{zone} at that moment"])


def _symbol_root(symbol, root):
    return re.sub(r"^[A-Z]+", root, symbol) if symbol else symbol


def other_underlying_rows(text):
    """The rows of one expiry re-rooted to another underlying (SPY rows in an SPX file)."""
    c = _chain(text)
    first_root = re.match(r"[A-Z]+", next(r[CALL["Calls"]] for r in c.rows if r[CALL["Calls"]])).group(0)
    other = "QQQ" if first_root.startswith("SPY") else "SPY"
    last_date = c.rows[-1][0]
    i = next(i for i, r in enumerate(c.rows) if r[0] == last_date and (r[CALL["Calls"]] or r[PUT["Puts"]]))
    for r in c.rows[i:]:
        r[CALL["Calls"]] = _symbol_root(r[CALL["Calls"]], other)
        r[PUT["Puts"]] = _symbol_root(r[PUT["Puts"]], other)
    column = "'Calls'" if c.rows[i][CALL["Calls"]] else "'Puts'"
    return _out(c, [f"row {c.line_of(i)}, column {column}", f"root '{other}' is not of the file's underlying"])


def other_underlying_file(text):
    """Every row re-rooted to another underlying, under the original name line."""
    c = _chain(text)
    name = next(ln for ln in c.pre if "Last:" in ln)
    other = "QQQ" if name.startswith("SPDR") else "SPY"
    for r in c.rows:
        r[CALL["Calls"]] = _symbol_root(r[CALL["Calls"]], other)
        r[PUT["Puts"]] = _symbol_root(r[PUT["Puts"]], other)
    row = c.pre.index(name) + 1
    return _out(c, [f"row {row}, column 1 (name)", f"but its contracts are {other}"])


def utf16_with_bom(text):
    return text.encode("utf-16"), None


def utf8_bom_crlf(text):
    return ("\ufeff" + text.replace("\n", "\r\n")).encode(), None


def utf16_without_bom(text):
    return text.encode("utf-16-le"), ["NUL bytes"]


def cp1252(text):
    c = _chain(text)
    k = next(i for i, ln in enumerate(c.pre) if "Last:" in ln)
    c.pre[k] = c.pre[k].replace("Poors", "Poor\u2019s").replace("SPDR", "SPDR\u00ae")
    return c.text().encode("cp1252"), [f"row {k + 1}, column", "is not UTF-8"]


def gzipped(text):
    return gzip.compress(text.encode(), mtime=0), ["gzip-compressed"]


def zipped(text):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("quotedata.csv", text)
    return buf.getvalue(), ["zip archive"]


def binary(text):
    return bytes(range(256)) * 8, ["NUL bytes"]


def comment_first_line(text):
    """A '#' line on top (a note the user added): still a Cboe download, read the same."""
    return ("# saved from cboe.com\n" + text).encode(), None


def unbalanced_quote(text):
    c = _chain(text)
    i = len(c.rows) // 2
    c.rows[i][STRIKE] = '"' + c.rows[i][STRIKE]
    return _out(c, [f"row {c.line_of(i)}, column {STRIKE + 1} ('Strike')", "unbalanced quote"])


def oversized_field(text):
    c = _chain(text)
    i = len(c.rows) // 3
    c.rows[i][CALL["Last Sale"]] = "9" * 200_000
    return _out(c, [f"row {c.line_of(i)}, column {CALL['Last Sale'] + 1} ('Last Sale')",
                    "field larger than field limit"])


def _separated(sep, name):
    def mutate(text):
        c = _chain(text)
        out = "\n".join(ln.replace(",", sep) for ln in c.text().split("\n"))
        return out.encode(), [f"row {c.header + 1}, column 'Expiration Date'", f"separated by {name}"]
    mutate.__name__ = f"{name}_separated"
    return mutate


def trailing_commas_no_blank_line(text):
    """A spreadsheet re-save: no leading blank line, trailing commas on short lines."""
    c = _chain(text)
    while c.pre and not c.pre[0].strip():
        c.pre.pop(0)
        c.header -= 1
    c.pre = [ln + "," * max(0, 21 - ln.count(",")) for ln in c.pre]
    return _out(c, None)


#: (category, mutation) pairs; every category of bad input, and the harmless re-saves.
CASES = [
    ("IV in percent", iv_in_percent),
    ("decimal comma", decimal_comma_in_iv),
    ("decimal comma", decimal_comma_in_price),
    ("thousands separators", thousands_in_counts),
    ("thousands separators", dot_thousands_in_counts),
    ("spot line", spot_unquoted_thousands),
    ("spot line", spot_quoted_thousands),
    ("spot line", spot_decimal_comma),
    ("spot line", spot_times_100),
    ("spot line", spot_divided_by_10),
    ("absurd open interest", _absurd_oi("1e12")),
    ("absurd open interest", _absurd_oi("1e308")),
    ("absurd open interest", _absurd_oi("inf")),
    ("no contributing contract", _all_zero("Open Interest", "Open Interest")),
    ("no contributing contract", _all_zero("IV", "IV")),
    ("date line", date_without_am_pm),
    ("date line", est_in_summer),
    ("another underlying", other_underlying_rows),
    ("another underlying", other_underlying_file),
    ("encoding", utf16_with_bom),
    ("encoding", utf8_bom_crlf),
    ("encoding", utf16_without_bom),
    ("encoding", cp1252),
    ("encoding", gzipped),
    ("encoding", zipped),
    ("encoding", binary),
    ("encoding", comment_first_line),
    ("csv structure", unbalanced_quote),
    ("csv structure", oversized_field),
    ("separator", _separated(";", "semicolons")),
    ("separator", _separated("\t", "tabs")),
    ("re-save", trailing_commas_no_blank_line),
]

#: Mutations that keep the text a text (composable before an encoding one).
TEXT_CASES = [m for _, m in CASES if m not in (utf16_with_bom, utf8_bom_crlf, utf16_without_bom, cp1252, gzipped,
                                                zipped, binary, oversized_field)]
#: Mutations applied last, to the bytes of a composed variant.
ENCODINGS = [utf16_with_bom, utf8_bom_crlf, utf16_without_bom, gzipped, zipped]
