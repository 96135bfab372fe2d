"""The one scope translator: None restricts nothing, an empty set is FALSE."""

from __future__ import annotations

from sqlalchemy import column, table
from sqlalchemy.sql.elements import False_, True_

from dashboard.auth.scope import Scope
from dashboard.queries.scope_sql import customer_scope, scope_clauses, unit_scope

CELLS = table("cells", column("branch_id"), column("department_id"))


def _sql(clause) -> str:
    return str(clause.compile(compile_kwargs={"literal_binds": True}))


def test_unrestricted_viewer_gets_no_clause_and_a_table_gets_true():
    assert unit_scope(CELLS.c.branch_id, CELLS.c.department_id, Scope.everything()) == []
    [only] = scope_clauses(CELLS, Scope.everything())
    assert isinstance(only, True_)


def test_each_restricted_axis_is_an_in_list_and_an_empty_set_is_false():
    branch, nothing = scope_clauses(CELLS, Scope(branch_ids=frozenset({3, 1}), department_ids=frozenset()))
    assert _sql(branch) == "cells.branch_id IN (1, 3)"
    assert isinstance(nothing, False_)
    assert all(isinstance(c, False_) for c in scope_clauses(CELLS, Scope.nothing()))


def test_customers_of_a_department_scope_are_those_who_dealt_with_it():
    branch, dealt = customer_scope(Scope(branch_ids=frozenset({2}), department_ids=frozenset({5})))
    assert _sql(branch) == "customer.branch_id IN (2)"
    assert "customer_department" in _sql(dealt) and "IN (5)" in _sql(dealt)
    assert customer_scope(Scope.everything()) == []
    [nothing] = customer_scope(Scope(department_ids=frozenset()))
    assert isinstance(nothing, False_)
