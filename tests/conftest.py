"""Suite-wide: signing keys go to a temporary PARLANTE_HOME, never the user's own."""

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def parlante_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("parlante-home")
    old = os.environ.get("PARLANTE_HOME")
    os.environ["PARLANTE_HOME"] = str(home)  # subprocesses (CLI tests) inherit it
    yield home
    if old is None:
        os.environ.pop("PARLANTE_HOME", None)
    else:
        os.environ["PARLANTE_HOME"] = old
