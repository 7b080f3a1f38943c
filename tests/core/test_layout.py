"""The shape of the code: how the modules of `app/` may import each other.

Read from the source with `ast`, every import counted (those inside functions too, since they
run all the same): no module imports itself back through others; fees and property are
siblings over the shared modules; the demo data sits above the areas, which never import it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in APP.rglob("*.py")}


def _imported(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # `from pkg import module` imports the module; `from module import name`, the module.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        yield from (target for target in targets if target in known and target != name)


def import_graph() -> dict[str, set[str]]:
    known = _modules()
    return {name: set(_imported(name, path, known)) for name, path in known.items()}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _edges_from(prefix: str, to: str) -> list[tuple[str, str]]:
    graph = import_graph()
    return sorted(
        (source, target)
        for source, targets in graph.items()
        if source == prefix or source.startswith(prefix + ".")
        for target in targets
        if target == to or target.startswith(to + ".")
    )


def test_no_module_imports_itself_back():
    assert _circles(import_graph()) == []


def test_fees_and_property_are_siblings():
    assert _edges_from("app.blueprints.fees", "app.blueprints.property") == []
    assert _edges_from("app.blueprints.property", "app.blueprints.fees") == []


def test_the_demo_sits_above_the_areas():
    graph = import_graph()
    users = sorted(
        source
        for source, targets in graph.items()
        if not (source == "app.demo" or source.startswith("app.demo."))
        and any(t == "app.demo" or t.startswith("app.demo.") for t in targets)
    )
    assert users in ([], ["app.cli"])


def test_the_graph_reader_sees_the_imports():
    # Guards the test above against reading nothing: the app factory imports its config.
    assert "app.config" in import_graph()["app"]
