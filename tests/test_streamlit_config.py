"""The server settings the load runs depend on, as Streamlit itself reads them from `.streamlit/config.toml`.

Read through Streamlit's own parser, so a misspelled key (which Streamlit ignores with a warning) fails too.
Why each setting is there is said beside it in the file and, with its measurement, in the README.
"""

from pathlib import Path

import pytest
from streamlit import config

ROOT = Path(__file__).resolve().parent.parent

SETTINGS = {
    "server.websocketPingInterval": 120,  # a page that fell behind kept its connection
    "server.fileWatcherType": "none",  # a new session costs the event loop a quarter as much
    "server.maxUploadSize": 64,  # the README's and the importer's cap
    "runner.fastReruns": False,  # one script runner per session
    "runner.postScriptGC": False,
    "global.minCachedMessageSize": 1e12,  # every element sent whole
}


@pytest.fixture
def project_config(monkeypatch):
    monkeypatch.chdir(ROOT)  # Streamlit reads the project's file from the working directory
    config.get_config_options(force_reparse=True)
    yield
    monkeypatch.undo()
    config.get_config_options(force_reparse=True)


@pytest.mark.parametrize("option, value", SETTINGS.items())
def test_the_project_config_sets(project_config, option, value):
    assert config.get_option(option) == value
    assert config.get_where_defined(option).endswith(str(Path(".streamlit", "config.toml")))
