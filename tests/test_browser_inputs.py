"""Inputs in the real app (Debian's chromium): bad uploads (the message appears and the data set loaded before
stays), user text shown as typed, and the start's table and editor.

The screenshots ``test-output/bad_upload.png`` and ``start_editor.png`` show the page after a bad upload and with
the start's grid open, for people to look at.
"""

from pathlib import Path

import pytest

from tests.browser_support import (
    BROWSER_TESTS,
    CHART,
    CHART_TIMEOUT_MS,
    assert_no_exception,
    open_start,
    screenshot,
    script_runs,
    wait_for_runs,
)

pytestmark = BROWSER_TESTS

BAD_FILES = Path(__file__).resolve().parent / "bad_files"
GOOD_ROWS = ["length,width"] + [f"{1 + 0.1 * (i % 5):.2f},{2 + 0.1 * (i % 3):.2f}" for i in range(10)]
GOOD_ROWS += [f"{6 + 0.1 * (i % 4):.2f},{1 + 0.1 * (i % 5):.2f}" for i in range(10)]
GOOD_CSV = ("\n".join(GOOD_ROWS) + "\n").encode()


def _upload(page, name, content):
    page.locator(".st-key-upload input[type=file]").set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": content}
    )


@pytest.fixture
def page_with_good_upload(page):
    from playwright.sync_api import expect

    page.get_by_role("radio", name="Upload CSV").click()
    runs = wait_for_runs(page, 1)  # the radio's
    _upload(page, "good points.csv", GOOD_CSV)
    expect(page.get_by_text("20 points", exact=False).first).to_be_visible(timeout=CHART_TIMEOUT_MS)
    expect(page.get_by_text("good points.csv", exact=False).first).to_be_visible()
    wait_for_runs(page, runs, exactly=False)  # the upload's
    return page


def _expect_good_data_still_shown(page, runs):
    from playwright.sync_api import expect

    wait_for_runs(page, runs, exactly=False)  # the upload's runs have drawn the whole page
    header = page.get_by_text("good points.csv · 20 points", exact=False)
    expect(header).to_be_visible()
    expect(page.get_by_text("Still showing: good points.csv (20 points).")).to_be_visible()
    expect(page.locator(CHART).first).to_be_visible()
    expect(page.locator(f"{CHART} .slider-rail-rect").first).to_be_attached()  # the fit can still be scrubbed


def test_bad_uploads_show_their_message_and_keep_the_previous_data(page_with_good_upload):
    from playwright.sync_api import expect

    page = page_with_good_upload
    for name, message in [
        ("excel_workbook.xlsx", "This looks like an Excel workbook (.xlsx)"),
        ("ragged_rows.csv", "but line 5 has 2, line 9 has 4"),
    ]:
        runs = script_runs(page)
        _upload(page, name, (BAD_FILES / name).read_bytes())
        error = page.locator('[data-testid="stAlertContentError"]', has_text=message)
        expect(error).to_be_visible(timeout=CHART_TIMEOUT_MS)
        expect(error).to_contain_text(f"Could not read {name}")
        _expect_good_data_still_shown(page, runs)
        assert_no_exception(page)
        if name.endswith(".xlsx"):
            screenshot(page, "bad_upload.png")


def test_user_text_is_shown_literally_in_the_page_and_the_chart(page):
    from playwright.sync_api import expect

    page.get_by_role("radio", name="Upload CSV").click()
    names = ["<b>bold</b>", "**stars**"]
    rows = [",".join(names)] + [f"{i % 5},{(3 * i) % 7}" for i in range(12)]
    runs = wait_for_runs(page, 1)  # the radio's
    _upload(page, "<i>name</i>.csv", ("\n".join(rows) + "\n").encode())
    expect(page.get_by_text("<i>name</i>.csv · 12 points", exact=False)).to_be_visible(timeout=CHART_TIMEOUT_MS)
    wait_for_runs(page, runs, exactly=False)
    page.get_by_role("button", name="About").click()  # the data set's description, under the header
    expect(page.get_by_text(f"columns: {', '.join(names)}.", exact=False)).to_be_visible()
    page.keyboard.press("Escape")
    # Plotly reads a few HTML tags in titles; the axis titles must show the column names as typed.
    axis_titles = page.locator(f"{CHART} .g-xtitle, {CHART} .g-ytitle")
    expect(axis_titles.first).to_be_visible(timeout=CHART_TIMEOUT_MS)
    assert names[0] in axis_titles.all_text_contents()
    # The read-only start table names the columns in its tooltips, as typed.
    titles = page.locator('[data-table="start"] th').evaluate_all("cells => cells.map(cell => cell.title)")
    assert f"mean of {names[0]}" in titles and f"standard deviation of {names[1]} (> 0)" in titles
    assert_no_exception(page)


def test_the_start_is_a_table_until_the_user_asks_to_edit_it(page):
    """The first page loads no data grid (its scripts would delay the first chart); "Edit the values" opens the
    start's grid, with the same numbers, and closing it brings the table back. The screenshot
    ``test-output/start_editor.png`` shows the open grid."""
    from playwright.sync_api import expect

    runs = wait_for_runs(page, 0)  # the page's one run
    open_start(page)
    table = page.locator('[data-table="start"]')
    expect(table).to_be_visible()
    assert table.locator("tbody tr").count() == 3
    first_mean = table.locator("tbody tr").first.locator("td").nth(2).inner_text()
    grids = "() => performance.getEntriesByType('resource').filter(e => e.name.includes('/DataFrame.')).length"
    assert page.evaluate(grids) == 0
    page.locator(".st-key-edit_start label").click()
    grid = page.locator('[data-testid="stDataFrame"]').first
    expect(grid).to_be_visible(timeout=CHART_TIMEOUT_MS)
    expect(table).to_have_count(0)
    wait_for_runs(page, runs)
    assert page.evaluate(grids) > 0
    screenshot(page, "start_editor.png")
    page.locator(".st-key-edit_start label").click()
    expect(page.locator('[data-table="start"] tbody tr').first.locator("td").nth(2)).to_have_text(first_mean)
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(0)
    assert_no_exception(page)
