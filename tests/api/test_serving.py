"""Serving with several API worker processes: the shared listening socket, and the command line's guard."""

from __future__ import annotations

import asyncio
import socket

from typer.testing import CliRunner

from api.serving import listening_socket
from dispute_engine.cli import app


def test_connections_accepted_on_the_workers_socket_send_without_delay():
    """Nagle's algorithm is off on every accepted connection, so a response is not held back waiting for the
    client's delayed acknowledgement (uvicorn's own socket for --workers left it on)."""

    async def accepted_nodelay() -> int:
        sock = listening_socket("127.0.0.1", 0)
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            peer = writer.get_extra_info("socket")
            accepted.set_result(peer.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(connected, sock=sock)
        async with server:
            _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
            try:
                return await asyncio.wait_for(accepted, 10)
            finally:
                writer.close()

    assert asyncio.run(accepted_nodelay()) != 0


def test_several_api_workers_without_no_background_are_refused_naming_the_option():
    result = CliRunner().invoke(app, ["serve", "--workers", "2"])

    assert result.exit_code == 2
    assert "--workers" in result.output and "--no-background" in result.output
