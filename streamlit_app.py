"""GMM Explorer: fit Gaussian mixtures by EM and scrub through every iteration (run: streamlit run streamlit_app.py)."""


def main():
    """The page: the sidebar's choices, then the open tab's view of the fit they ask for. Its imports are made
    here, not at the top of the file: see the note at the end."""
    import streamlit as st

    from gmm_ui import runtime

    runtime.one_blas_thread()  # as `make run` does, also under a plain `streamlit run`
    runtime.prompt_event_loop()
    st.set_page_config(page_title="GMM Explorer", page_icon=":material/scatter_plot:", layout="wide")

    from gmm_ui import controls, page, share, state, touch, turns  # after the page config: it comes first
    from gmm_ui.tabs import boxes, choose_k, covariance, em, kmeans, sampling, starts

    # What each tab draws (the tabs' names and labels are in gmm_ui.state.TABS).
    tab_views = {
        "em": em.render,
        "starts": starts.render,
        "kmeans": kmeans.render,
        "covariance": covariance.render,
        "choose_k": choose_k.render,
        "sampling": sampling.render,
        "boxes": boxes.render,
    }

    # One of the server's turns for the rest of the run (gmm_ui.turns): under load, a short line in its place says
    # how many are ahead; alone, nothing shows.
    with turns.turn(st.empty()):
        state.initialise(st.session_state)
        share.read_link()  # a shared link's settings, before any widget exists
        with st.sidebar:
            loaded = controls.data_section()
            fit_data = controls.columns_section(loaded)
            if fit_data is not None:
                share.apply_linked_start(fit_data)
                settings, strategy, seed = controls.model_section(fit_data)
            display = controls.display_section(fit_data)

        page.header(loaded)
        share.report_link()
        touch.draw_canvas()  # the "Draw" source's canvas
        if fit_data is None:
            st.info("Choose the columns to fit in the sidebar.")
        else:
            tabs = st.tabs(list(state.TABS.values()), key=state.VIEW, on_change="rerun")
            start_area = st.container()  # under the tabs: the chart is the first thing on screen
            for tab, name in zip(tabs, state.TABS):
                if tab.open:
                    with tab:
                        fit = page.fitted_run(fit_data, settings, strategy, seed, display, start_area)
                        if fit is not None:
                            tab_views[name](fit)
        share.update_url()  # the page's address follows every choice (see gmm_ui.share)


# Streamlit runs this script as "__main__" on every run of a page. A heavy fit's worker process (gmm_ui.workers,
# started by spawn) runs it first too, as "__mp_main__": there it must neither draw the page nor import Streamlit,
# Plotly or the page's modules (0.9 s and 100 MB more per worker), hence the imports inside main().
if __name__ == "__main__":
    main()
