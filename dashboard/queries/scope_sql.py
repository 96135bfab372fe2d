"""The one place a viewer's Scope becomes SQL.

Every row that sits in a branch x department unit (rollups, responses,
service requests, management answers, audits, staff, plans, units) is in
scope when its branch is allowed AND its department is allowed:
`unit_scope(branch_column, department_column, scope)`. `None` on an axis
restricts nothing; an empty allowed set yields FALSE, never everything.
A NULL column (a plan spanning every branch) only passes an unrestricted axis.

The named exception is the customer (`customer_scope`): a customer belongs
to a branch but to no department, so a department-scoped viewer sees the
customers who dealt with one of its departments (`customer_department`,
through a response or a service request).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, select, true

from dashboard.auth.scope import Scope
from dashboard.db.models import Customer, CustomerDepartment


def _allowed(column, ids: frozenset[int] | None) -> list[ColumnElement[bool]]:
    if ids is None:
        return []
    return [column.in_(sorted(ids)) if ids else false()]


def unit_scope(branch_column, department_column, scope: Scope) -> list[ColumnElement[bool]]:
    """WHERE clauses keeping rows whose branch and department are in scope
    (no clause at all for an unrestricted viewer)."""
    return _allowed(branch_column, scope.branch_ids) + _allowed(department_column, scope.department_ids)


def scope_clauses(table, scope: Scope) -> list[ColumnElement[bool]]:
    """`unit_scope` of a table with branch_id and department_id columns
    (TRUE when unrestricted, so the list is never empty)."""
    return unit_scope(table.c.branch_id, table.c.department_id, scope) or [true()]


def customer_scope(scope: Scope) -> list[ColumnElement[bool]]:
    """Customers in scope: their branch is allowed, and for a department-scoped
    viewer they dealt with one of the allowed departments."""
    clauses = _allowed(Customer.branch_id, scope.branch_ids)
    if scope.department_ids is not None:
        if not scope.department_ids:
            return [false()]
        dealt_with = select(CustomerDepartment.customer_id).where(
            CustomerDepartment.department_id.in_(sorted(scope.department_ids))
        )
        clauses.append(Customer.id.in_(dealt_with))
    return clauses
