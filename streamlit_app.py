"""GMM Explorer: fit Gaussian mixtures by EM and scrub through every iteration (run: streamlit run streamlit_app.py)."""

import streamlit as st

from gmm_ui import runtime

runtime.one_blas_thread()  # as `make run` does, also under a plain `streamlit run`
st.set_page_config(page_title="GMM Explorer", page_icon=":material/scatter_plot:", layout="wide")

from gmm_ui import comparison_views, controls, share, state, views  # noqa: E402  (page config must come first)

#: What each tab draws (the tabs' names and labels are in gmm_ui.state.TABS).
TAB_VIEWS = {
    "em": views.em_tab,
    "starts": comparison_views.starts_tab,
    "kmeans": views.kmeans_tab,
    "covariance": comparison_views.covariance_types_tab,
    "choose_k": comparison_views.choose_k_tab,
    "sampling": views.sampling_tab,
}

state.initialise()
share.read_link()  # a shared link's settings, before any widget exists
with st.sidebar:
    loaded = controls.data_section()
    fit_data = controls.columns_section(loaded)
    if fit_data is not None:
        share.apply_linked_start(fit_data)
        settings, strategy, seed = controls.model_section(fit_data)
    display = controls.display_section(fit_data)

views.header(loaded)
share.report_link()
if fit_data is None:
    st.info("Choose the columns to fit in the sidebar.")
elif (fit := views.fitted_run(fit_data, settings, strategy, seed, display)) is not None:
    for tab, name in zip(st.tabs(list(state.TABS.values()), key="view", on_change="rerun"), state.TABS):
        if tab.open:
            with tab:
                TAB_VIEWS[name](fit)
share.update_url()  # the page's address follows every choice (see gmm_ui.share)
