"""The TCP forwarder between the app hosts and what they reach on this machine.

PostgreSQL may listen on 127.0.0.1 only, and the app hosts live in network namespaces: the
forwarder listens on the host side of each veth pair and connects to it, and to the Facebook
stand-in's Graph API. Being in the path is also what lets the run make PostgreSQL and Facebook
falter (refuse, answer late) without touching either, and count the hosts' Graph connections.
"""

import asyncio
import multiprocessing
import os
import threading
from collections import Counter
from contextlib import suppress

from .processes import Failed


class Forwarder:
    """TCP forwarding in a thread: a listener per (address, port) to one target each.

    Counts the connections each named route accepts (the app hosts' Graph connections), and
    drops both sides when either closes, so a terminated PostgreSQL backend is a dropped
    connection for the app host too. It is also how the run makes PostgreSQL and Facebook
    falter without touching either: a route can refuse (its open connections dropped, new
    ones closed at once: a server out of reach) or be slow (each answer held back a number of
    seconds: a Facebook that answers slowly), until restored.
    """

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.counts = Counter()
        self.servers = []
        self.modes = {}  # route name -> ("refuse",) or ("slow", seconds)
        self.open = {}  # route name -> the writers of its open connections
        self.thread.start()

    def refuse(self, name):
        def drop():
            self.modes[name] = ("refuse",)
            for writer in list(self.open.get(name, ())):
                writer.close()

        self.loop.call_soon_threadsafe(drop)

    def slow(self, name, seconds):
        # The answers held back are let go when the route is restored, as a Facebook that
        # recovers answers what it was asked.
        def hold():
            self.modes[name] = ("slow", seconds, asyncio.Event())

        self.loop.call_soon_threadsafe(hold)

    def restore(self, name):
        def release():
            mode = self.modes.pop(name, None)
            if mode and mode[0] == "slow":
                mode[2].set()

        self.loop.call_soon_threadsafe(release)

    def listen(self, name, address, target):
        async def start():
            server = await asyncio.start_server(
                lambda reader, writer: self.pipe(name, reader, writer, target), *address
            )
            self.servers.append(server)

        asyncio.run_coroutine_threadsafe(start(), self.loop).result(10)

    async def pipe(self, name, reader, writer, target):
        self.counts[name] += 1
        if self.modes.get(name, ("",))[0] == "refuse":
            writer.close()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.wait_for(
                asyncio.open_connection(*target), 5
            )
        except (OSError, TimeoutError):
            writer.close()
            return
        connection = self.open.setdefault(name, set())
        connection.update((writer, upstream_writer))
        # Set when the client sent something the upstream has not answered yet.
        asked = asyncio.Event()
        try:
            await asyncio.gather(
                self.copy(reader, upstream_writer, asked=asked),
                self.copy(upstream_reader, writer, answers_of=name, asked=asked),
            )
        finally:
            connection.difference_update((writer, upstream_writer))

    async def copy(self, reader, writer, answers_of=None, asked=None):
        """Copy until either side closes. The client's side sets `asked`; on the upstream's
        side (`answers_of` names its route) the first chunk of each answer is held back while
        the route is slow."""
        try:
            while data := await reader.read(65536):
                if answers_of is None:
                    asked.set()
                else:
                    mode = self.modes.get(answers_of, ("",))
                    if mode[0] == "slow" and asked.is_set():
                        with suppress(TimeoutError):
                            await asyncio.wait_for(mode[2].wait(), mode[1])
                    asked.clear()
                    if self.modes.get(answers_of, ("",))[0] == "refuse":
                        break
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()

    def stop(self):
        async def close():
            for server in self.servers:
                server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        with suppress(Exception):
            asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def _serve_forwarder(commands):
    """The forwarder's own process: it relays every app host's PostgreSQL and Graph traffic,
    so it must not share a GIL with the load client, whose work would delay it and be
    measured as the site's latency. Carries out the commands of ForwarderProcess."""
    os.setpriority(os.PRIO_PROCESS, 0, 0)
    forwarder = Forwarder()
    while True:
        method, args = commands.recv()
        if method == "stop":
            forwarder.stop()
            commands.send(None)
            return
        if method == "counts":
            commands.send(dict(forwarder.counts))
            continue
        getattr(forwarder, method)(*args)
        commands.send(None)


class ForwarderProcess:
    """Forwarder's interface, carried out by a process of its own (_serve_forwarder)."""

    def __init__(self):
        context = multiprocessing.get_context("spawn")
        self.commands, theirs = context.Pipe()
        self.process = context.Process(target=_serve_forwarder, args=(theirs,), daemon=True)
        self.process.start()
        self.lock = threading.Lock()

    def _call(self, method, *args):
        with self.lock:
            self.commands.send((method, args))
            if not self.commands.poll(30):
                raise Failed(f"the forwarder did not answer {method}")
            return self.commands.recv()

    def listen(self, name, address, target):
        self._call("listen", name, address, target)

    def refuse(self, name):
        self._call("refuse", name)

    def slow(self, name, seconds):
        self._call("slow", name, seconds)

    def restore(self, name):
        self._call("restore", name)

    @property
    def counts(self):
        return Counter(self._call("counts"))

    def stop(self):
        with suppress(Exception):
            self._call("stop")
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
