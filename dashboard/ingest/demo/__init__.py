"""Deterministic demo data with planted structure (docs/DEMO-DATA.md).

`generate_demo(engine, responses=..., seed=...)` fills an empty, migrated
database. The same seed always yields the same rows.
"""

from dashboard.ingest.demo.generate import DemoResult, generate_demo

__all__ = ["DemoResult", "generate_demo"]
