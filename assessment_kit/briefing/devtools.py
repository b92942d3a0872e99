"""One headless Chromium, started by us and driven over its DevTools pipe.

Chromium reads DevTools commands on file descriptor 3 and writes replies and events on 4
(``--remote-debugging-pipe``), each message JSON ended by a NUL byte. We start it with
``posix_spawn``, which puts our two pipe ends on exactly those descriptors: no launcher
process in between (a Python launcher cost about 0.3 s of every export), and the process id
is known the moment the call returns, so a session closed at any moment of its start knows
what to end. The browser leads a process group of its own: one signal ends it with every
renderer it started.

:class:`Browser` is the process and its pipe; :class:`Tab` one page of it. The connection
lives on the asyncio loop of the thread that opens it (see :class:`.svg.ChartRenderer`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from assessment_kit.briefing.browser import wait_for_group
from assessment_kit.errors import BriefingError

__all__ = ["BROWSER_FLAGS", "Browser", "BrowserGone", "Tab"]

#: Chromium's flags for a briefing session; each says why in its comment.
BROWSER_FLAGS: tuple[str, ...] = (
    "--headless",
    "--remote-debugging-pipe",
    "--no-sandbox",  # containers run as root, where Chromium's sandbox cannot start
    "--disable-gpu",  # charts and prints are drawn in software, the same on every machine
    "--disable-dev-shm-usage",  # containers have a tiny /dev/shm
    "--no-first-run",
    "--no-default-browser-check",
    # Nothing phoning home or updating itself while a briefing prints (what these flags do
    # not stop finds no host: see chart_page.UNRESOLVED).
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-breakpad",
    "--disable-extensions",
    "--metrics-recording-only",
    "--password-store=basic",
    "--use-mock-keychain",
    "--mute-audio",
    # The chart tab and the print tab are both in the background: neither may be throttled.
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
    "--disable-hang-monitor",
    "--disable-lazy-loading",
    # Headless Chromium still preloads its address bar's pop-up, a WebUI page of its own in
    # a renderer of its own: about a second of CPU at every start, taken from the page's
    # renderer on a two-core machine. It has each of these three variants. It also starts
    # a spare renderer for a next page; our pages' tabs are made ahead of their use, so it
    # saved nothing, and starting it on two busy cores cost every export 0.1 s (measured).
    "--disable-features=WebUIOmniboxPopup,WebUIOmniboxFullPopup,WebUIOmniboxAimPopup,"
    "SpareRendererForSitePerProcess",
)

#: File in the workspace that keeps the browser's own messages (read when it fails to start).
LOG_NAME = "browser.log"


class BrowserGone(ConnectionError):
    """The browser closed its pipe: it exited or was killed."""


#: What a listener receives: an event's parameters, or the error that ended the pipe.
_Events = asyncio.Queue[dict[str, Any] | BaseException]


class _Pipe(asyncio.Protocol):
    """Reads NUL-ended JSON messages from the browser and hands each to ``on_message``."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        start = 0
        while (end := self.buffer.find(b"\0", start)) >= 0:
            self.browser._on_message(json.loads(self.buffer[start:end]))
            start = end + 1
        del self.buffer[:start]

    def connection_lost(self, exc: Exception | None) -> None:
        self.browser._on_gone()


class Tab:
    """One page of the browser, attached to our pipe under its own session id."""

    def __init__(self, browser: Browser, target_id: str, session_id: str) -> None:
        self.browser = browser
        self.target_id = target_id
        self.session_id = session_id
        self._lifecycle = False

    async def send_command(
        self, command: str, params: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Send ``command`` to this page; the reply as sent (``result`` or ``error``)."""
        return await self.browser.send_command(command, params, session_id=self.session_id)

    async def call(self, command: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Send ``command`` to this page; its result, or its error raised (see :func:`result`)."""
        return await self.browser.call(command, params, session_id=self.session_id)

    async def enable_page_events(self) -> None:
        """Turn on the page's events and its lifecycle events (once)."""
        if not self._lifecycle:
            await self.call("Page.enable")
            await self.call("Page.setLifecycleEventsEnabled", {"enabled": True})
            self._lifecycle = True

    async def navigate(self, url: str) -> None:
        """Load ``url`` and wait for its own load event.

        A new tab may still be loading its first, blank page: a plain wait for the next
        load event could take that one, and the page we asked for would then replace the
        document under our next command. The lifecycle event names its loader, so only the
        load of this navigation counts. A navigation aborted by one already under way (that
        first page, or a page's script leaving) is started again, up to three times.
        """
        await self.enable_page_events()
        for attempt in range(3):
            events = self.browser._listen(self.session_id, "Page.lifecycleEvent")
            try:
                started = await self.call("Page.navigate", {"url": url})
                failed = started.get("errorText")
                if not failed:
                    await _load_of(events, str(started.get("loaderId")))
                    return
            finally:
                self.browser._unlisten(self.session_id, "Page.lifecycleEvent", events)
            if failed != "net::ERR_ABORTED" or attempt == 2:
                raise BriefingError(f"Chromium could not load {url}: {failed}")
            await asyncio.sleep(0.05)


async def _load_of(events: _Events, loader: str) -> None:
    """Wait for the load event of ``loader`` among a page's lifecycle ``events``."""
    while True:
        event = await events.get()
        if isinstance(event, BaseException):
            raise event
        if event.get("name") == "load" and event.get("loaderId") == loader:
            return


def profile_folder(workspace: Path) -> Path:
    """Where the browser of the session in ``workspace`` keeps its profile."""
    return workspace / "profile"


class Browser:
    """A headless Chromium started at once, its DevTools pipe connected by :meth:`connect`.

    Parameters
    ----------
    path
        The Chromium or Chrome executable.
    workspace
        The session's private folder: the profile goes there (so the process is found by
        it, see :func:`.browser.end_strays`), and so does the browser's log.
    flags
        Flags added to :data:`BROWSER_FLAGS`.

    Raises
    ------
    OSError
        When the executable cannot be started at all.
    """

    def __init__(self, path: Path, workspace: Path, flags: Sequence[str] = ()) -> None:
        self.path = path
        self.profile = profile_folder(workspace)
        self.log = workspace / LOG_NAME
        to_browser, self._commands = os.pipe()
        self._replies, from_browser = os.pipe()
        # about:blank as the first page: without it Chromium opens its New Tab page, a
        # WebUI page of its own that costs start-up time and that our first navigation
        # could abort.
        argv = [str(path), *BROWSER_FLAGS, f"--user-data-dir={self.profile}", *flags]
        argv.append("about:blank")
        log = os.open(self.log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        try:
            self.pid = os.posix_spawn(
                str(path),
                argv,
                os.environ,
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, null, 0),
                    (os.POSIX_SPAWN_DUP2, log, 1),
                    (os.POSIX_SPAWN_DUP2, log, 2),
                    (os.POSIX_SPAWN_DUP2, to_browser, 3),
                    (os.POSIX_SPAWN_DUP2, from_browser, 4),
                ],
                setsid=True,
            )
        except OSError:
            os.close(self._commands)
            os.close(self._replies)
            raise
        finally:
            for fd in (to_browser, from_browser, log, null):
                os.close(fd)
        self.returncode: int | None = None
        self._reaping = threading.Lock()
        self._next_id = 0
        self._replies_wanted: dict[int, asyncio.Future[dict[str, Any]]] = {}
        #: Queues of the events someone listens to, by (page session, event).
        self._listeners: dict[tuple[str, str], list[_Events]] = {}
        self._writer: asyncio.WriteTransport | None = None
        self._reader: asyncio.ReadTransport | None = None
        self._connecting = False
        self._gone = False
        self._first_page: str | None = None

    # -- the process ------------------------------------------------------------------

    def poll(self) -> int | None:
        """The exit status once the browser has ended (and been reaped), else None."""
        with self._reaping:
            if self.returncode is None:
                try:
                    pid, status = os.waitpid(self.pid, os.WNOHANG)
                except ChildProcessError:  # reaped elsewhere: it has ended
                    pid, status = self.pid, 0
                if pid == self.pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
            return self.returncode

    def wait(self, timeout: float) -> int | None:
        """Wait up to ``timeout`` seconds for the browser to end; its exit status or None."""
        deadline = time.monotonic() + timeout
        while self.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)  # no portable way to wait on a child with a timeout
        return self.returncode

    def kill(self) -> None:
        """End the browser and every process of its group at once (nothing to save: its
        profile is thrown away); reap it, and wait until its group has ended."""
        # Also once the browser itself has ended: its renderers and services may outlive
        # it for a while (a network service holding the disk cache). The group's id stays
        # theirs while any of them lives; once none does, nothing answers to it.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        self.wait(10)
        wait_for_group(self.pid)

    def last_words(self) -> str:
        """The browser's last line of output (why it did not start), or ''."""
        try:
            lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return ""
        meaningful = [line.strip() for line in lines if line.strip()]
        return meaningful[-1][:300] if meaningful else ""

    # -- the pipe ---------------------------------------------------------------------

    async def connect(self) -> None:
        """Connect the pipe on the running loop and wait until the browser answers."""
        loop = asyncio.get_running_loop()
        self._connecting = True  # the descriptors now belong to the file objects below
        reader = os.fdopen(self._replies, "rb", buffering=0)
        writer = os.fdopen(self._commands, "wb", buffering=0)
        self._reader, _ = await loop.connect_read_pipe(lambda: _Pipe(self), reader)
        self._writer, _ = await loop.connect_write_pipe(asyncio.BaseProtocol, writer)
        await self.call("Browser.getVersion")
        # The page it opened at its start (about:blank), taken now: a tab made later is
        # listed too, and must not be taken for it.
        targets = await self.call("Target.getTargets")
        pages = [t for t in targets.get("targetInfos", []) if t.get("type") == "page"]
        self._first_page = str(pages[0]["targetId"]) if pages else None

    def _on_message(self, message: dict[str, Any]) -> None:
        if "id" in message:
            future = self._replies_wanted.pop(message["id"], None)
            if future is not None and not future.done():
                future.set_result(message)
            return
        key = (str(message.get("sessionId", "")), str(message.get("method", "")))
        for queue in self._listeners.get(key, []):
            queue.put_nowait(message.get("params", {}))

    def _on_gone(self) -> None:
        self._gone = True
        gone = BrowserGone("the browser closed its DevTools pipe")
        for future in self._replies_wanted.values():
            if not future.done():
                future.set_exception(gone)
        self._replies_wanted.clear()
        for queues in self._listeners.values():
            for queue in queues:
                queue.put_nowait(gone)

    def _listen(self, session_id: str, event: str) -> _Events:
        """A queue that receives every ``event`` of the page from now on (see _unlisten)."""
        queue: _Events = asyncio.Queue()
        if self._gone:
            queue.put_nowait(BrowserGone("the browser closed its DevTools pipe"))
        self._listeners.setdefault((session_id, event), []).append(queue)
        return queue

    def _unlisten(self, session_id: str, event: str, queue: _Events) -> None:
        queues = self._listeners.get((session_id, event), [])
        if queue in queues:
            queues.remove(queue)

    async def send_command(
        self,
        command: str,
        params: Mapping[str, Any] | None = None,
        *,
        session_id: str | None = None,
    ) -> dict[str, Any]:
        """Send ``command`` (to a page when ``session_id`` is given); the reply as sent."""
        if self._writer is None or self._gone or self._writer.is_closing():
            raise BrowserGone("the browser closed its DevTools pipe")
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": command}
        if params:
            message["params"] = dict(params)
        if session_id:
            message["sessionId"] = session_id
        reply: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._replies_wanted[self._next_id] = reply
        self._writer.write(json.dumps(message).encode() + b"\0")
        return await reply

    async def call(
        self,
        command: str,
        params: Mapping[str, Any] | None = None,
        *,
        session_id: str | None = None,
    ) -> dict[str, Any]:
        """Send ``command``; its result, or its error raised (see :func:`result`)."""
        return result(await self.send_command(command, params, session_id=session_id), command)

    async def create_tab(self, url: str = "about:blank") -> Tab:
        """Open a new page and attach to it."""
        made = await self.call("Target.createTarget", {"url": url})
        return await self._attach(str(made["targetId"]))

    async def first_tab(self) -> Tab:
        """The page the browser opened at its start (the first call only), or a new one."""
        first, self._first_page = self._first_page, None
        return await (self._attach(first) if first else self.create_tab())

    async def _attach(self, target_id: str) -> Tab:
        params = {"targetId": target_id, "flatten": True}
        attached = await self.call("Target.attachToTarget", params)
        return Tab(self, target_id, str(attached["sessionId"]))

    async def close_tab(self, tab: Tab) -> None:
        """Close ``tab`` (a browser already gone has nothing to close)."""
        with contextlib.suppress(BrowserGone):
            await self.send_command("Target.closeTarget", {"targetId": tab.target_id})

    def disconnect(self) -> None:
        """Close our ends of the pipe (on the loop's thread once connected)."""
        if not self._connecting:  # never connected: the descriptors are still bare
            self._connecting = True
            for fd in (self._commands, self._replies):
                with contextlib.suppress(OSError):
                    os.close(fd)
            return
        if self._writer is not None:
            self._writer.close()
        if self._reader is not None:
            self._reader.close()


def result(reply: Mapping[str, Any], doing: str) -> dict[str, Any]:
    """The ``result`` of a DevTools reply; its ``error`` raised as a BriefingError."""
    if "error" in reply:
        error = reply["error"]
        message = error.get("message", error) if isinstance(error, Mapping) else error
        raise BriefingError(f"Chromium refused {doing}: {message}")
    found: dict[str, Any] = reply.get("result", {})
    return found
