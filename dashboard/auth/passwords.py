"""Password hashing with werkzeug's scrypt (salted, memory-hard)."""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 10
# Verified against when the username is unknown, so a wrong name costs the
# same time as a wrong password and does not reveal which names exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def hash_password(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    return generate_password_hash(password, method="scrypt")


def verify_password(stored_hash: str | None, password: str) -> bool:
    return check_password_hash(stored_hash or _DUMMY_HASH, password) and stored_hash is not None


def password_problem(password: str) -> str | None:
    if len(password) < MIN_LENGTH:
        return f"a password needs at least {MIN_LENGTH} characters"
    if password.strip() != password:
        return "a password must not start or end with spaces"
    return None
