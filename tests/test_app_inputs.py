"""Hard inputs meet a clear message and never break the app (AppTest): bad files, odd settings, degenerate fits.

Every bad upload comes after a good one, and the good data set and its fit must still be on the page afterwards.
"""

import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from gmm_ui import data, fitting, tables
from tests import em_chart
from tests.page_tables import edit_start, shown_table, start_editor

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")
BAD_FILES = Path(__file__).resolve().parent / "bad_files"
# Two clumps of six points: the data set every bad upload must leave in place.
GOOD_NAME = "good.csv"
GOOD_CSV = b"x,y\n1,2\n1.4,2.2\n0.8,2.1\n1.1,1.7\n1.3,1.9\n0.9,2.4\n5,6\n5.5,6.1\n5.2,5.8\n4.8,6.3\n5.1,6.4\n4.7,5.9\n"
GOOD_HEADER = f"{GOOD_NAME} · 12 points"

#: What the app must say about each file of tests/bad_files (after "Could not read/use <file name>: ").
BAD_FILE_MESSAGES = {
    "empty.csv": "The file is empty.",
    "blank_lines_only.csv": "The file is empty: it holds only blank lines.",
    "header_only.csv": "The file has only a header row (x, y) and no data rows.",
    "one_data_row.csv": "only 1 data row (line 2); need at least 2 data rows",
    "one_row_no_header.csv": "only 1 data row (line 1); need at least 2 data rows",
    "excel_workbook.xlsx": "looks like an Excel workbook (.xlsx)",
    "excel_old_format.xls": "Excel workbook in the old .xls format",
    "nul_bytes.csv": "it contains NUL bytes (the first at byte 16)",
    "control_characters.dat": "of its bytes are control characters",
    "ragged_rows.csv": "but line 5 has 2, line 9 has 4. Make every line hold 3 values",
    "ragged_many_rows.csv": "line 11 has 1 and 3 more lines",
    "mixed_separators.csv": "line 4 is separated by semicolons, line 7 is separated by semicolons",
    "header_longer_than_rows.csv": "but line 1 has 3",
    "decimal_comma_with_comma_separator.csv": "save the file with semicolons or tabs as separators",
    "missing_value.csv": "line 3, column 'y' is empty",
    "nan_value.csv": "line 3, column 'y' is 'NaN', not a finite number",
    "infinite_values.tsv": "line 3, column 'x' is 'inf', not a finite number; line 4, column 'y' is '-inf'",
    "text_in_numeric_column.csv": "line 40, column 'x' is '12a', not a number",
    "no_numbers.csv": "No column of this file holds numbers ('name' has e.g. 'Ada' on line 2",
    "unclosed_quote.csv": 'Line 3 opens a quote (") that is never closed',
}
#: Files of tests/bad_files that the app can use: label_column.csv (its text column becomes the known labels) and
#: too_large_for_limit.csv (too large only for the reader's test limit of 100 bytes; see test_a_file_over_...).
USABLE_FILES = {"label_column.csv": "3 points", "too_large_for_limit.csv": "points"}
BAD_VALUE_FILES = ["missing_value.csv", "nan_value.csv", "infinite_values.tsv", "text_in_numeric_column.csv"]


def _unescaped(markdown):
    """The text a Markdown string shows: the app's own bold markers go, and user text (escaped with backslashes by
    gmm_ui.text.plain) is shown as written."""
    return re.sub(r"\\(.)", r"\1", re.sub(r"(?<!\\)\*\*", "", markdown))


def _shown(at, *kinds):
    """The text of every element of these kinds (all messages and text when none is given), unescaped."""
    kinds = kinds or ("markdown", "caption", "error", "warning", "info", "success")
    return [_unescaped(str(element.value)) for kind in kinds for element in getattr(at, kind)]


def _said(at, text, *kinds):
    return any(text in shown for shown in _shown(at, *kinds))


def _header(at):
    """The header line and, under "About", the data set's description."""
    return _unescaped(f"{at.markdown[0].value} {at.markdown[1].value}")


def _assert_no_exception(at):
    assert not at.exception, [e.value for e in at.exception]


def _assert_good_data_still_shown(at):
    """The good upload is still the data set, its fit still drawn and scrubbable."""
    assert GOOD_HEADER in _header(at)
    assert _said(at, f"Still showing: {GOOD_NAME} (12 points).", "caption")
    assert at.get("plotly_chart"), "the chart of the good data set is gone"
    assert em_chart.last_position(at) >= 1


def _upload(at, content, name):
    at.file_uploader(key="upload").set_value((name, content, "text/csv"))
    return at.run()


def _app_with_good_upload():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.segmented_control(key="dataset_source").set_value("Upload CSV").run()
    _upload(at, GOOD_CSV, GOOD_NAME)
    at.number_input(key="n_components").set_value(2).run()
    _assert_no_exception(at)
    assert GOOD_HEADER in _header(at)
    return at


# Sessions shared by the tests of a module are used only where no test changes what the next one relies on.


@pytest.fixture(scope="module")
def shared_app():
    """One session with the good upload, for the bad uploads (none of which replaces the data set)."""
    return _app_with_good_upload()


@pytest.fixture(scope="module")
def loading_app():
    """One session for uploads that load (each replaces the data set)."""
    return _app_with_good_upload()


@pytest.fixture
def app():
    """A fresh session with the good upload."""
    return _app_with_good_upload()


def _preset_session():
    """A session on the first preset (S1: 300 points, K = 3)."""
    return AppTest.from_file(APP, default_timeout=60).run()


@pytest.fixture
def preset_app():
    return _preset_session()


@pytest.fixture(scope="module")
def shared_preset_app():
    """One preset session for edits of the start (each edit replaces the previous one)."""
    return _preset_session()


@pytest.fixture(scope="module")
def preset_without_iterations():
    """One preset session with max_iter = 0."""
    at = _preset_session()
    at.number_input(key="max_iter").set_value(0).run()
    return at


# --- Uploads ---------------------------------------------------------------------------------------------------


def test_every_bad_file_has_an_expected_message():
    on_disk = {path.name for path in BAD_FILES.iterdir() if path.name != "README.md"}
    assert on_disk == set(BAD_FILE_MESSAGES) | set(USABLE_FILES)


@pytest.mark.parametrize("name", sorted(BAD_FILE_MESSAGES))
def test_a_bad_file_is_refused_with_its_message_and_the_good_data_stay(shared_app, name):
    _upload(shared_app, (BAD_FILES / name).read_bytes(), name)
    _assert_no_exception(shared_app)
    errors = _shown(shared_app, "error")
    assert any(
        error.startswith("Could not") and name in error and BAD_FILE_MESSAGES[name] in error for error in errors
    ), errors
    _assert_good_data_still_shown(shared_app)


@pytest.mark.parametrize("name", BAD_VALUE_FILES)
def test_bad_values_offer_dropping_their_rows(shared_app, name):
    _upload(shared_app, (BAD_FILES / name).read_bytes(), name)
    assert _said(shared_app, "Tick “Drop rows with missing or invalid values” above to leave those rows out.", "error")
    assert shared_app.checkbox(key="drop_bad_rows").value is False


@pytest.mark.parametrize("name", sorted(USABLE_FILES))
def test_a_usable_file_of_the_corpus_loads(loading_app, name):
    _upload(loading_app, (BAD_FILES / name).read_bytes(), name)
    _assert_no_exception(loading_app)
    assert name in _header(loading_app) and USABLE_FILES[name] in _header(loading_app)


def test_dropping_bad_rows_loads_the_rest_and_says_how_many(app):
    _upload(app, (BAD_FILES / "infinite_values.tsv").read_bytes(), "infinite_values.tsv")
    app.checkbox(key="drop_bad_rows").check().run()
    _assert_no_exception(app)
    assert "infinite_values.tsv" in _header(app)
    assert _said(app, "2 rows with missing or invalid values dropped (lines 3, 4)", "caption")
    assert not app.error


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"x,y\n" + b"1," * 600_000 + b"2\n3,4\n", "Line 2 is 1,200,002 characters long"),
        (b"x,y\n1,2\n3,1e200\n4,5\n", "Column 'y' holds 1e+200 on line 3: values beyond ±1e+100 are too large"),
    ],
    ids=["line over 1 MB", "value too large to compute with"],
)
def test_unusable_content_is_refused_and_the_good_data_stay(shared_app, content, message):
    _upload(shared_app, content, "odd.csv")
    _assert_no_exception(shared_app)
    assert _said(shared_app, message, "error"), _shown(shared_app, "error")
    _assert_good_data_still_shown(shared_app)


def test_a_file_over_the_upload_limit_is_refused(shared_app):
    # The browser's uploader refuses it first (max_upload_size); the reader refuses it too.
    content = b"1,2\n" * ((data.MAX_UPLOAD_MB + 1) * 2**20 // 4)
    _upload(shared_app, content, "huge.csv")
    _assert_no_exception(shared_app)
    assert _said(shared_app, f"The file is too large: the limit is {data.MAX_UPLOAD_MB} MB and it is 51 MB", "error")
    _assert_good_data_still_shown(shared_app)


def test_the_upload_limit_is_the_servers_and_the_uploaders_and_is_explained(shared_app):
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == data.MAX_UPLOAD_MB
    uploader = shared_app.file_uploader(key="upload").proto
    assert uploader.max_upload_size_mb == data.MAX_UPLOAD_MB
    assert f"at most {data.MAX_UPLOAD_MB} MB" in uploader.help and f"{data.MAX_ROWS:,} rows" in uploader.help


@pytest.mark.parametrize(
    ("content", "header", "note"),
    [
        (b"x\n1\n1.2\n0.9\n5\n5.3\n4.8\n", "6 points · 1 column", None),
        (b"x;y\n1,5;2,5\n1,7;2,25\n6,1;7,0\n6,4;7,5\n", "4 points · 2 columns", "decimal commas read as decimal"),
        ("\ufeffx,y\n1,2\n2,3\n8,9\n9,8\n".encode(), "columns: x, y.", "UTF-8 byte-order mark removed"),
        ("größe;höhe\n1;2\n2;3\n8;9\n9;8\n".encode("latin-1"), "columns: größe, höhe.", "read as Latin-1"),
        (b'"x","y"\n"1","2"\n"2","3"\n"8","9"\n"9","8"\n', "4 points · 2 columns", None),
        (b"x,y\n1,2\n\n2,3\n8,9\n9,8\n", "4 points", "1 blank line between data rows skipped"),
    ],
    ids=["one column", "decimal commas", "UTF-8 BOM", "Latin-1", "quoted fields", "blank line"],
)
def test_unusual_but_readable_files_load_and_say_how_they_were_read(loading_app, content, header, note):
    _upload(loading_app, content, "unusual.csv")
    _assert_no_exception(loading_app)
    assert "unusual.csv" in _header(loading_app) and header in _header(loading_app)
    if note:
        assert _said(loading_app, note, "caption")
    assert loading_app.get("plotly_chart")


def test_a_long_file_is_fitted_on_a_seeded_sample_whose_seed_the_user_sets(app, monkeypatch):
    monkeypatch.setattr(data, "MAX_ROWS", 20)
    rows = b"x,y\n" + b"".join(f"{i % 7},{(3 * i) % 11}\n".encode() for i in range(50))
    _upload(app, rows, "long.csv")
    _assert_no_exception(app)
    assert "long.csv · 20 points" in _header(app)
    assert _said(app, "This file has 50 rows, more than the 20 the app fits at once", "info")
    assert _said(app, "50 rows, a random sample of 20 used (seed 0)", "caption")
    start_before = shown_table(app, "start")
    app.number_input(key="n_components").set_value(3).run()
    app.number_input(key="upload_sample_seed").set_value(7).run()
    _assert_no_exception(app)
    assert _said(app, "50 rows, a random sample of 20 used (seed 7)", "caption")
    assert app.number_input(key="n_components").value == 3  # another sample keeps the user's settings
    assert not shown_table(app, "start").equals(start_before)  # but a new start from its points


def test_a_wide_file_fits_at_most_the_column_limit(loading_app):
    app = loading_app
    n_columns = data.MAX_FIT_COLUMNS + 2
    rng = np.random.default_rng(0)
    values = rng.normal(size=(30, n_columns))
    content = ",".join(f"c{j}" for j in range(n_columns)) + "\n"
    content += "".join(",".join(f"{v:.3f}" for v in row) + "\n" for row in values)
    _upload(app, content.encode(), "wide.csv")
    _assert_no_exception(app)
    chosen = app.multiselect(key="fit_columns")
    assert chosen.value == [f"c{j}" for j in range(data.MAX_FIT_COLUMNS)]
    assert _said(
        app, f"The data have {n_columns} numeric columns; the fit uses at most {data.MAX_FIT_COLUMNS}", "caption"
    )


# --- User text is shown as text ----------------------------------------------------------------------------------

HOSTILE_NAMES = ["<script>alert(1)</script>", "**bold**", "[link](https://example.com)"]


def test_column_and_file_names_are_shown_literally_never_as_markup(loading_app):
    app = loading_app
    header = ",".join(HOSTILE_NAMES) + "\n"
    rows = "".join(f"{i},{(i * 7) % 5},{(i * 3) % 4}\n" for i in range(12))
    _upload(app, (header + rows).encode(), "**evil** <b>name</b>.csv")
    _assert_no_exception(app)
    for element in [*app.markdown, *app.caption, *app.error, *app.warning, *app.info, *app.success]:
        raw = str(element.value)
        for text in [*HOSTILE_NAMES, "**evil**", "<b>name</b>"]:
            assert text not in raw, f"{text!r} reaches Markdown unescaped: {raw!r}"
    shown = _header(app)  # the escaped Markdown shows exactly the user's text
    assert "**evil** <b>name</b>.csv" in shown and "columns: " + ", ".join(HOSTILE_NAMES) in shown
    # Widget options are plain text: Streamlit never renders them as Markdown or HTML.
    assert app.multiselect(key="fit_columns").options == HOSTILE_NAMES
    assert app.selectbox(key="x_column").options == HOSTILE_NAMES
    # The read-only tables (HTML) name the columns in their tooltips, escaped.
    bodies = "".join(element.proto.body for element in app.get("html"))
    assert "<script>" not in bodies and 'title="mean of &lt;script&gt;alert(1)&lt;/script&gt;"' in bodies


def test_the_start_tables_tooltips_escape_column_names():
    help_text = tables.column_help(2, HOSTILE_NAMES[:2])
    assert "<script>" not in help_text["μx"] and "**bold**" not in help_text["μy"]
    assert _unescaped(help_text["ρ"]) == f"correlation of {HOSTILE_NAMES[0]} and {HOSTILE_NAMES[1]} (between -1 and 1)"


def test_no_element_is_allowed_to_render_html():
    # User text (file and column names, labels) reaches many elements; none may render raw HTML. The one HTML
    # element, st.html, only ever shows tables.html_table, which escapes every text it is given.
    sources = [ROOT / "streamlit_app.py", *sorted((ROOT / "gmm_ui").glob("*.py"))]
    offenders = [path.name for path in sources if "unsafe_allow_html" in path.read_text()]
    assert not offenders, f"unsafe_allow_html is used in {offenders}"
    html_calls = [line.strip() for path in sources for line in path.read_text().splitlines() if "st.html(" in line]
    assert html_calls and all(call.startswith("st.html(tables.html_table(") for call in html_calls), html_calls


def test_html_tables_escape_every_text_they_show():
    hostile = HOSTILE_NAMES[0]
    frame = pd.DataFrame({hostile: [0.5], 'say "hi"': [float("nan")]}, index=pd.Index([hostile], name=hostile))
    body = tables.html_table(frame, hostile, digits=2, titles={hostile: f'" onmouseover="{hostile}'})
    assert "<script>" not in body and 'onmouseover="' not in body
    # the table's name, the row's label, and the column and index names, each with the same tooltip
    assert body.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 6
    assert "<td>–</td>" in body and "<td>0.50</td>" in body  # NaN as a dash, numbers to the digits asked


# --- Parameters --------------------------------------------------------------------------------------------------


def _parameters_are_finite(at):
    estimate = shown_table(at, "parameters")  # the fitted parameters (the last iteration in the EM tab)
    return np.isfinite(estimate.to_numpy(dtype=float)).all()


def test_k_above_the_distinct_points_is_explained_and_the_data_stay(app):
    _upload(app, b"x,y\n1,1\n1,1\n1,1\n2,2\n2,2\n", "duplicates.csv")
    app.number_input(key="n_components").set_value(3).run()
    _assert_no_exception(app)
    assert _said(app, "K = 3 is more than the 2 distinct point(s) in the data", "error")
    assert not _said(app, "The table has 2 row(s)", "error")  # the cause is said once, not a consequence
    assert _said(app, "EM keeps running from the last valid start (K = 2) until the problem above is solved.")
    assert "duplicates.csv · 5 points" in _header(app)
    assert app.number_input(key="n_components").value == 3  # the user's K is kept, not silently changed


@pytest.mark.parametrize("value", [0, -2])
def test_k_below_one_in_session_state_cannot_crash(preset_app, value):
    preset_app.session_state["n_components"] = value
    preset_app.run()
    _assert_no_exception(preset_app)
    assert preset_app.number_input(key="n_components").value == 1
    assert len(shown_table(preset_app, "start")) == 1


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"π": 0.0}, "Component 1: π = 0 must lie between 0 and 1, excluding 0"),
        ({"π": -0.2}, "Component 1: π = -0.2 must lie between 0 and 1"),
        ({"σy": 0.0}, "Component 1: σy = 0 must be positive (a standard deviation)"),
        ({"ρ": 1.0}, "Component 1: ρ = 1 must lie strictly between -1 and 1"),
        ({"ρ": -1.0}, "Component 1: ρ = -1 must lie strictly between -1 and 1"),
        ({"π": 0.1}, "The weights π must sum to 1; they sum to"),
    ],
)
def test_an_invalid_start_says_which_cell_and_keeps_the_last_valid_start(shared_preset_app, cells, message):
    app = shared_preset_app
    edit_start(app)  # no edit: the preset's own start
    fitted_before = app.metric[0].value
    edit_start(app, **cells)
    _assert_no_exception(app)
    assert _said(app, message, "error"), _shown(app, "error")
    assert _said(app, "EM keeps running from the last valid start", "caption")
    assert app.metric[0].value == fitted_before


def test_weights_that_do_not_sum_to_one_point_to_the_normalise_button_which_fixes_them(preset_app):
    edit_start(preset_app, **{"π": 0.1})
    assert _said(preset_app, "Press “Normalise weights” to divide each by their sum.", "error")
    preset_app.button(key="normalise_weights").click().run()
    _assert_no_exception(preset_app)
    assert not preset_app.error
    assert start_editor(preset_app).value["π"].sum() == pytest.approx(1.0)


def test_correlations_that_cannot_hold_together_are_named(preset_app):
    preset_app.selectbox(key="scenario").set_value("S8").run()  # iris: 4 columns
    names = preset_app.multiselect(key="fit_columns").value[:3]
    preset_app.multiselect(key="fit_columns").set_value(names).run()
    edit_start(preset_app, **{"ρ12": 0.9, "ρ13": 0.9, "ρ23": -0.9})
    _assert_no_exception(preset_app)
    message = "Component 1: the correlations ρ12 = 0.9, ρ13 = 0.9, ρ23 = -0.9 cannot all hold at once"
    assert _said(preset_app, message, "error")


def test_a_mean_far_from_the_data_is_pointed_out_and_the_fit_stays_finite(preset_app):
    edit_start(preset_app, **{"μx": 1e6})
    _assert_no_exception(preset_app)
    assert not preset_app.error
    assert _said(preset_app, "Component 1 starts far from the data", "info")
    assert _said(preset_app, "Component 1 became degenerate at iteration 1: its weight fell to zero", "warning")
    assert _parameters_are_finite(preset_app)  # the table holds the last iteration's parameters
    assert em_chart.em_chart(preset_app)["frames"]


@pytest.mark.parametrize(
    "view",
    [
        "EM, step by step",
        "Does the start matter?",
        "k-means vs GMM",
        "Covariance types",
        "How many components?",
        "Sampling from the model",
    ],
)
def test_zero_iterations_show_the_start_alone(preset_without_iterations, view):
    app = preset_without_iterations
    app.session_state["view"] = view
    app.run()
    _assert_no_exception(app)
    if view == "EM, step by step":
        assert _said(app, "Stopped after 0 iterations (the maximum)", "info")
        assert _said(app, "EM stopped at its start (iteration 0)", "caption")
        assert not [box for box in app.number_input if box.key == "iteration"]
        assert len(em_chart.em_chart(app)["frames"]) == 1


def test_zero_tolerance_runs_every_iteration(preset_app):
    preset_app.number_input(key="max_iter").set_value(40).run()
    preset_app.number_input(key="tol").set_value(0.0).run()
    _assert_no_exception(preset_app)
    assert em_chart.last_position(preset_app) == 40
    assert _said(preset_app, "Ran all 40 iterations: with tolerance 0, EM never stops early.", "info")


def test_zero_reg_covar_on_duplicate_points_names_the_degenerate_component_and_keeps_the_settings(app):
    _upload(app, b"x,y\n1,1\n1,1\n1,1\n2,2\n2,2\n5,3\n5,3\n5,3.1\n", "duplicates.csv")
    app.number_input(key="n_components").set_value(3).run()
    app.number_input(key="reg_covar").set_value(0.0).run()
    _assert_no_exception(app)
    assert _said(app, "EM could not run: Component 1 became degenerate at iteration 1", "error")
    assert _said(app, "With reg_covar = 0 a group of identical points has no spread at all", "error")
    assert app.number_input(key="reg_covar").value == 0.0
    assert app.number_input(key="n_components").value == 3
    assert "duplicates.csv · 8 points" in _header(app)


def test_settings_that_would_exhaust_memory_are_refused_with_what_to_lower(app):
    rng = np.random.default_rng(0)
    content = "a,b,c,d\n" + "".join(",".join(f"{v:.4f}" for v in row) + "\n" for row in rng.normal(size=(210, 4)))
    _upload(app, content.encode(), "four.csv")
    app.number_input(key="max_iter").set_value(5000).run()
    app.number_input(key="n_components").set_value(200).run()
    _assert_no_exception(app)
    assert _said(
        app,
        "EM could not run: K = 200 components in 4 columns over up to 5,000 iterations would keep 160 MB of snapshots",
        "error",
    ), _shown(app, "error")
    assert _said(app, "Lower the maximum number of iterations to 3,993 or fewer", "error")
    assert fitting.snapshots_too_large(200, 2, 5000) is None  # the largest 2-D fit the controls allow


# --- Degenerate fits ---------------------------------------------------------------------------------------------


def test_collinear_points_collapse_components_and_say_which_and_when(app):
    _upload(app, b"x,y\n" + b"".join(f"{i},{2 * i}\n".encode() for i in range(12)), "line.csv")
    _assert_no_exception(app)
    assert _said(
        app, "Component 1 became degenerate at iteration 1: its covariance collapsed onto a point or a line", "warning"
    )
    assert _parameters_are_finite(app)


def test_identical_points_fit_one_collapsed_component(app):
    _upload(app, b"x,y\n" + b"3,4\n" * 6, "same.csv")
    assert _said(app, "K = 2 is more than the 1 distinct point(s)", "error")
    app.number_input(key="n_components").set_value(1).run()
    _assert_no_exception(app)
    assert _said(app, "Component 1 became degenerate at iteration 1", "warning")
    assert _parameters_are_finite(app)


def test_standardising_constant_columns_is_refused_but_the_fit_stays(app):
    _upload(app, b"x,y\n" + b"3,4\n" * 6, "same.csv")
    app.number_input(key="n_components").set_value(1).run()
    app.toggle(key="standardize").set_value(True).run()
    _assert_no_exception(app)
    assert _said(app, "'x', 'y' have the same value in every row and cannot be standardised", "error")
    assert _said(app, "Meanwhile the columns are fitted in their own units.", "caption")
    assert app.get("plotly_chart")


@pytest.mark.parametrize(("scale", "said"), [(1e9, "'x' reaches"), (1e-9, "'x' has a standard deviation of")])
def test_an_extreme_scale_suggests_standardising(app, scale, said):
    rng = np.random.default_rng(0)
    points = np.vstack([rng.normal(0, 1, (10, 2)), rng.normal(5, 1, (10, 2))]) * scale
    _upload(app, ("x,y\n" + "".join(f"{a:.17g},{b:.17g}\n" for a, b in points)).encode(), "scaled.csv")
    _assert_no_exception(app)
    assert _said(app, said, "warning") and _said(app, "Turn on “Standardise columns”", "warning")
    app.toggle(key="standardize").set_value(True).run()
    _assert_no_exception(app)
    assert not _said(app, "Extreme scale", "warning")
    assert _parameters_are_finite(app)


def test_a_run_with_non_finite_values_is_never_drawn():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 2))
    run = fitting.gmm_core.fit_em(X, fitting.gmm_core.initialize(X, 2), max_iter=3, tol=0)
    assert fitting.first_non_finite_iteration(run) is None
    means = run.means.copy()
    means[2, 1, 0] = np.nan
    broken = type(run)(**{**run.__dict__, "means": means})
    assert fitting.first_non_finite_iteration(broken) == 2
