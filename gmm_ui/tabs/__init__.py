"""The main area's tabs, one module each, every one exposing ``render(fit)`` (``streamlit_app.py`` wires them to
``gmm_ui.state.TABS``); ``common`` holds what several of them draw with."""
