"""Read an uploaded table of points (CSV, TSV or whitespace-separated text) and explain every problem in it."""

from __future__ import annotations

import codecs
import csv
import io
import operator
from collections import Counter
from dataclasses import dataclass, field, replace
from itertools import islice

import numpy as np

from .errors import DataError
from .validation import read_only

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_LINE_CHARS",
    "MIN_ROWS",
    "NonNumericColumn",
    "Table",
    "inspect_table",
    "read_points",
]

#: Files larger than this are refused unless the caller raises ``max_bytes``.
DEFAULT_MAX_BYTES = 50 * 2**20
#: A table of points has short lines; a longer line means a wrong file (or one with no line breaks).
MAX_LINE_CHARS = 2**20
#: One point is too few to fit anything, so a table needs at least this many data rows.
MIN_ROWS = 2

# Candidate separators, most specific first: when several split every line into the same number (> 1) of fields,
# the first wins. Tab and semicolon come before comma so that "1,5;2,5" is two numbers with decimal commas, and
# " " (runs of spaces and tabs) comes last because it also splits "1, 2" and most text.
_DELIMITERS = ("\t", ";", ",", " ")
_DELIMITER_NAMES = {"\t": "tabs", ";": "semicolons", ",": "commas", " ": "spaces"}
_SNIFF_LINES = 100  # lines looked at to choose the separator; the whole file is then checked against it
_MAX_LISTED = 5  # lines or cells named in one message before "and N more"
_MAX_SHOWN_CHARS = 40  # longer cell values are shortened in messages
# Binary files nearly always contain NUL bytes; this catches the rest. Text has almost no control characters.
_MAX_CONTROL_FRACTION = 0.05
_NON_CONTROL_BYTES = bytes(range(32, 127)) + b"\t\n\r" + bytes(range(128, 256))


@dataclass(frozen=True)
class NonNumericColumn:
    """A column whose values are mostly not numbers, such as a text label.

    Attributes
    ----------
    name : str
        The column's name.
    example : str
        Its first value that is not a number.
    line : int
        The line of the file (1-based) that value is on.
    """

    name: str
    example: str
    line: int


@dataclass(frozen=True, eq=False)
class Table:
    """A parsed table: every column as read, which ones are numeric, and how the file was read.

    Build it with :func:`inspect_table`. It keeps every row and every column (numeric or not), so that the caller
    can show what the file holds and choose the columns to use. The methods that remove rows
    (:meth:`without_bad_rows`, :meth:`subsample`) return a new ``Table`` with a note added, so that the points and
    the labels (:meth:`label_column`) taken from that table stay aligned row for row.

    Attributes
    ----------
    column_names : tuple of str
        Names of all columns, in file order: from the header row, or "x1", "x2", ... when there is none.
        Blank header cells are named "column 3" (by position) and repeated names "x (2)", "x (3)", ...
    numeric_columns : tuple of str
        Names of the columns whose values are mostly numbers. They may still hold a few bad cells (blank, NaN,
        infinite or text); :meth:`points` reports or drops those.
    non_numeric_columns : tuple of NonNumericColumn
        The columns whose values are mostly not numbers, each with an example value and its line.
    n_rows : int
        Number of data rows (the header and blank lines are not counted).
    delimiter : str or None
        The separator: ",", ";", "\\t", or " " for runs of spaces and tabs; None when every line is one value.
    has_header : bool
        Whether the first row holds column names.
    decimal_comma : bool
        Whether numbers were read with a decimal comma ("3,14"). Only ever true when the separator is not a
        comma, since with a comma separator "3,14" is two fields.
    notes : tuple of str
        What was done to read the file, for the user: "UTF-8 byte-order mark removed", "decimal commas read as
        decimal points", rows dropped or sampled, ...
    """

    column_names: tuple[str, ...]
    numeric_columns: tuple[str, ...]
    non_numeric_columns: tuple[NonNumericColumn, ...]
    n_rows: int
    delimiter: str | None
    has_header: bool
    decimal_comma: bool
    notes: tuple[str, ...]
    # The file's text, from which any cell is read again when asked for (a label column, a bad cell for a
    # message): no Python object is kept per cell. The field of the file each column is; each row's row in the
    # file (None: every data row, in order). The values of the numeric columns (NaN where a cell is not a number)
    # and the file line of every row, for messages.
    _source: _Rows = field(repr=False)
    _fields: tuple[int, ...] = field(repr=False)
    _rows: np.ndarray | None = field(repr=False)
    _values: dict[str, np.ndarray] = field(repr=False)
    _line_numbers: np.ndarray = field(repr=False)

    @property
    def line_numbers(self):
        """The line of the file (1-based) each row comes from, as a read-only int array of shape (n_rows,)."""
        return self._line_numbers

    def points(self, columns=None, drop_bad_rows=False):
        """The chosen numeric columns as a float array.

        Parameters
        ----------
        columns : sequence of str or int, str, int, or None
            The columns to use, by name or by 0-based position in ``column_names``. None means every numeric
            column, and is refused when the file also has non-numeric columns: the caller must then choose.
        drop_bad_rows : bool
            If true, rows with a blank, NaN, infinite or non-numeric value in a chosen column are left out (see
            :meth:`without_bad_rows`, whose table says in a note how many were dropped). If false, such rows
            raise DataError.

        Returns
        -------
        X : ndarray of shape (n_rows, D), float64
            One row per point, every value finite.
        names : list of str
            The names of the D columns.

        Raises
        ------
        DataError
            If a column is unknown or not numeric, if ``columns`` is None and some columns are not numeric, or if
            a chosen column has bad values (and ``drop_bad_rows`` is false).
        """
        indices = self._column_indices(columns)
        table = self.without_bad_rows(indices) if drop_bad_rows else self
        table._check_values(indices)
        names = [self.column_names[j] for j in indices]
        return np.column_stack([table._values[name] for name in names]), names

    def without_bad_rows(self, columns=None):
        """This table without the rows that have a blank, NaN, infinite or text value in the chosen columns.

        Parameters
        ----------
        columns : sequence of str or int, or None
            As for :meth:`points`; only bad values in these columns count.

        Returns
        -------
        Table
            ``self`` if no row is bad, else a new table with a note saying how many rows were dropped.

        Raises
        ------
        DataError
            If fewer than 2 rows would be left, or the columns are invalid.
        """
        indices = self._column_indices(columns)
        bad = self._bad_mask(indices)
        n_bad = int(bad.sum())
        if n_bad == 0:
            return self
        kept = np.flatnonzero(~bad)
        if len(kept) < MIN_ROWS:
            raise DataError(
                f"Only {len(kept)} of the {self.n_rows} rows have valid numbers in "
                f"{_quoted_list(self._names(indices))}; need at least {MIN_ROWS} data rows. Fix the missing or "
                "invalid values in the file."
            )
        lines = f"{_plural(n_bad, 'line')} {_list_items([str(n) for n in self._line_numbers[bad].tolist()], '')}"
        return self._take(kept, f"{n_bad} {_plural(n_bad, 'row')} with missing or invalid values dropped ({lines})")

    def subsample(self, max_rows, seed=0):
        """At most ``max_rows`` rows, chosen at random but reproducibly, kept in file order.

        Parameters
        ----------
        max_rows : int
            The most rows to keep (at least 2).
        seed : int
            Seed of the random choice: the same table, ``max_rows`` and seed always give the same rows.

        Returns
        -------
        Table
            ``self`` if it has at most ``max_rows`` rows, else a new table with the note
            "N rows, a random sample of M used (seed S)".
        """
        max_rows = operator.index(max_rows)
        if max_rows < MIN_ROWS:
            raise ValueError(f"max_rows must be at least {MIN_ROWS}; got {max_rows}.")
        if self.n_rows <= max_rows:
            return self
        rows = np.sort(np.random.default_rng(seed).choice(self.n_rows, size=max_rows, replace=False))
        return self._take(rows, f"{self.n_rows:,} rows, a random sample of {max_rows:,} used (seed {seed})")

    def label_column(self, column):
        """The values of one column (any column, numeric or not) as strings, e.g. true class labels.

        Parameters
        ----------
        column : str or int
            Name or 0-based position in ``column_names``.

        Returns
        -------
        list of str
            One stripped value per row, aligned with the rows of :meth:`points` on this same table.
        """
        return self._source.cells(self._file_rows(), self._fields[self._column_index(column)])

    # --- Helpers ------------------------------------------------------------------------------------------------

    def _column_index(self, column):
        if isinstance(column, str):
            if column not in self.column_names:
                raise DataError(
                    f"There is no column named {column!r}. The columns are: {_quoted_list(self.column_names)}."
                )
            return self.column_names.index(column)
        try:
            index = operator.index(column)
        except TypeError:
            raise TypeError(f"A column is chosen by name (str) or position (int); got {column!r}.") from None
        if not 0 <= index < len(self.column_names):
            raise DataError(
                f"There is no column {index}: the file has {len(self.column_names)} columns, "
                f"numbered 0 to {len(self.column_names) - 1} ({_quoted_list(self.column_names)})."
            )
        return index

    def _column_indices(self, columns):
        """Positions of the chosen columns, each checked to exist, be numeric and be chosen once."""
        if columns is None:
            if self.non_numeric_columns:
                text_columns = self.non_numeric_columns
                described = ", ".join(f"{c.name!r} (e.g. {_shown(c.example)} on line {c.line})" for c in text_columns)
                raise DataError(
                    f"The file has {_plural(len(text_columns), 'a non-numeric column', 'non-numeric columns')}: "
                    f"{described}. Choose which numeric columns to use: {_quoted_list(self.numeric_columns)}."
                )
            columns = self.numeric_columns
        elif isinstance(columns, (str, int, np.integer)):
            columns = [columns]
        indices = [self._column_index(column) for column in columns]
        if not indices:
            raise DataError(f"No columns were chosen. Choose at least one of {_quoted_list(self.numeric_columns)}.")
        repeated = [name for name, count in Counter(self._names(indices)).items() if count > 1]
        if repeated:
            raise DataError(f"Column {_quoted_list(repeated)} was chosen more than once; choose each column once.")
        for column in self.non_numeric_columns:
            if column.name in self._names(indices):
                raise DataError(
                    f"Column {column.name!r} is not numeric (e.g. {_shown(column.example)} on line {column.line}). "
                    f"Choose numeric columns: {_quoted_list(self.numeric_columns)}."
                )
        return indices

    def _names(self, indices):
        return [self.column_names[j] for j in indices]

    def _bad_mask(self, indices):
        bad = np.zeros(self.n_rows, dtype=bool)
        for name in self._names(indices):
            bad |= ~np.isfinite(self._values[name])
        return bad

    def _check_values(self, indices):
        """Raise DataError naming the first bad cells of the chosen columns, if there are any."""
        bad = self._bad_mask(indices)
        if not bad.any():
            return
        bad_rows = np.flatnonzero(bad)
        described, n_listed = [], 0
        for row in bad_rows.tolist():
            if len(described) >= _MAX_LISTED:
                break
            n_listed += 1
            for j in indices:
                name = self.column_names[j]
                if not np.isfinite(self._values[name][row]):
                    described.append(
                        f"line {self._line_numbers[row]}, column {name!r} {_describe_bad_cell(self._cell(row, j))}"
                    )
        per_column = ", ".join(
            f"{self.column_names[j]!r} ({n} {_plural(n, 'value')})"
            for j in indices
            if (n := int((~np.isfinite(self._values[self.column_names[j]])).sum()))
        )
        n_bad = len(bad_rows)
        more = f"; and {n_bad - n_listed} more {_plural(n_bad - n_listed, 'row')}" if n_bad > n_listed else ""
        raise DataError(
            f"{n_bad} {_plural(n_bad, 'row has', 'rows have')} missing or invalid values in the chosen columns: "
            f"{'; '.join(described)}{more}. Bad values per column: {per_column}. Correct or delete "
            f"{_plural(n_bad, 'that row', 'those rows')} in the file, or choose to drop the rows with bad values."
        )

    def _file_rows(self):
        """The row of the file's non-blank rows (the header is row 0) each row of this table is."""
        rows = np.arange(self.n_rows) if self._rows is None else self._rows
        return rows + int(self.has_header)

    def _cell(self, row, j):
        return self._source.cells(self._file_rows()[[row]], self._fields[j])[0]

    def _take(self, rows, note):
        """A new table holding only ``rows`` (sorted row indices), with ``note`` added."""
        rows = np.asarray(rows)
        return replace(
            self,
            n_rows=len(rows),
            notes=(*self.notes, note),
            _rows=read_only(rows.astype(np.int64) if self._rows is None else self._rows[rows]),
            _values={name: read_only(values[rows]) for name, values in self._values.items()},
            _line_numbers=read_only(self._line_numbers[rows]),
        )


def read_points(source, *, max_bytes=DEFAULT_MAX_BYTES, max_rows=None, columns=None, seed=0):
    """Read a table of points from CSV, TSV or whitespace-separated text.

    Shorthand for ``inspect_table(source, max_bytes=max_bytes).points(columns)``, plus an optional random
    subsample. Use :func:`inspect_table` to see the non-numeric columns, the notes and the labels.

    Parameters
    ----------
    source : bytes, str or file-like
        The file's content: bytes, text (a ``str`` is content, never a path), or an object with ``read()``
        returning bytes or str (an open file, ``io.BytesIO``, Streamlit's ``UploadedFile``), read from its
        current position.
    max_bytes : int
        Larger files are refused with DataError.
    max_rows : int or None
        If given and the file has more data rows, a random sample of ``max_rows`` of them is returned, in file
        order (see :meth:`Table.subsample`). Every row is still checked for bad values first, so that a file is
        refused or accepted whatever ``max_rows`` is.
    columns : sequence of str or int, or None
        The columns to use, by name or 0-based position; None means every numeric column and is refused when
        the file also has non-numeric columns.
    seed : int
        Seed of the random sample taken when the file has more than ``max_rows`` rows.

    Returns
    -------
    X : ndarray of shape (N, D), float64
        One row per point, every value finite.
    names : list of str
        The names of the D columns: from the header, or "x1", "x2", ... when there is none.

    Raises
    ------
    DataError
        With a message for the user saying what is wrong, where, and what to do.
    """
    table = inspect_table(source, max_bytes=max_bytes)
    X, names = table.points(columns)
    if max_rows is not None and table.n_rows > max_rows:
        X, names = table.subsample(max_rows, seed).points(columns)
    return X, names


def inspect_table(source, *, max_bytes=DEFAULT_MAX_BYTES):
    """Parse a table of points, keeping every column, and report how it was read.

    Accepts comma, semicolon, tab or whitespace separated values (the separator is the one that splits every
    line into the same number of fields; a single column of numbers is also accepted), an optional header row
    (taken to be one when the first row holds no number and some text), decimal commas when the separator is
    not a comma, quoted fields, any line ending, a UTF-8 or UTF-16 byte-order mark and Latin-1 text. Blank lines
    are skipped. In whitespace-separated files a quoted value may not contain spaces. Nothing is ever executed
    or unpickled: this is text parsing only.

    Parameters
    ----------
    source : bytes, str or file-like
        As for :func:`read_points`.
    max_bytes : int
        Larger files are refused.

    Returns
    -------
    Table

    Raises
    ------
    DataError
        If the file is empty, too large, binary (e.g. an Excel workbook), has a line over 1 MB, has rows with
        different numbers of fields, has fewer than 2 data rows, or has no numeric column. Bad values inside
        numeric columns do not raise here; :meth:`Table.points` reports them.
    """
    text, notes = _decode(_read_source(source, max_bytes))
    sample = list(islice((line for line in _lines(text) if line.strip()), _SNIFF_LINES))
    if max(map(len, sample)) > MAX_LINE_CHARS:
        _check_line_lengths(text)
    delimiter = _sniff_delimiter(sample)
    source = _Rows(text, delimiter, quoted=delimiter not in (" ", None) and '"' in text)
    if source.quoted:  # without quotes, each chunk of lines is checked as it is read
        _check_line_lengths(text)
    # Decimal commas can only be told from a comma-separated field when the separator is not a comma; the file is
    # read again with them only if some cell needs them.
    look_for_commas = delimiter not in (",", None) and "," in text
    scan = _scan(source, decimal_comma=False, look_for_commas=look_for_commas)
    decimal_comma = scan.needs_decimal_commas
    if scan.blank_note:
        notes.append(scan.blank_note)
    _check_row_lengths(scan.counts, scan.line_numbers, text, delimiter)
    if decimal_comma:
        scan = _scan(source, decimal_comma=True, look_for_commas=False)
        notes.append("decimal commas read as decimal points")

    first = scan.first_row
    has_header = any(cell for cell in first) and not any(_parse(cell, decimal_comma) is not None for cell in first)
    line_numbers = scan.line_numbers
    if has_header:
        names = _column_names([_unquote(cell) for cell in first])
        line_numbers = line_numbers[1:]
    else:
        names = [f"x{j + 1}" for j in range(len(first))]
    _check_row_count(len(line_numbers), line_numbers, names if has_header else None)

    skip = int(has_header)
    kept_names, kept_fields, numeric, non_numeric, values = [], [], [], [], {}
    for j, name in enumerate(names):
        parsed, is_number, is_text = (column[skip:] for column in scan.columns[j])
        if not (is_number | is_text).any():
            # A column with no value at all is usually a trailing separator; it carries no data, so drop it.
            notes.append(f"empty column {name!r} ignored")
            continue
        kept_names.append(name)
        kept_fields.append(j)
        # A column is text only if most of its values are: a few bad cells in a numeric column are errors to
        # report, not a reason to call the whole column non-numeric.
        if is_text.sum() > is_number.sum():
            first_text = int(np.argmax(is_text))
            example = source.cells(np.array([first_text + skip]), j)[0]
            non_numeric.append(NonNumericColumn(name, example, int(line_numbers[first_text])))
        else:
            numeric.append(name)
            values[name] = read_only(parsed)
    if not numeric:
        described = "; ".join(f"{c.name!r} has e.g. {_shown(c.example)} on line {c.line}" for c in non_numeric)
        raise DataError(
            f"No column of this file holds numbers ({described or 'every column is empty'}). A table of points has "
            "one point per line, its coordinates as numbers separated by commas, semicolons, tabs or spaces, "
            "e.g. '1.5,2.0'."
        )
    return Table(
        column_names=tuple(kept_names),
        numeric_columns=tuple(numeric),
        non_numeric_columns=tuple(non_numeric),
        n_rows=len(line_numbers),
        delimiter=delimiter,
        has_header=has_header,
        decimal_comma=decimal_comma,
        notes=tuple(notes),
        _source=source,
        _fields=tuple(kept_fields),
        _rows=None,
        _values=values,
        _line_numbers=read_only(np.asarray(line_numbers, dtype=np.int64)),
    )


# --- Reading the rows a batch at a time ---------------------------------------------------------------------------

#: CSV records split at a time (a file with quotes); other files are split a chunk of lines at a time. The cells
#: of one batch are the only Python strings alive at once.
_BATCH_LINES = 2**15
#: Characters of text turned into lines at a time (at least: a chunk ends at a line break).
_CHUNK_CHARS = 2**18


def _line_chunks(text, start=0):
    """The lines of ``text`` from character ``start``, each with its line break (\\n, \\r\\n or \\r, as
    ``io.StringIO(text, newline="")`` splits them), as one list per chunk of about ``_CHUNK_CHARS`` characters (a
    chunk ends at a line break, so the same ``start`` always gives the same chunks)."""
    breaks = "\n" if "\n" in text else "\r"
    while start < len(text):
        end = text.find(breaks, start + _CHUNK_CHARS)
        end = len(text) if end < 0 else end + 1
        yield start, io.StringIO(text[start:end], newline="").readlines()
        start = end


def _lines(text, start=0):
    """The lines of ``text`` from character ``start`` one by one (see :func:`_line_chunks`)."""
    for _, lines in _line_chunks(text, start):
        yield from lines


class _Rows:
    """A table's text and how to split it: its rows, read again a batch at a time whenever cells are asked for.

    ``batches`` (filled by :func:`_scan`) holds, for each batch, the character it starts at, how many lines or
    records it spans and how many non-blank rows it holds.
    """

    def __init__(self, text, delimiter, quoted):
        self.text, self.delimiter, self.quoted = text, delimiter, quoted
        self.batches = []

    def read(self, start=0):
        """(start character, lines or records read, cells, counts, kept indices, record start lines) per batch,
        from character ``start``: cells in one flat list, each kept row's number of fields, and the indices
        (from ``start``) of the lines or records that are not blank."""
        if self.quoted:
            yield from self._read_csv(start)
            return
        for chunk_start, lines in _line_chunks(self.text, start):
            if max(map(len, lines)) > MAX_LINE_CHARS:
                _check_line_lengths(self.text)  # names the line
            cells, counts, kept = _split_lines(lines, self.delimiter)
            yield chunk_start, len(lines), cells, counts, kept, None

    def _read_csv(self, start):
        consumed = [start]

        def counted(lines):
            for line in lines:
                consumed[0] += len(line)
                yield line

        reader = csv.reader(counted(_lines(self.text, start)), delimiter=self.delimiter, skipinitialspace=True)
        previous_end = 0
        while True:
            batch_start = consumed[0]
            cells, counts, kept, record_lines, record_start = [], [], [], [], None
            for index in range(_BATCH_LINES):
                before = consumed[0]
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as error:
                    raise DataError(
                        f"Line {reader.line_num} cannot be read as CSV: {error}. Check its quotes and separators."
                    ) from None
                record_lines.append(previous_end + 1)
                previous_end = reader.line_num
                record_start = before
                if not _is_blank(row):
                    cells.extend(row)
                    counts.append(len(row))
                    kept.append(index)
            if not record_lines:
                return
            # The last record: its first line, its last line, and its text's first and last character.
            last = (record_lines[-1], previous_end, record_start, consumed[0])
            yield batch_start, len(record_lines), cells, counts, kept, (record_lines, last)

    def cells(self, rows, field_):
        """The stripped text of field ``field_`` of the non-blank ``rows`` (sorted indices), as a list of str."""
        rows = np.asarray(rows, dtype=np.int64)
        first_rows = np.cumsum([0] + [n_rows for _, _, n_rows in self.batches])
        found = []
        for b in np.unique(np.searchsorted(first_rows, rows, side="right") - 1).tolist():
            start = self.batches[b][0]
            _, _, cells, counts, _, _ = next(self.read(start))
            width = counts[0]
            wanted = rows[(rows >= first_rows[b]) & (rows < first_rows[b + 1])] - first_rows[b]
            found.extend(cells[row * width + field_].strip() for row in wanted.tolist())
        return found


@dataclass
class _Scan:
    """What one pass over a table's rows found: per field (values, is_number, is_text) over every non-blank row
    (the header included), the first row's cells, each row's number of fields and file line, and the notes."""

    columns: list
    first_row: list
    counts: np.ndarray
    line_numbers: np.ndarray
    needs_decimal_commas: bool
    blank_note: str | None


def _scan(source, decimal_comma, look_for_commas):
    """One pass over ``source``'s rows a batch at a time, parsing every field as numbers (see :class:`_Scan`).

    Rows with another number of fields than the first make the values meaningless; the pass then only counts, so
    that the caller can name the odd lines."""
    source.batches = []
    counts, line_numbers, parts, first_row = [], [], [], None
    first_kept = last_kept = None
    n_kept = 0
    even = True
    needs_decimal_commas = False
    lines_before = 0
    last_record = None
    for start, n_read, cells, row_counts, kept, records in source.read():
        source.batches.append((start, n_read, len(row_counts)))
        if kept:
            first_kept = lines_before + kept[0] if first_kept is None else first_kept
            last_kept = lines_before + kept[-1]
            n_kept += len(kept)
        if records is None:
            line_numbers.append(np.asarray(kept, dtype=np.int64) + lines_before + 1)
        else:
            record_lines, last_record = records
            line_numbers.append(np.asarray([record_lines[i] for i in kept], dtype=np.int64))
        lines_before += n_read
        counts.append(np.asarray(row_counts, dtype=np.int64))
        if not row_counts:
            continue
        if first_row is None:
            first_row = [cell.strip() for cell in cells[: row_counts[0]]]
        width = len(first_row)
        even = even and all(count == width for count in row_counts)
        if not even:
            continue
        batch = []
        for j in range(width):
            column = [cell.strip() for cell in cells[j::width]]
            if look_for_commas and not needs_decimal_commas:
                needs_decimal_commas = _has_decimal_commas([column])
            batch.append(_parse_column(column, decimal_comma))
        parts.append(batch)
    if source.quoted:
        _check_closed_quotes(source.text, last_record)
    if first_row is None:
        raise DataError("The file is empty: it holds no values. Choose a CSV or text file with one point per line.")
    columns = []
    if even:
        for j in range(len(first_row)):
            columns.append(tuple(np.concatenate([batch[j][part] for batch in parts]) for part in range(3)))
    n_blank = last_kept - first_kept + 1 - n_kept
    blank_note = f"{n_blank} blank {_plural(n_blank, 'line')} between data rows skipped" if n_blank else None
    return _Scan(
        columns, first_row, np.concatenate(counts), np.concatenate(line_numbers), needs_decimal_commas, blank_note
    )


def _check_closed_quotes(text, last_record):
    """An unclosed quote swallows the rest of the file into one field: a last record that spans several lines and
    holds an odd number of quote marks is that case."""
    if last_record is None:
        return
    first_line, last_line, start, end = last_record
    if first_line < last_line and text[start:end].count('"') % 2:
        raise DataError(
            f'Line {first_line} opens a quote (") that is never closed, so the rest of the file reads as one '
            "value. Close the quote or remove it."
        )


# --- Reading and decoding -----------------------------------------------------------------------------------------


def _read_source(source, max_bytes):
    """The source's content as bytes, refused if over ``max_bytes``."""
    if isinstance(source, str):
        data = source.encode("utf-8", errors="replace")
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        start = _tell(source)
        # Read one byte past the limit: enough to know the file is too large without loading all of it.
        content = source.read(max_bytes + 1)
        data = content.encode("utf-8", errors="replace") if isinstance(content, str) else bytes(content)
        if len(data) > max_bytes:
            raise DataError(_too_large_message(_total_size(source, start), max_bytes))
    else:
        raise TypeError(
            f"source must be the file's content (bytes or str) or a file-like object; got {type(source).__name__}. "
            "To read a file on disk, pass its bytes, e.g. Path(name).read_bytes()."
        )
    if len(data) > max_bytes:
        raise DataError(_too_large_message(len(data), max_bytes))
    return data


def _tell(source):
    try:
        return source.tell()
    except (AttributeError, OSError, ValueError):
        return None


def _total_size(source, start):
    """The size in bytes of the file-like ``source`` from ``start``, or None when it cannot be known cheaply."""
    size = getattr(source, "size", None)  # Streamlit's UploadedFile knows its size
    if isinstance(size, int):
        return size
    if start is None:
        return None
    try:
        return source.seek(0, io.SEEK_END) - start
    except (AttributeError, OSError, ValueError):
        return None


def _too_large_message(size, max_bytes):
    if size is None:
        actual = "it is larger than that"
    elif _size(size) == _size(max_bytes):  # just over: rounding would make both sizes read the same
        actual = f"it is {size - max_bytes:,} bytes over"
    else:
        actual = f"it is {_size(size)}"
    return (
        f"The file is too large: the limit is {_size(max_bytes)} and {actual}. Use a smaller file, for example a "
        "random sample of its rows."
    )


def _size(n_bytes):
    return f"{round(n_bytes / 2**20, 1):g} MB" if n_bytes >= 2**20 // 10 else f"{n_bytes:,} bytes"


def _decode(data):
    """The text of ``data`` and notes on how it was decoded; DataError if it is empty or not text."""
    if not data:
        raise DataError("The file is empty. Choose a CSV or text file with one point per line.")
    if data.startswith(b"PK\x03\x04"):
        raise DataError(
            "This looks like an Excel workbook (.xlsx) or another ZIP archive, not a text file. Open it in your "
            "spreadsheet program and save it as CSV (File > Save As > CSV), then use the CSV file."
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DataError(
            "This looks like an Excel workbook in the old .xls format, not a text file. Open it in your "
            "spreadsheet program and save it as CSV (File > Save As > CSV), then use the CSV file."
        )
    notes = []
    # Excel's "Unicode Text" export is UTF-16 with a byte-order mark; its ASCII characters come with NUL bytes,
    # so it must be recognised before the NUL test below.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise DataError(
                f"The file starts like UTF-16 text but byte {error.start} is invalid. Save it as UTF-8 CSV."
            ) from None
        notes.append("read as UTF-16 (the file starts with a UTF-16 byte-order mark)")
    else:
        nul = data.find(b"\x00")
        if nul >= 0:
            raise DataError(
                f"This is not a text file: it contains NUL bytes (the first at byte {nul}), as binary files do. "
                "Choose a CSV or plain-text file; if this is a spreadsheet, save it as CSV first."
            )
        n_control = len(data.translate(None, _NON_CONTROL_BYTES))
        if n_control > _MAX_CONTROL_FRACTION * len(data):
            raise DataError(
                f"This does not look like a text file: {n_control / len(data):.0%} of its bytes are control "
                "characters. Choose a CSV or plain-text file; if this is a spreadsheet, save it as CSV first."
            )
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
            notes.append("UTF-8 byte-order mark removed")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            # Latin-1 maps every byte to a character, so this cannot fail; it is the usual encoding of older
            # Western European exports, which is why it is the fallback.
            text = data.decode("latin-1")
            notes.append(f"read as Latin-1 (not valid UTF-8: byte {error.start} is {data[error.start]:#04x})")
    if not text.strip():
        raise DataError(
            "The file is empty: it holds only blank lines. Choose a CSV or text file with one point per line."
        )
    return text, notes


# --- Splitting into rows ------------------------------------------------------------------------------------------


def _check_line_lengths(text):
    lines_before = 0
    for _, lines in _line_chunks(text):
        if max(map(len, lines)) > MAX_LINE_CHARS:
            number, line = next(
                (n, line) for n, line in enumerate(lines, lines_before + 1) if len(line) > MAX_LINE_CHARS
            )
            raise DataError(
                f"Line {number} is {len(line):,} characters long, more than the limit of {MAX_LINE_CHARS:,} (1 MB) "
                "for one line. A table of points has one short line per point: check that this is the right file "
                "and that its lines are separated by line breaks."
            )
        lines_before += len(lines)


def _split_line(line, delimiter):
    """The fields of one line; for " ", runs of spaces and tabs separate fields and quotes are only stripped."""
    if delimiter == " ":
        return [_unquote(field_) for field_ in line.split()]
    if delimiter is None:
        stripped = line.strip()
        return [_unquote(stripped)] if stripped else []
    return next(csv.reader([line], delimiter=delimiter, skipinitialspace=True), [])


def _is_blank(row):
    return not row or (len(row) == 1 and not row[0].strip())


def _sniff_delimiter(lines):
    """The separator that splits the first lines into a constant number (> 1) of fields, or None for one column.

    When no separator is consistent, the one that gives most lines the same number (> 1) of fields is chosen, so
    that the ragged lines can be reported against it.
    """
    sample = list(islice((line for line in lines if line.strip()), _SNIFF_LINES))
    consistent, best, best_share = [], None, 0.0
    for delimiter in _DELIMITERS:
        rows = [row for row in (_split_line(line, delimiter) for line in sample) if not _is_blank(row)]
        if not rows:  # e.g. a lone quote mark: nothing to split
            continue
        mode, n_mode = Counter(map(len, rows)).most_common(1)[0]
        if mode < 2:
            continue
        if n_mode == len(rows):
            consistent.append((delimiter, rows))
        elif n_mode / len(rows) > best_share:  # strictly: on a tie the earlier, more specific separator stays
            best, best_share = delimiter, n_mode / len(rows)
    spaces_split_evenly = any(delimiter == " " for delimiter, _ in consistent)
    for delimiter, rows in consistent:
        # "1,5 2,5" splits evenly at commas too, into "1", "5 2" and "5"; a field with spaces inside, when spaces
        # alone also split every line evenly, shows that the values are separated by spaces, not commas.
        if spaces_split_evenly and any(len(field_.split()) > 1 for row in rows for field_ in row):
            continue
        return delimiter
    # A separator that agrees on fewer than half the lines is no better a guess than one column.
    return best if best_share >= 0.5 else None


def _split_lines(lines, delimiter):
    """Every field of the non-blank ``lines`` in one flat list, each such line's number of fields, and the indices
    of those lines. One flat list of strings, rather than a list per row, keeps batches fast: the garbage
    collector keeps scanning live lists, never strings. (Files with quotes go through the csv module instead.)"""
    kept = [i for i, line in enumerate(lines) if line.strip()]
    rows = [lines[i] for i in kept]
    if delimiter is None:
        cells = [_unquote(line) for line in rows]
        counts = [1] * len(rows)
    elif delimiter == " ":
        cells = " ".join(rows).split()  # str.split() takes runs of any whitespace, line breaks included
        if any('"' in line for line in rows):
            cells = [_unquote(cell) for cell in cells]
        counts = [len(line.split()) for line in rows]
    else:  # with no quote anywhere, splitting at every separator is exactly what the csv module would do
        cells = delimiter.join([line.rstrip("\r\n") for line in rows]).split(delimiter)
        counts = [line.count(delimiter) + 1 for line in rows]
    return cells, counts, kept


def _check_row_lengths(counts, line_numbers, text, delimiter):
    """Raise DataError naming the lines whose number of fields differs from most lines'."""
    counts = np.asarray(counts)
    expected = int(np.bincount(counts).argmax())
    odd = np.flatnonzero(counts != expected)
    if not len(odd):
        return
    name = _DELIMITER_NAMES[delimiter]
    described, other_separators = [], False
    wanted = {int(line_numbers[i]) for i in odd[:_MAX_LISTED].tolist()}
    lines = {n: line for n, line in enumerate(islice(_lines(text), max(wanted)), 1) if n in wanted}
    for i in odd[:_MAX_LISTED].tolist():
        number = int(line_numbers[i])
        # A line that another separator splits into the expected number of fields was written with that one.
        other = next(
            (d for d in _DELIMITERS if d != delimiter and len(_split_line(lines[number], d)) == expected), None
        )
        if other is None:
            described.append(f"line {number} has {counts[i]}")
        else:
            described.append(f"line {number} is separated by {_DELIMITER_NAMES[other]}")
            other_separators = True
    more = f" and {len(odd) - _MAX_LISTED} more lines" if len(odd) > _MAX_LISTED else ""
    problem = "Lines use different separators" if other_separators else "Rows have different numbers of values"
    hint = ""
    if delimiter == "," and counts[0] * 2 == expected:
        # Twice as many values as header names is the mark of decimal commas in a comma-separated file, which
        # cannot be read unambiguously; the user has to change the separator.
        hint = (
            " If the numbers are written with decimal commas (like 3,14), save the file with semicolons or tabs "
            "as separators instead."
        )
    raise DataError(
        f"{problem}: most lines have {expected} values separated by {name}, but {', '.join(described)}{more}. "
        f"Make every line hold {expected} values separated by {name}.{hint}"
    )


def _check_row_count(n_rows, line_numbers, header_names):
    if n_rows == 0:
        raise DataError(
            f"The file has only a header row ({', '.join(header_names)}) and no data rows. Add at least "
            f"{MIN_ROWS} data rows below it, one point per line."
        )
    if n_rows < MIN_ROWS:
        raise DataError(
            f"The file has only {n_rows} data row (line {line_numbers[0]}); need at least {MIN_ROWS} data rows to "
            "fit a mixture. Add more points, one per line."
        )


# --- Cells, names and numbers -------------------------------------------------------------------------------------


def _unquote(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    return text


def _column_names(raw_names):
    """Unique, non-empty names: blanks become "column 3", repeats "x (2)", "x (3)", ..."""
    named = [name or f"column {j + 1}" for j, name in enumerate(raw_names)]
    taken, unique = set(named), []
    for name in named:
        if name in unique:
            suffix = 2
            while f"{name} ({suffix})" in taken:
                suffix += 1
            name = f"{name} ({suffix})"
            taken.add(name)
        unique.append(name)
    return unique


def _parse(cell, decimal_comma):
    """The float ``cell`` holds, or None when it is not a number."""
    try:
        return float(cell.replace(",", ".") if decimal_comma else cell)
    except ValueError:
        return None


def _parse_column(cells, decimal_comma):
    """The values of ``cells`` (NaN where not a number), and masks of the cells that are numbers and that are text.

    A cell that is neither is empty.
    """
    texts = [cell.replace(",", ".") for cell in cells] if decimal_comma else cells
    try:
        # Fast path: every cell is a number (possibly NaN or infinite, which the caller checks).
        values = np.fromiter(map(float, texts), np.float64, len(texts))
        return values, np.ones(len(texts), dtype=bool), np.zeros(len(texts), dtype=bool)
    except ValueError:
        pass
    values = np.full(len(texts), np.nan)
    is_number = np.zeros(len(texts), dtype=bool)
    is_text = np.zeros(len(texts), dtype=bool)
    for i, text in enumerate(texts):
        try:
            values[i] = float(text)
            is_number[i] = True
        except ValueError:
            is_text[i] = text != ""
    return values, is_number, is_text


def _has_decimal_commas(columns):
    """Whether some cell is a number only when its comma is read as a decimal point, like "3,14"."""
    return any(
        "," in cell and _parse(cell, False) is None and _parse(cell, True) is not None
        for column in columns
        for cell in column
    )


def _describe_bad_cell(cell):
    if cell == "":
        return "is empty"
    if _parse(cell, False) is not None or _parse(cell, True) is not None:
        return f"is {_shown(cell)}, not a finite number"
    return f"is {_shown(cell)}, not a number"


# --- Message formatting -------------------------------------------------------------------------------------------


def _shown(value):
    """``value`` quoted for a message, shortened if long."""
    if len(value) > _MAX_SHOWN_CHARS:
        value = value[: _MAX_SHOWN_CHARS - 3] + "..."
    return repr(value)


def _quoted_list(names):
    return ", ".join(repr(name) for name in names)


def _list_items(items, noun):
    """The first few ``items`` joined by commas, then "and N more <noun>"."""
    items = list(items)
    shown = ", ".join(items[:_MAX_LISTED])
    if len(items) > _MAX_LISTED:
        shown += f" and {len(items) - _MAX_LISTED} more {noun}".rstrip()
    return shown


def _plural(count, singular, plural=None):
    return singular if count == 1 else plural or singular + "s"
