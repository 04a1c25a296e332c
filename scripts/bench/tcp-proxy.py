#!/usr/bin/env python3
"""A TCP proxy a script can cut (scripts/resilience.sh db-cut): forwards LISTEN_PORT to
TARGET_HOST:TARGET_PORT until told otherwise by a signal.

  SIGUSR1  cut: every open connection is reset and new ones are refused (the port is closed);
  SIGUSR2  hang: every open connection is reset, new ones are accepted and never answered;
  SIGHUP   open again: new connections are forwarded.

    tcp-proxy.py LISTEN_PORT TARGET_HOST TARGET_PORT
"""
import asyncio
import signal
import socket
import struct
import sys


class Proxy:
    def __init__(self, port, host, target):
        self.port, self.host, self.target = port, host, target
        self.server = None
        self.mode = "open"
        self.writers = set()

    async def start(self):
        self.server = await asyncio.start_server(self.accept, "127.0.0.1", self.port, reuse_address=True)

    def reset_all(self):
        for w in list(self.writers):
            sock = w.get_extra_info("socket")
            if sock is not None:
                # SO_LINGER 0: close with a reset, as a dropped link or a killed server looks.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            w.close()
        self.writers.clear()

    async def set_mode(self, mode):
        self.mode = mode
        self.reset_all()
        if mode == "cut" and self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None
        elif mode != "cut" and self.server is None:
            await self.start()
        print(f"proxy: {mode}", file=sys.stderr, flush=True)

    async def accept(self, reader, writer):
        self.writers.add(writer)
        if self.mode != "open":
            return  # held open, never answered, until reset
        try:
            up_reader, up_writer = await asyncio.open_connection(self.host, self.target)
        except OSError:
            writer.close()
            return
        self.writers.add(up_writer)
        await asyncio.gather(self.pipe(reader, up_writer), self.pipe(up_reader, writer))

    async def pipe(self, reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self.writers.discard(writer)
            writer.close()


async def main():
    port, host, target = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    proxy = Proxy(port, host, target)
    await proxy.start()
    loop = asyncio.get_running_loop()
    for sig, mode in ((signal.SIGUSR1, "cut"), (signal.SIGUSR2, "hang"), (signal.SIGHUP, "open")):
        loop.add_signal_handler(sig, lambda m=mode: asyncio.ensure_future(proxy.set_mode(m)))
    print("proxy: open", file=sys.stderr, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
