"""kaleido's chart page, served over http so that Chromium keeps plotly.js compiled.

Loading plotly.js (4.7 MB of script) is the longest step of a first export: about a second,
most of it V8 compiling the script. Chromium keeps compiled code only for scripts that come
over http(s), in its disk cache, keyed by the script's URL. So each session serves the page
from a small server of its own on the loopback interface, under one fixed name,
``http://assessment-kit.localhost/``, which ``--host-resolver-rules`` maps to the server's
port (a port changes every time; the URL must not). The disk cache is a folder of the
user's cache (:func:`~assessment_kit.questionnaire.cache.cache_folder`), each used by one
session at a time (a lock; :data:`DISK_CACHES` of them for sessions at once); a session that
finds them all taken, or no cache folder, keeps its cache in its own profile and loads
plotly.js the slow way.

Measured on the demo (2 cores): the chart page took 1.0 to 1.2 s to load from file://, and
0.36 to 0.52 s over http from the third session on (Chromium); with the headless shell, 0.8 s
and 0.3 s.

The page is the one kaleido's ``PageGenerator`` writes (plotly.js and ``kaleido_scopes.js``),
without MathJax, which kaleido would fetch from a CDN; a test checks that it still is. Each
script's URL carries a digest of its file's path, size and time, so an upgraded plotly is
never taken from the cache.
"""

from __future__ import annotations

import asyncio
import hashlib
import socket
from functools import cache
from pathlib import Path
from typing import IO

from assessment_kit.errors import BriefingError
from assessment_kit.extras import package_folder

__all__ = ["HOST", "ChartPage"]

#: The name the page is served under (``.localhost`` names never go through a proxy).
HOST = "assessment-kit.localhost"
#: kaleido's page (``kaleido.PageGenerator(mathjax=False).generate_index()``), its two
#: scripts' URLs left to fill; tests/test_chart_page.py checks that it still is.
PAGE = """
<!DOCTYPE html>
<html>
    <head>
        <style id="head-style"></style>
        <title>Kaleido-fier</title>

        <script src="{plotly}" charset="utf-8"></script>
        <script src="{scopes}"></script>
    </head>
    <body style="{{margin: 0; padding: 0;}}"><img id="kaleido-image" /></body>
</html>
"""
#: Every other name resolves to nothing (the first rule that matches a name applies). Chromium
#: asks Google for the time, for component updates and for the profile's accounts at every
#: start, whatever its flags say; a session printing a confidential briefing reaches no host
#: but the chart page's, and on a connected laptop spends nothing on those requests.
UNRESOLVED = "MAP * ~NOTFOUND"
#: The browser's disk cache, in the user's cache folder.
CACHE_NAME = "browser"
#: The folder of compiled scripts, in a profile and in a disk cache folder alike.
CODE_CACHE = "Code Cache"
#: How many sessions at once keep a disk cache of their own (``browser/``, ``browser-2/``...):
#: a notebook's kept session holds one for the kernel's life, and an export from the command
#: line meanwhile would otherwise compile plotly.js anew every time (0.6 s). Each is about
#: 15 MB, made only when that many sessions run at once; a session that finds them all
#: taken keeps its cache in its own profile.
DISK_CACHES = 4


def _package_folder(name: str) -> Path:
    """Where an installed package lives (see :func:`.extras.package_folder`)."""
    folder = package_folder(name)
    if folder is None:
        raise BriefingError(f"the {name} package is not installed: pip install {name}")
    return folder


@cache
def page_scripts() -> tuple[Path, Path]:
    """The page's scripts: the plotly.js that plotly ships, and kaleido's page script."""
    return (
        _package_folder("plotly") / "package_data" / "plotly.min.js",
        _package_folder("kaleido") / "vendor" / "kaleido_scopes.js",
    )


def page_html(routes: list[str]) -> str:
    """kaleido's page with its two scripts at ``routes`` (plotly.js first)."""
    return PAGE.format(plotly=routes[0], scopes=routes[1])


def file_stamp(path: Path) -> str:
    """What changes when ``path`` is replaced (an upgrade): its size and modification time."""
    try:
        status = path.stat()
    except OSError:
        return "missing"
    return f"{status.st_size}:{status.st_mtime_ns}"


def _stamp(path: Path) -> str:
    """A short digest of a script's path and :func:`file_stamp`, for its URL."""
    return hashlib.sha256(f"{path}|{file_stamp(path)}".encode()).hexdigest()[:16]


class ChartPage:
    """The chart page and its scripts, served on the loopback interface.

    The listening socket is made at once, so the browser can be started with its flags
    (:meth:`browser_flags`) before the server runs; :meth:`serve` starts serving on the
    browser thread's loop, :meth:`close` stops it and lets the disk cache go.
    """

    def __init__(self) -> None:
        self._files = {f"/{_stamp(path)}/{path.name}": path for path in page_scripts()}
        self._page = page_html(list(self._files)).encode()
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._socket.getsockname()[1])
        self._server: asyncio.Server | None = None
        #: The routes asked for, in order (a script taken from the disk cache is not).
        self.served: list[str] = []
        #: The connections open now (closed by stop_serving).
        self.connections: set[asyncio.Transport] = set()
        self._lock: IO[bytes] | None = None
        self.disk_cache = self._take_disk_cache()

    @property
    def url(self) -> str:
        """The page's URL, the same in every session."""
        return f"http://{HOST}/charts.html"

    def browser_flags(self) -> list[str]:
        """Chromium's flags: the fixed name mapped to our port, every other name to none
        (see :data:`UNRESOLVED`), and the shared disk cache."""
        flags = [f"--host-resolver-rules=MAP {HOST} 127.0.0.1:{self.port}, {UNRESOLVED}"]
        if self.disk_cache is not None:
            flags.append(f"--disk-cache-dir={self.disk_cache}")
        return flags

    def link_code_cache(self, profile: Path) -> None:
        """Make the browser with ``profile`` keep compiled scripts in the disk cache folder.

        Chromium keeps them beside its disk cache (``Default/Code Cache`` under
        ``--disk-cache-dir``); the headless shell keeps them in its profile, whatever that
        flag says, and the profile is thrown away with the session. A link from the profile
        to the same folder gives both one place. Where no link can be made, the shell
        compiles plotly.js anew, as with no cache folder.
        """
        if self.disk_cache is None:
            return
        shared = self.disk_cache / "Default" / CODE_CACHE
        linked = profile / "Default" / CODE_CACHE
        try:
            shared.mkdir(parents=True, exist_ok=True)
            linked.parent.mkdir(parents=True, exist_ok=True)
            linked.symlink_to(shared, target_is_directory=True)
        except OSError:
            pass  # the slow way, but no error

    def _take_disk_cache(self) -> Path | None:
        """The first disk cache folder that no other session has (see :data:`DISK_CACHES`);
        None when all are taken or the cache is off."""
        from assessment_kit.questionnaire.cache import cache_folder

        root = cache_folder()
        if root is None:
            return None
        for slot in range(DISK_CACHES):
            folder = root / (CACHE_NAME if slot == 0 else f"{CACHE_NAME}-{slot + 1}")
            try:
                self._lock = _lock_folder(folder)
            except OSError:
                return None  # a cache folder we cannot write: the slow way, but no error
            if self._lock is not None:
                return folder
        return None

    async def serve(self) -> None:
        """Start answering the browser's requests (on the running loop)."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Answer(self), sock=self._socket)

    def answer(self, request: bytes) -> bytes:
        """The whole response to one request's head."""
        status, keep = "200 OK", "public, max-age=31536000, immutable"
        parts = request.split(b" ", 2)
        route = parts[1].decode("latin-1").split("?", 1)[0] if len(parts) > 2 else ""
        self.served.append(route)
        if route == "/charts.html":
            body, kind, keep = self._page, "text/html; charset=utf-8", "no-store"
        elif route in self._files:
            # 4.7 MB from the page cache in a few milliseconds, once per session
            body, kind = self._files[route].read_bytes(), "text/javascript; charset=utf-8"
        else:
            status, body, kind, keep = "404 Not Found", b"", "text/plain", "no-store"
        head = (
            f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n"
            f"Cache-Control: {keep}\r\nConnection: close\r\n\r\n"
        )
        return head.encode() + body

    def stop_serving(self) -> None:
        """Stop answering, and close the connections still open (on the loop of
        :meth:`serve`; the browser opens some ahead, which it may never use)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for transport in list(self.connections):
            transport.close()

    def close(self) -> None:
        """Close the socket and let the disk cache go (once the browser has ended)."""
        self._socket.close()
        if self._lock is not None:
            self._lock.close()
            self._lock = None


def _lock_folder(folder: Path) -> IO[bytes] | None:
    """``folder`` (made if need be) locked for this session: its lock file, kept open for as
    long as the session uses it; None when another session holds it."""
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)  # a taken one exists already: its holder made it
    lock = folder.with_name(f"{folder.name}.lock").open("wb")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # another session has it (two Chromiums must not share one)
        lock.close()
        return None
    return lock


class _Answer(asyncio.Protocol):
    """One connection: read a request's head, send the whole answer, close."""

    def __init__(self, page: ChartPage) -> None:
        self.page = page
        self.head = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.page.connections.add(transport)

    def data_received(self, data: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        self.head += data
        if b"\r\n\r\n" in self.head:
            self.transport.write(self.page.answer(self.head))
            self.transport.close()  # after what was written has been sent
        elif len(self.head) > 65536:
            self.transport.close()  # not a request of our browser

    def connection_lost(self, exc: Exception | None) -> None:
        if self.transport is not None:
            self.page.connections.discard(self.transport)
