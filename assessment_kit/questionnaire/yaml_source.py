"""Read YAML into plain data while keeping the line of every key and list item.

PyYAML's composer gives nodes with positions; we build the data from the nodes ourselves
so that every problem found later can name its line. Booleans are only ``true``/``false``
(YAML 1.2): ``yes``, ``no``, ``on`` and ``off`` stay strings, because "yes" and "no" are
choice values in almost every questionnaire.

Questionnaires come from other teams and travel inside mission files, so the reader is
hardened against hostile documents before anything is built: the text is bounded in size
(:data:`MAX_DOCUMENT_BYTES`), a first pass over the parser's events refuses anchors and
aliases (the format needs none, and aliases nested ten deep multiply a small file into
gigabytes: the "billion laughs") and nesting deeper than :data:`MAX_DEPTH` (which would
otherwise end in a ``RecursionError``). The same checks run whether PyYAML uses libyaml or
its pure-Python parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from assessment_kit.errors import Code, Problem

if TYPE_CHECKING:
    import yaml

PathKey = tuple[str | int, ...]


MAX_DOCUMENT_BYTES = 4 * 1024 * 1024
"""The largest questionnaire text read, in UTF-8 bytes (the shipped ones take under 200 KB)."""

MAX_DEPTH = 50
"""The deepest nesting of mappings and lists read (the shipped questionnaires use 7)."""

# Anchor and alias problems reported before the reader stops listing them: a hostile file
# can hold hundreds of thousands.
_MAX_ALIAS_PROBLEMS = 20


@cache
def _loaders() -> tuple[type[yaml.SafeLoader], type[yaml.SafeLoader]]:
    """SafeLoader with YAML 1.2 booleans: on libyaml's parser (when PyYAML was built with
    it: about twice as fast, with the same node positions), and on PyYAML's pure-Python one.

    Made at first use: a process that reads no YAML (an export whose instruments and
    profile come from the cache) never imports PyYAML, about 15 ms.
    """
    import yaml

    base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[valid-type,misc]
        """SafeLoader with YAML 1.2 booleans (libyaml's parser when present)."""

    class PythonLoader(yaml.SafeLoader):
        """The same loader on PyYAML's pure-Python parser."""

    resolvers = {
        first: [(tag, regexp) for tag, regexp in found if tag != "tag:yaml.org,2002:bool"]
        for first, found in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    for loader_class in (Loader, PythonLoader):
        loader_class.yaml_implicit_resolvers = {
            first: list(found) for first, found in resolvers.items()
        }
        loader_class.add_implicit_resolver(
            "tag:yaml.org,2002:bool",
            re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
            list("tTfF"),
        )
    return Loader, PythonLoader


# What a scalar was meant to be, by tag, for the message when it cannot be read.
_KINDS = {
    "tag:yaml.org,2002:int": "an integer",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:bool": "true or false",
    "tag:yaml.org,2002:binary": "binary data",
}


@dataclass(slots=True)
class Document:
    """Plain data from a YAML file, with the 1-based line of each path in it."""

    data: Any
    file: str
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line(self, path: PathKey) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]

    def problem(self, code: Code, path: PathKey, **fields: Any) -> Problem:
        """A catalogued problem located at ``path``: this file, its line, the path by ids."""
        return Problem.make(
            code, file=self.file, line=self.line(path), path=format_path(path, self.data), **fields
        )


def too_large(size: int, file: str) -> Problem | None:
    """The problem when a questionnaire of ``size`` UTF-8 bytes is too large to read."""
    if size <= MAX_DOCUMENT_BYTES:
        return None
    return Problem.make(Code.YAML_TOO_LARGE, file=file, size=size, limit=MAX_DOCUMENT_BYTES)


def read_yaml(
    text: str, file: str, *, pure_python: bool = False
) -> tuple[Document | None, list[Problem]]:
    """Parse ``text``; return the document, or None and the problems that stopped it.

    ``pure_python`` uses PyYAML's pure-Python parser even when libyaml is present (the
    result is the same; tests check both).
    """
    # Characters never outnumber bytes, so the cheap length test spares encoding a huge text.
    oversize = too_large(len(text), file) or too_large(len(text.encode("utf-8", "replace")), file)
    if oversize is not None:
        return None, [oversize]
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        return None, [Problem.make(Code.EMPTY_FILE, file=file, line=1)]
    import yaml

    loader_class = _loaders()[1 if pure_python else 0]
    try:
        refused = _refuse_hostile_structure(loader_class, text, file)
    except yaml.MarkedYAMLError as error:
        return None, [_syntax_problem(error, file)]
    except yaml.YAMLError as error:
        return None, [Problem.make(Code.YAML_SYNTAX, file=file, detail=str(error))]
    if refused:
        return None, refused
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [Problem.make(Code.EMPTY_FILE, file=file, line=1)]
        document = Document(data=None, file=file)
        problems: list[Problem] = []
        document.data = _build(node, (), loader, document, problems)
        document.lines[()] = node.start_mark.line + 1
        return document, problems
    except yaml.MarkedYAMLError as error:
        return None, [_syntax_problem(error, file)]
    except yaml.YAMLError as error:
        return None, [Problem.make(Code.YAML_SYNTAX, file=file, detail=str(error))]
    finally:
        loader.dispose()


def read_trusted(text: str) -> Any:
    """Parse a document known to be good (a shipped file, by its SHA-256): no positions.

    About five times faster than :func:`read_yaml`, for files read in many places.
    """
    import yaml

    return yaml.load(text, Loader=_loaders()[0])


def _syntax_problem(error: yaml.MarkedYAMLError, file: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else None
    detail = " ".join(part for part in (error.context, error.problem) if part)
    return Problem.make(Code.YAML_SYNTAX, file=file, line=line, detail=detail)


def _refuse_hostile_structure(
    loader_class: type[yaml.SafeLoader], text: str, file: str
) -> list[Problem]:
    """Anchors, aliases and too deep nesting, found from the parser's events.

    The events come as a flat stream, so this pass needs neither memory for the expanded
    document nor recursion; the composer (recursive in pure Python) only runs after it.
    """
    import yaml

    problems: list[Problem] = []
    loader = loader_class(text)
    try:
        depth = 0
        while loader.check_event():
            event: yaml.Event = loader.get_event()  # type: ignore[no-untyped-call]
            line = event.start_mark.line + 1 if event.start_mark is not None else None
            if isinstance(event, yaml.AliasEvent):
                shown = ("alias", f"*{event.anchor}")
            elif isinstance(event, yaml.NodeEvent) and event.anchor is not None:
                shown = ("anchor", f"&{event.anchor}")
            else:
                shown = None
            if shown is not None:
                what, name = shown
                problems.append(
                    Problem.make(Code.YAML_ALIAS, file=file, line=line, what=what, name=name)
                )
            if len(problems) >= _MAX_ALIAS_PROBLEMS:
                break
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    problems.append(
                        Problem.make(Code.YAML_TOO_DEEP, file=file, line=line, limit=MAX_DEPTH)
                    )
                    break
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()
    return problems


def _construct(
    node: yaml.Node, loader: yaml.SafeLoader, path: PathKey, file: str, problems: list[Problem]
) -> Any:
    """Construct a scalar (or a key), or record why it cannot be read and give its text."""
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, TypeError, OverflowError) as error:
        # A resolver matched (a 5,000-digit integer, the date 2026-13-45) but Python
        # refuses the value: a problem for the author, not a traceback.
        value = str(node.value)
        shown = value if len(value) <= 40 else value[:37] + "..."
        problems.append(
            Problem.make(
                Code.YAML_VALUE,
                file=file,
                line=node.start_mark.line + 1,
                path=format_path(path),
                value=shown,
                kind=_KINDS.get(node.tag, node.tag),
                detail=str(error),
            )
        )
        return value


def _build(
    node: yaml.Node,
    path: PathKey,
    loader: yaml.SafeLoader,
    document: Document,
    problems: list[Problem],
) -> Any:
    import yaml  # already imported by the reader: a lookup (0.1 us a node)

    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _construct(key_node, loader, path, document.file, problems)
            key = str(key) if not isinstance(key, str) else key
            child = (*path, key)
            line = key_node.start_mark.line + 1
            if key in result:
                problems.append(
                    Problem.make(
                        Code.DUPLICATE_KEY,
                        file=document.file,
                        line=line,
                        path=format_path(child),
                        key=key,
                    )
                )
                continue
            document.lines[child] = line
            result[key] = _build(value_node, child, loader, document, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item_node in enumerate(node.value):
            child = (*path, index)
            document.lines[child] = item_node.start_mark.line + 1
            items.append(_build(item_node, child, loader, document, problems))
        return items
    return _construct(node, loader, path, document.file, problems)


def format_path(path: PathKey, data: Any = None) -> str:
    """Render a path like ``sections[legal].questions[lf_offence].areas``.

    List indices are replaced by the item's ``id`` when ``data`` is given and the item has
    one, since authors know their ids better than positions.
    """
    rendered = ""
    node = data
    for part in path:
        if isinstance(part, int):
            label: str = str(part)
            if isinstance(node, list) and 0 <= part < len(node):
                node = node[part]
                if isinstance(node, dict) and isinstance(node.get("id"), str):
                    label = node["id"]
            else:
                node = None
            rendered += f"[{label}]"
        else:
            node = node.get(part) if isinstance(node, dict) else None
            rendered += f".{part}" if rendered else part
    return rendered
