"""Shared fixtures. Network access is blocked for the whole suite: no library may download behind our back."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"
EVAL = SHARED / "eval"


class NetworkBlocked(RuntimeError):
    pass


def _refuse(*args, **kwargs):
    raise NetworkBlocked("network access attempted during tests")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Internet sockets fail loudly; local AF_UNIX sockets (used by some test servers) still work."""
    real_socket = socket.socket

    class GuardedSocket(real_socket):
        def connect(self, address):
            if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
                _refuse()
            return super().connect(address)

    monkeypatch.setattr(socket, "socket", GuardedSocket)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: _refuse() if not _is_loopback(address) else real_create(address, *a, **k))


real_create = socket.create_connection


def _is_loopback(address) -> bool:
    host = address[0] if isinstance(address, tuple) else str(address)
    return host in ("127.0.0.1", "::1", "localhost") or str(host).startswith("127.")


@pytest.fixture(scope="session")
def pipeline():
    from parallax.pipeline import Pipeline

    return Pipeline()


def sample(name: str) -> Path:
    return EXAMPLES / name


@pytest.fixture
def wide_terminal(monkeypatch):
    """Terminal tables wide enough that names and headers are not folded across lines."""
    from parallax import cli as cli_module

    monkeypatch.setattr(cli_module.out, "width", 240)
