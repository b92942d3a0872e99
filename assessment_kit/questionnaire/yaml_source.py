"""Read YAML into plain data while keeping the line of every key and list item.

PyYAML's composer gives nodes with positions; we build the data from the nodes ourselves
so that every problem found later can name its line. Booleans are only ``true``/``false``
(YAML 1.2): ``yes``, ``no``, ``on`` and ``off`` stay strings, because "yes" and "no" are
choice values in almost every questionnaire.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from assessment_kit.errors import Code, Problem

PathKey = tuple[str | int, ...]


# libyaml's parser (when PyYAML was built with it) loads the instruments about twice as fast;
# it keeps the same node positions.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """SafeLoader with YAML 1.2 booleans."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


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


def read_yaml(text: str, file: str) -> tuple[Document | None, list[Problem]]:
    """Parse ``text``; return the document, or None and the problems that stopped it."""
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        return None, [Problem.make(Code.EMPTY_FILE, file=file, line=1)]
    loader = _Loader(text)
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
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        detail = " ".join(part for part in (error.context, error.problem) if part)
        return None, [Problem.make(Code.YAML_SYNTAX, file=file, line=line, detail=detail)]
    except yaml.YAMLError as error:
        return None, [Problem.make(Code.YAML_SYNTAX, file=file, detail=str(error))]
    finally:
        loader.dispose()


def _build(
    node: yaml.Node,
    path: PathKey,
    loader: _Loader,
    document: Document,
    problems: list[Problem],
) -> Any:
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
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
    return loader.construct_object(node, deep=True)


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
