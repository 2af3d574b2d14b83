"""Reading uploaded tables of points: the formats accepted, and a clear DataError for every bad file."""

import io
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gmm_core.data_io import MAX_LINE_CHARS, NonNumericColumn, Table, inspect_table, read_points
from gmm_core.errors import DataError

BAD_FILES_DIR = Path(__file__).parent / "bad_files"
DATA_DIR = Path(__file__).parent.parent / "gmm_core" / "data"

# Every file of tests/bad_files, the keyword arguments it is read with, and phrases its message must contain.
BAD_FILES = {
    "empty.csv": ({}, ["empty"]),
    "blank_lines_only.csv": ({}, ["empty", "blank lines"]),
    "header_only.csv": ({}, ["only a header row (x, y)", "no data rows"]),
    "one_data_row.csv": ({}, ["only 1 data row (line 2)", "need at least 2 data rows"]),
    "one_row_no_header.csv": ({}, ["only 1 data row (line 1)", "need at least 2 data rows"]),
    "excel_workbook.xlsx": ({}, ["Excel workbook (.xlsx)", "save it as CSV"]),
    "excel_old_format.xls": ({}, ["Excel workbook", ".xls", "save it as CSV"]),
    "nul_bytes.csv": ({}, ["not a text file", "NUL bytes", "byte 16"]),
    "control_characters.dat": ({}, ["not look like a text file", "control characters"]),
    "ragged_rows.csv": ({}, ["different numbers of values", "most lines have 3", "line 5 has 2", "line 9 has 4"]),
    "ragged_many_rows.csv": ({}, ["line 3 has 1", "line 11 has 1", "and 3 more lines"]),
    "mixed_separators.csv": (
        {},
        ["different separators", "separated by commas", "line 4 is separated by semicolons", "line 7"],
    ),
    "header_longer_than_rows.csv": ({}, ["most lines have 2 values", "line 1 has 3"]),
    "decimal_comma_with_comma_separator.csv": ({}, ["line 1 has 2", "decimal commas", "semicolons or tabs"]),
    "missing_value.csv": ({}, ["line 3, column 'y' is empty", "Correct or delete that row"]),
    "nan_value.csv": ({}, ["line 3, column 'y' is 'NaN', not a finite number"]),
    "infinite_values.tsv": (
        {},
        ["2 rows", "line 3, column 'x' is 'inf'", "line 4, column 'y' is '-inf'", "not a finite number"],
    ),
    "text_in_numeric_column.csv": ({}, ["line 40, column 'x' is '12a', not a number"]),
    "no_numbers.csv": ({}, ["No column of this file holds numbers", "'name' has e.g. 'Ada' on line 2"]),
    "label_column.csv": (
        {},
        ["non-numeric column: 'species' (e.g. 'setosa' on line 2)", "Choose which numeric columns", "'length'"],
    ),
    "unclosed_quote.csv": ({}, ["Line 3 opens a quote", "never closed"]),
    "too_large_for_limit.csv": ({"max_bytes": 100}, ["too large", "limit is 100 bytes", "it is 285 bytes"]),
}


def test_every_bad_file_is_checked_and_documented():
    corpus = {path.name for path in BAD_FILES_DIR.iterdir() if path.name != "README.md"}
    assert corpus == set(BAD_FILES)
    readme = (BAD_FILES_DIR / "README.md").read_text()
    assert all(f"`{name}`" in readme for name in corpus)


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_raises_a_specific_message(name):
    kwargs, phrases = BAD_FILES[name]
    with pytest.raises(DataError) as raised:
        read_points((BAD_FILES_DIR / name).read_bytes(), **kwargs)
    for phrase in phrases:
        assert phrase in str(raised.value)


def test_bad_values_do_not_stop_inspection():
    # inspect_table describes the file; only points() refuses the bad cells.
    table = inspect_table((BAD_FILES_DIR / "text_in_numeric_column.csv").read_bytes())
    assert table.numeric_columns == ("x", "y")
    assert table.non_numeric_columns == ()
    assert table.n_rows == 44


def test_line_over_one_megabyte_is_refused_by_number():
    data = b"x,y\n1,2\n" + b"3," + b"4" * MAX_LINE_CHARS + b"\n5,6\n"
    with pytest.raises(DataError, match=r"Line 3 is 1,048,579 characters long"):
        read_points(data)


def test_too_large_file_object_states_its_size():
    data = io.BytesIO(b"x,y\n" + b"1.25,2.5\n" * 500_000)  # 4.3 MB
    with pytest.raises(DataError, match=r"the limit is 1 MB and it is 4.3 MB"):
        read_points(data, max_bytes=2**20)


def test_too_large_upload_uses_its_size_attribute():
    class Upload(io.BytesIO):  # like Streamlit's UploadedFile, which knows its size
        size = 3 * 2**20

    with pytest.raises(DataError, match=r"it is 3 MB"):
        read_points(Upload(b"0" * 2**21), max_bytes=2**20)


# --- Formats that must be read -------------------------------------------------------------------------------

TWO_BY_TWO = np.array([[1.5, -2.0], [3.25, 4e-3]])

GOOD_FILES = {
    "comma": (b"x,y\n1.5,-2\n3.25,4e-3\n", ",", True, ["x", "y"]),
    "comma, spaces after": (b"x, y\n1.5, -2\n 3.25 , 4e-3\n", ",", True, ["x", "y"]),
    "semicolon": (b"x;y\n1.5;-2\n3.25;4e-3\n", ";", True, ["x", "y"]),
    "tab": (b"x\ty\n1.5\t-2\n3.25\t4e-3\n", "\t", True, ["x", "y"]),
    "whitespace runs": (b"  x   y\n 1.5 \t -2\n3.25    4e-3   \n", " ", True, ["x", "y"]),
    "no header": (b"1.5,-2\n3.25,4e-3\n", ",", False, ["x1", "x2"]),
    "no header, whitespace": (b"1.5 -2\n3.25 4e-3\n", " ", False, ["x1", "x2"]),
    "CRLF line endings": (b"x,y\r\n1.5,-2\r\n3.25,4e-3\r\n", ",", True, ["x", "y"]),
    "CR line endings": (b"x,y\r1.5,-2\r3.25,4e-3\r", ",", True, ["x", "y"]),
    "no final newline": (b"x,y\n1.5,-2\n3.25,4e-3", ",", True, ["x", "y"]),
    "trailing blank lines": (b"x,y\n1.5,-2\n3.25,4e-3\n\n\n  \n", ",", True, ["x", "y"]),
    "leading blank lines": (b"\n\nx,y\n1.5,-2\n3.25,4e-3\n", ",", True, ["x", "y"]),
    "quoted fields": (b'"x","y"\n"1.5","-2"\n"3.25",4e-3\n', ",", True, ["x", "y"]),
    "quoted header with separator": (b'"x, mm";"y"\n1.5;-2\n3.25;4e-3\n', ";", True, ["x, mm", "y"]),
    "UTF-8 BOM": (b"\xef\xbb\xbfx,y\n1.5,-2\n3.25,4e-3\n", ",", True, ["x", "y"]),
    "duplicate and blank names": (
        b"x,x,,x (2)\n1.5,-2,0,0\n3.25,4e-3,0,0\n",
        ",",
        True,
        ["x", "x (3)", "column 3", "x (2)"],
    ),
    "trailing separator": (b"x,y,\n1.5,-2,\n3.25,4e-3,\n", ",", True, ["x", "y"]),
}


@pytest.mark.parametrize("case", sorted(GOOD_FILES))
def test_good_format_is_read(case):
    data, delimiter, has_header, names = GOOD_FILES[case]
    table = inspect_table(data)
    assert (table.delimiter, table.has_header, table.column_names) == (delimiter, has_header, tuple(names))
    X, read_names = table.points()
    assert read_names == list(table.numeric_columns)
    assert X.dtype == np.float64
    np.testing.assert_array_equal(X[:, :2], TWO_BY_TWO)


@pytest.mark.parametrize(
    "data, delimiter",
    [
        (b"x;y\n1,5;-2\n3,25;0,004\n", ";"),
        (b"x\ty\n1,5\t-2\n3,25\t0,004\n", "\t"),
        (b"1,5 -2\n3,25 0,004\n", " "),
        (b"x y\n1,5 -2,0\n3,25 0,004\n", " "),  # splits evenly at commas too, but into "5 -2"
    ],
)
def test_decimal_commas_are_read_when_the_separator_is_not_a_comma(data, delimiter):
    table = inspect_table(data)
    assert table.delimiter == delimiter and table.decimal_comma
    assert "decimal commas read as decimal points" in table.notes
    np.testing.assert_array_equal(table.points()[0], [[1.5, -2.0], [3.25, 0.004]])


def test_a_text_column_with_commas_keeps_them():
    table = inspect_table(b"x;name\n1,5;Smith, J.\n2,5;Doe, A.\n")
    assert table.label_column("name") == ["Smith, J.", "Doe, A."]
    np.testing.assert_array_equal(table.points("x")[0], [[1.5], [2.5]])


def test_latin1_bytes_are_read_with_a_note():
    data = "température;pression\n21,5;1013\n22,0;1009\n".encode("latin-1")
    table = inspect_table(data)
    assert table.column_names == ("température", "pression")
    assert any("read as Latin-1" in note for note in table.notes)
    np.testing.assert_array_equal(table.points()[0], [[21.5, 1013], [22.0, 1009]])


def test_utf8_is_not_mistaken_for_latin1():
    table = inspect_table("température,y\n1,2\n3,4\n".encode())
    assert table.column_names[0] == "température"
    assert table.notes == ()


def test_bom_is_removed_with_a_note():
    table = inspect_table(b"\xef\xbb\xbfx,y\n1,2\n3,4\n")
    assert table.column_names == ("x", "y")
    assert table.notes == ("UTF-8 byte-order mark removed",)


def test_utf16_text_from_excel_is_read():
    table = inspect_table("x\ty\n1\t2\n3\t4\n".encode("utf-16"))
    assert table.column_names == ("x", "y")
    assert any("UTF-16" in note for note in table.notes)


def test_one_numeric_column_gives_d_equal_1():
    X, names = read_points(b"value\n1.5\n2.5\n-3\n")
    assert X.shape == (3, 1) and names == ["value"]
    X, names = read_points(b"1.5\n2.5\n")
    assert X.shape == (2, 1) and names == ["x1"]
    assert inspect_table(b"1.5\n2.5\n").delimiter is None


def test_quoted_text_with_separator_is_one_field():
    table = inspect_table(b'name,x,y\n"a, b",1,2\n"c ""quoted""",3,4\n')
    assert table.label_column("name") == ["a, b", 'c "quoted"']
    assert table.non_numeric_columns == (NonNumericColumn("name", "a, b", 2),)
    np.testing.assert_array_equal(table.points(["x", "y"])[0], [[1, 2], [3, 4]])


def test_quoted_field_spanning_lines_keeps_later_line_numbers():
    table = inspect_table(b'name,x\n"two\nlines",1\nb,oops\nc,3\n')
    assert table.label_column("name") == ["two\nlines", "b", "c"]
    with pytest.raises(DataError, match=r"line 4, column 'x' is 'oops'"):
        table.points("x")


def test_blank_lines_between_rows_are_skipped_with_a_note():
    table = inspect_table(b"x,y\n1,2\n\n3,4\n")
    assert table.n_rows == 2
    assert table.notes == ("1 blank line between data rows skipped",)
    np.testing.assert_array_equal(table.line_numbers, [2, 4])


@pytest.mark.parametrize("source", [b"x,y\n1,2\n3,4\n", bytearray(b"x,y\n1,2\n3,4\n"), "x,y\n1,2\n3,4\n"])
def test_bytes_and_text_sources(source):
    np.testing.assert_array_equal(read_points(source)[0], [[1, 2], [3, 4]])


@pytest.mark.parametrize("source", [io.BytesIO(b"x,y\n1,2\n3,4\n"), io.StringIO("x,y\n1,2\n3,4\n")])
def test_file_like_sources(source):
    np.testing.assert_array_equal(read_points(source)[0], [[1, 2], [3, 4]])


def test_a_path_is_not_taken_for_content():
    with pytest.raises(TypeError, match="read_bytes"):
        read_points(Path("points.csv"))


# --- The sample data sets -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def iris_bytes():
    return (DATA_DIR / "iris.csv").read_bytes()


def test_iris_reports_species_as_non_numeric(iris_bytes):
    table = inspect_table(iris_bytes)
    assert table.numeric_columns == ("sepal_length", "sepal_width", "petal_length", "petal_width")
    assert table.non_numeric_columns == (NonNumericColumn("species", "setosa", 2),)
    assert table.n_rows == 150 and table.has_header
    labels = table.label_column("species")
    assert len(labels) == 150 and set(labels) == {"setosa", "versicolor", "virginica"}


def test_iris_needs_columns_to_be_chosen(iris_bytes):
    with pytest.raises(DataError, match=r"non-numeric column: 'species' .*Choose which numeric columns"):
        read_points(iris_bytes)
    X, names = read_points(iris_bytes, columns=["petal_length", "petal_width"])
    assert X.shape == (150, 2) and names == ["petal_length", "petal_width"]
    np.testing.assert_array_equal(X[0], [1.4, 0.2])
    X_by_index, names_by_index = read_points(iris_bytes, columns=[2, 3])
    np.testing.assert_array_equal(X_by_index, X)
    assert names_by_index == names


def test_iris_species_cannot_be_chosen_as_a_coordinate(iris_bytes):
    with pytest.raises(DataError, match=r"Column 'species' is not numeric \(e.g. 'setosa' on line 2\)"):
        read_points(iris_bytes, columns=["petal_length", "species"])


def test_old_faithful():
    X, names = read_points((DATA_DIR / "faithful.csv").read_bytes())
    assert X.shape == (272, 2) and names == ["eruptions", "waiting"]
    np.testing.assert_array_equal(X[0], [3.6, 79])


# --- Choosing columns ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "columns, message",
    [
        (["z"], r"no column named 'z'\. The columns are: 'x', 'y'"),
        ([5], r"no column 5: the file has 2 columns"),
        (["x", 0], r"'x' was chosen more than once"),
        ([], r"No columns were chosen"),
    ],
)
def test_bad_column_choices(columns, message):
    with pytest.raises(DataError, match=message):
        read_points(b"x,y\n1,2\n3,4\n", columns=columns)


def test_a_single_column_name_is_one_column():
    X, names = read_points(b"x,y\n1,2\n3,4\n", columns="y")
    assert names == ["y"] and X.shape == (2, 1)


def test_a_column_with_a_few_bad_values_is_numeric_and_mostly_text_is_not():
    table = inspect_table(b"a,b\n1,x\n2,y\noops,3\n4,z\n")
    assert table.numeric_columns == ("a",)
    assert table.non_numeric_columns == (NonNumericColumn("b", "x", 2),)


# --- Bad rows and subsampling --------------------------------------------------------------------------------

WITH_BAD_ROWS = b"x,y,label\n1,2,a\n,4,b\n5,nan,c\n7,8,d\n9,inf,e\n11,12,f\n"


def test_bad_rows_are_named_and_can_be_dropped_explicitly():
    table = inspect_table(WITH_BAD_ROWS)
    with pytest.raises(DataError, match=r"3 rows have .*line 3, column 'x' is empty; line 4, column 'y' is 'nan'"):
        table.points(["x", "y"])
    X, names = table.points(["x", "y"], drop_bad_rows=True)
    np.testing.assert_array_equal(X, [[1, 2], [7, 8], [11, 12]])
    cleaned = table.without_bad_rows(["x", "y"])
    assert cleaned.notes == ("3 rows with missing or invalid values dropped (lines 3, 4, 6)",)
    assert cleaned.label_column("label") == ["a", "d", "f"]  # labels stay aligned with the points
    np.testing.assert_array_equal(cleaned.line_numbers, [2, 5, 7])


def test_only_the_chosen_columns_count_for_bad_rows():
    X, _ = inspect_table(WITH_BAD_ROWS).points("x", drop_bad_rows=True)
    np.testing.assert_array_equal(X.ravel(), [1, 5, 7, 9, 11])


def test_dropping_bad_rows_must_leave_two():
    with pytest.raises(DataError, match=r"Only 1 of the 3 rows have valid numbers in 'x'"):
        inspect_table(b"x\n1\nnan\n\n-inf\n").points(drop_bad_rows=True)


def test_long_lists_of_bad_cells_are_cut_short():
    data = b"x,y\n" + b"".join(b"%d,nan\n" % i for i in range(20))
    with pytest.raises(DataError) as raised:
        read_points(data)
    message = str(raised.value)
    assert message.startswith("20 rows have") and "and 15 more rows" in message and "line 7," not in message


TALL = b"x,y\n" + b"".join(b"%d,%d\n" % (i, -i) for i in range(1000))


def test_subsample_is_sorted_seeded_and_noted():
    table = inspect_table(TALL)
    sample = table.subsample(50, seed=7)
    assert sample.n_rows == 50
    assert sample.notes == ("1,000 rows, a random sample of 50 used (seed 7)",)
    X, _ = sample.points()
    assert np.all(np.diff(X[:, 0]) > 0)  # file order kept
    np.testing.assert_array_equal(X, table.subsample(50, seed=7).points()[0])
    assert not np.array_equal(X, table.subsample(50, seed=8).points()[0])
    assert table.subsample(1000) is table


def test_read_points_max_rows():
    X, _ = read_points(TALL, max_rows=50, seed=7)
    np.testing.assert_array_equal(X, inspect_table(TALL).subsample(50, seed=7).points()[0])
    assert read_points(TALL, max_rows=5000)[0].shape == (1000, 2)


def test_max_rows_does_not_hide_bad_rows():
    # Whether a file is accepted must not depend on which rows the sample happens to take.
    with pytest.raises(DataError, match="line 1002"):
        read_points(TALL + b"1,oops\n", max_rows=10)


def test_table_is_immutable():
    table = inspect_table(TALL)
    assert isinstance(table, Table)
    with pytest.raises(AttributeError):
        table.n_rows = 3
    X, _ = table.points()
    X[0, 0] = 99.0  # the caller's copy, not the table's
    assert table.points()[0][0, 0] == 0.0


# --- Round trip --------------------------------------------------------------------------------------------------

finite_floats = st.floats(allow_nan=False, allow_infinity=False)
column_name = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8).filter(
    lambda name: name not in ("inf", "nan", "infinity")
)


@st.composite
def written_tables(draw):
    n_rows = draw(st.integers(2, 12))
    n_columns = draw(st.integers(1, 5))
    row = st.lists(finite_floats, min_size=n_columns, max_size=n_columns)
    X = np.array(draw(st.lists(row, min_size=n_rows, max_size=n_rows)))
    delimiter = draw(st.sampled_from([",", ";", "\t", " ", "  "]))
    names = draw(st.none() | st.lists(column_name, min_size=n_columns, max_size=n_columns, unique=True))
    line_end = draw(st.sampled_from(["\n", "\r\n"]))
    lines = ([delimiter.join(names)] if names else []) + [delimiter.join(map(repr, row)) for row in X.tolist()]
    return line_end.join(lines) + line_end, X, names


@given(written_tables())
def test_written_floats_read_back_exactly(case):
    text, X, names = case
    read, read_names = read_points(text.encode())
    assert read.shape == X.shape
    np.testing.assert_array_equal(read.view(np.uint64), X.view(np.uint64))  # bit for bit, -0.0 included
    assert read_names == (names or [f"x{j + 1}" for j in range(X.shape[1])])


@given(st.text('0123456789.,;\t "\n\r-eainfxé\ufeff\x00', max_size=80) | st.binary(max_size=80))
def test_any_input_gives_a_table_or_a_data_error(source):
    # Nothing else may escape: the app shows DataError messages and would crash on anything else.
    try:
        table = inspect_table(source)
        X, _ = table.points(list(table.numeric_columns), drop_bad_rows=True)
    except DataError as error:
        assert str(error)
        return
    assert table.n_rows >= 2 and X.shape[0] >= 2 and np.isfinite(X).all()


def test_a_file_just_over_the_limit_says_by_how_much():
    from gmm_core import DataError
    from gmm_core.data_io import read_points

    limit = 2**20
    with pytest.raises(DataError, match="12 bytes over"):
        read_points(b"1,2\n" * (limit // 4) + b"3,4\n5,6\n7,8\n", max_bytes=limit)
