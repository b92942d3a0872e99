"""Worker of the merge crash test: merges a copy into a mission and stops where told.

    python tests/merge_support.py INTO FROM STOP

It prints each progress step of the merge as ``stage:done/total`` (flushed). At the first
step STOP names (``stage:start`` for its first step, ``stage:middle`` for one with some but
not all done; or ``committed``, once the merge has returned) it prints ``stopped`` and
waits for a line on stdin before going on, so the test can kill it there, inside the
merge's transaction or after it.
"""

from __future__ import annotations

import sys


def main(into: str, source: str, stop: str) -> None:
    from assessment_kit.store import merge_missions

    def progress(stage: str, done: int, total: int) -> None:
        print(f"{stage}:{done}/{total}", flush=True)
        where = "start" if done == 0 else "middle" if done < total else "end"
        if f"{stage}:{where}" == stop:
            print("stopped", flush=True)
            sys.stdin.readline()

    merge_missions(into, [source], progress=progress)
    print("committed", flush=True)
    if stop == "committed":
        print("stopped", flush=True)
        sys.stdin.readline()


if __name__ == "__main__":
    main(*sys.argv[1:4])
