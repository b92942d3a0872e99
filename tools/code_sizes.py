"""Modules and functions over the size limits in assessment_kit/ (issue 10, item 8).

Usage: python tools/code_sizes.py [--modules N] [--functions N] [ROOT]

Prints every module over N lines (default 600) and every function or method over N lines
(default 80; from its ``def`` line to its last line, decorators and docstring included),
largest first, then one summary line. Exits 1 when something is over a limit, so a later
check can gate on it.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path


def module_lines(path: Path) -> int:
    """Lines in a file, as ``wc -l`` counts them."""
    return path.read_text(encoding="utf-8").count("\n")


def function_sizes(path: Path) -> list[tuple[int, str]]:
    """(lines, qualified name) of every function and method in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    sizes: list[tuple[int, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                end = child.end_lineno or child.lineno
                sizes.append((end - child.lineno + 1, prefix + child.name))
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=Path("assessment_kit"))
    parser.add_argument("--modules", type=int, default=600, metavar="N")
    parser.add_argument("--functions", type=int, default=80, metavar="N")
    args = parser.parse_args(argv)

    files = sorted(args.root.rglob("*.py"))
    modules = sorted(
        ((module_lines(path), path) for path in files if module_lines(path) > args.modules),
        reverse=True,
    )
    functions = sorted(
        (
            (size, f"{path}:{name}")
            for path in files
            for size, name in function_sizes(path)
            if size > args.functions
        ),
        reverse=True,
    )
    print(f"modules over {args.modules} lines:")
    for lines, path in modules:
        print(f"  {lines:5d}  {path}")
    print(f"functions over {args.functions} lines:")
    for size, name in functions:
        print(f"  {size:5d}  {name}")
    total = sum(module_lines(path) for path in files)
    print(
        f"{len(files)} modules, {total} lines; {len(modules)} modules over {args.modules}, "
        f"{len(functions)} functions over {args.functions}"
    )
    return 1 if modules or functions else 0


if __name__ == "__main__":
    sys.exit(main())
