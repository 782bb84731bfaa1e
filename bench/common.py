"""What every benchmark process shares, so the targets differ only in what they measure."""

from __future__ import annotations

import socket

from bot.server import BACKLOG

__all__ = ["BACKLOG", "free_port", "install_event_loop"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def install_event_loop() -> None:
    """Use the same event loop as the app (bot.server decides), for every process."""
    from bot.server import install_event_loop as app_loop

    app_loop()
