"""``hearth users add|list|remove|role``: the LAN server's local accounts.

``hearth users role NAME ROLE`` changes an account's role; a running server applies it to
the account's tokens and API keys within a second (it re-reads account state every second).

Passwords are read from the terminal (asked twice), or from standard input with
``--password-stdin`` (scripts); they are stored as argon2 hashes in the engine database.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from app.engine_factory import build_engine
from engine.server.security.accounts import AccountError, AccountStore
from engine.server.security.principal import Role


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = sub.add_parser("users", help="accounts of the LAN server")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    add = users_sub.add_parser("add", help="add an account")
    add.add_argument("username")
    add.add_argument("--role", choices=["admin", "designer", "user"], default="user")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input")
    add.set_defaults(handler=add_user)
    listing = users_sub.add_parser("list", help="list the accounts")
    listing.set_defaults(handler=list_users)
    remove = users_sub.add_parser("remove", help="remove an account and its API keys")
    remove.add_argument("username")
    remove.set_defaults(handler=remove_user)
    role = users_sub.add_parser("role", help="change an account's role")
    role.add_argument("username")
    role.add_argument("role", choices=["admin", "designer", "user"])
    role.set_defaults(handler=set_role)


def _password(from_stdin: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        print("error: the passwords differ", file=sys.stderr)
        return None
    return first


async def _accounts_do(work: str, args: argparse.Namespace, password: str | None = None) -> int:
    async with build_engine(run_scheduler=False, watch_bots=False) as engine:
        accounts = AccountStore(engine.db)
        await accounts.install()
        if work == "add":
            assert password is not None
            account = await accounts.add_user(args.username, password, Role.parse(args.role))
            print(f"Added {account.username} ({account.role.label}).")
        elif work == "list":
            found = await accounts.users()
            if not found:
                print("No accounts yet. Add one with: hearth users add NAME --role admin")
            for user in found:
                print(f"{user.username:24} {user.role.label:10} {user.created_at}")
        elif work == "role":
            return await _set_role(accounts, args.username, Role.parse(args.role))
        elif not await accounts.remove_user(args.username):
            print(f"error: no user named '{args.username}'", file=sys.stderr)
            return 1
        else:
            print(f"Removed {args.username}.")
    return 0


async def _set_role(accounts: AccountStore, username: str, role: Role) -> int:
    before = await accounts.user(username)
    if before is None:
        print(f"error: no user named '{username}'", file=sys.stderr)
        return 1
    if before.role == role:
        print(f"{username} is already {role.label}.")
        return 0
    await accounts.set_role(username, role)
    print(f"{username} is now {role.label} (was {before.role.label}).")
    return 0


def _run(work: str, args: argparse.Namespace, password: str | None = None) -> int:
    try:
        return asyncio.run(_accounts_do(work, args, password))
    except AccountError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 1


def add_user(args: argparse.Namespace) -> int:
    password = _password(args.password_stdin)
    return 1 if password is None else _run("add", args, password)


def list_users(args: argparse.Namespace) -> int:
    return _run("list", args)


def remove_user(args: argparse.Namespace) -> int:
    return _run("remove", args)


def set_role(args: argparse.Namespace) -> int:
    return _run("role", args)
