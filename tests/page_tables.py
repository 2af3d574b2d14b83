"""The app's tables as AppTest sees them: the read-only HTML tables (start, fitted parameters) read back into
frames, and the start's editor, opened the way a user opens it."""

from html.parser import HTMLParser

import pandas as pd

NO_EDITS = {"edited_rows": {}, "added_rows": [], "deleted_rows": []}


class _Cells(HTMLParser):
    """The text of every cell, row by row (header row first)."""

    def __init__(self):
        super().__init__()
        self.rows, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.rows[-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def shown_table(at, name):
    """The HTML table marked ``data-table="name"`` as a frame: index from its first column, numbers as floats ("–"
    is NaN)."""
    bodies = [element.proto.body for element in at.get("html") if f'data-table="{name}"' in element.proto.body]
    assert len(bodies) == 1, f"{len(bodies)} tables named {name!r} on the page"
    parser = _Cells()
    parser.feed(bodies[0])
    (index_name, *columns), *rows = parser.rows
    numbers = [[float("nan") if cell == "–" else float(cell) for cell in row[1:]] for row in rows]
    return pd.DataFrame(numbers, columns=columns, index=pd.Index([int(row[0]) for row in rows], name=index_name))


def start_editor(at):
    """The start's editable grid, after turning on "Edit the values" if it is off."""
    if not at.toggle(key="edit_start").value:
        at.toggle(key="edit_start").set_value(True).run()
    return at.data_editor(key="init_table")


def edit_start(at, row=0, **cells):
    """Type ``cells`` into row ``row`` of the start's grid (opened first), and rerun."""
    at.session_state["edit_start"] = True
    at.session_state["init_table"] = {**NO_EDITS, "edited_rows": {row: cells}}
    return at.run()
