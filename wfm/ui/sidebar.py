"""The sidebar: language switch, and saving / loading the scenario as TOML."""

from __future__ import annotations

import streamlit as st
import tomli_w

from wfm.errors import InputError
from wfm.export import download_name
from wfm.ui import common, problems, state
from wfm.ui.common import session_folder
from wfm.ui.i18n import LANGUAGES, t
from wfm.uploads import unpack_upload


def sidebar() -> None:
    with st.sidebar:
        state.remember("lang", st.radio, "Language / 言語", options=list(LANGUAGES), format_func=LANGUAGES.get,
                       index=list(LANGUAGES).index(st.session_state["lang"]), horizontal=True)
        hist: state.History = st.session_state["history"]
        st.caption(t("Data: {name}", name=hist.source))
        st.caption(t("Scenario: {name}", name=state.scenario().get("name", "scenario")))
        with st.expander(t("Save / load scenario")):
            try:
                raw = state.scenario_for_saving()
                text = tomli_w.dumps(raw)
            except (InputError, TypeError, ValueError) as exc:
                common.error(exc, "The scenario cannot be saved")
                text = None
            if text is not None and hist.content is not None:
                # An uploaded history travels with its scenario: loading the zip in a new session starts from both.
                st.download_button(t("Save scenario (zip with the data)"), state.scenario_zip(raw, hist),
                                   file_name=download_name(str(raw.get("name", "scenario")), ".zip"),
                                   mime="application/zip", key="save_scenario",
                                   help=t("Settings of every page and the uploaded history ({name}): load the zip "
                                          "here to start from both again.", name=hist.source))
            elif text is not None:
                st.download_button(t("Save scenario (TOML)"), text,
                                   file_name=download_name(str(raw.get("name", "scenario")), ".toml"),
                                   mime="application/toml", key="save_scenario",
                                   help=t("Settings of every page; the history is the file the scenario names."))
            file = st.file_uploader(t("Load scenario (TOML, or zip with its files)"), type=["toml", "zip"],
                                    key="load_scenario",
                                    help=t("The files a scenario names must be in the zip with it, or in the "
                                           "app's data folder."))
            if file is not None and st.session_state.get("scenario_seen") != (file.name, file.size):
                st.session_state["scenario_seen"] = (file.name, file.size)
                try:
                    text, uploaded = unpack_upload(file.getvalue(), file.name, session_folder())
                    notes = state.load_scenario_text(text, file.name, uploaded=uploaded)
                    st.session_state["scenario_message"] = ("ok", t("Loaded {name}.", name=file.name), notes)
                except InputError as exc:
                    st.session_state["scenario_message"] = ("error", str(exc), [])
            message = st.session_state.get("scenario_message")
            if message:
                kind, text, notes = message
                if kind == "ok":
                    st.success(text)
                    for note in notes:
                        st.info(note)
                else:
                    st.error(f"**{t('The scenario was not loaded')}**: {problems.translate(text)}")
            if st.button(t("Reset to the bank example"), key="reset_scenario"):
                for key in list(st.session_state.keys()):
                    if key != "lang":
                        del st.session_state[key]
                st.rerun()
