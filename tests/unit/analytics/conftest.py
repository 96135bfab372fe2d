"""Fixtures of the analytics tests: the reference package plspm, runnable
under pandas 3, used only as an oracle."""

from __future__ import annotations

import pytest


@pytest.fixture
def plspm_on_pandas3(monkeypatch):
    """plspm.Plspm with its InnerModel made to run under pandas 3.

    plspm 0.5.7 indexes a row as `path.loc[dv,]`, which pandas 3 rejects; the
    patch recompiles plspm's own inner_model source with only that idiom
    changed to `path.loc[dv]`, so every number still comes from plspm's code."""
    import inspect
    import types

    import plspm.inner_model as inner_model
    import plspm.plspm as plspm_main

    source = inspect.getsource(inner_model)
    assert source.count("path.loc[dv,]") == 2  # fails loudly if plspm changes
    patched = types.ModuleType("plspm_inner_model_pandas3")
    exec(
        compile(source.replace("path.loc[dv,]", "path.loc[dv]"), inner_model.__file__, "exec"),
        patched.__dict__,
    )
    monkeypatch.setattr(plspm_main, "im", patched)
    return plspm_main.Plspm
