"""The reference package plspm, used only as a test oracle: its description
of a model (the fixture that makes it run under pandas 3 is in conftest)."""

from __future__ import annotations


def plspm_config(blocks: dict[str, list[str]], paths: list[tuple[str, str]], scaled: bool = True):
    """plspm's description of a model: mode A blocks and the structural paths."""
    import plspm.config as c  # deferred: plspm is a test-only oracle, loaded where used
    from plspm.mode import Mode

    structure = c.Structure()
    for f, t in paths:
        structure.add_path([f], [t])
    config = c.Config(structure.path(), scaled=scaled)
    for name, items in blocks.items():
        config.add_lv(name, Mode.A, *[c.MV(i) for i in items])
    return config
