"""`csat users create | list | set-password | deactivate | activate`."""

from __future__ import annotations

import click

from dashboard.auth.roles import ROLES
from dashboard.auth.users import NewUser, UserError, create_user, list_users, set_active, set_password
from dashboard.cli_common import start_runtime


@click.group()
def users() -> None:
    """Manage dashboard logins (roles: admin, executive, department_head, team_member)."""


@users.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", "display_name", default=None, help="Display name (default: the username).")
@click.option("--branch", default=None, help="Branch code (department heads, team members).")
@click.option("--department", default=None, help="Department code (department heads, team members).")
@click.option("--staff", default=None, help="Employee reference: links plans the user owns.")
@click.password_option(help="Asked for (hidden, twice) when not given; at least 10 characters.")
def create(username, role, display_name, branch, department, staff, password) -> None:
    """Create a login. A department head needs --department (across branches),
    --branch, or both (one unit); a team member needs both."""
    try:
        with start_runtime().write_session() as session:
            user = create_user(
                session, NewUser(username, password, role, display_name, branch, department, staff)
            )
    except UserError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {user.username} ({user.role}, scope {user.scope.cache_key()})")


@users.command("list")
def list_() -> None:
    """Every login with role, unit and status."""
    with start_runtime().read_session() as session:
        rows = list_users(session)
        for row in rows:
            unit = f"branch={row.branch_id or '*'} department={row.department_id or '*'}"
            state = "active" if row.is_active else "deactivated"
            click.echo(f"{row.username:<24} {row.role:<16} {unit:<28} {state}")
    if not rows:
        click.echo("no users yet: csat users create NAME --role admin")


@users.command("set-password")
@click.argument("username")
@click.password_option()
def set_password_(username, password) -> None:
    """Change a password; the user's open sessions end."""
    _write(set_password, username, password)
    click.echo(f"password changed for {username}")


@users.command("deactivate")
@click.argument("username")
def deactivate(username) -> None:
    """Block a login at once (history and plans are kept)."""
    _set_active(username, False)


@users.command("activate")
@click.argument("username")
def activate(username) -> None:
    _set_active(username, True)


def _set_active(username: str, active: bool) -> None:
    _write(set_active, username, active)
    click.echo(f"{username} {'activated' if active else 'deactivated'}")


def _write(change, *args) -> None:
    """Run one user change in a transaction; a UserError becomes a CLI error."""
    try:
        with start_runtime().write_session() as session:
            change(session, *args)
    except UserError as exc:
        raise click.ClickException(str(exc)) from exc
