"""The layers hold (ARCHITECTURE.md): the domain never imports the web framework, and
route modules never import each other.

The web layer is the short list below. Everything else under ``app/`` (models, the
domain packages, the CLI, settings, the database) must import without FastAPI or
Starlette, so that the CLI, the benchmarks and the tests use the domain as it is, and a
rule that lives in the domain is found there. The import graph is read from the source
(AST, including imports inside functions) and, as ground truth, by importing every
module in a fresh interpreter.
"""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
#: The web layer: the only modules that may import FastAPI or Starlette.
WEB = {
    "app.routes": "one router per resource (a package: every module in it)",
    "app.main": "create_app(): assembles routers, middleware, handlers",
    "app.deps": "FastAPI dependencies: sessions, the reader, roles, lookups by path",
    "app.errors": "the error handlers: HTML error page or JSON {detail}",
    "app.middleware": "ASGI middleware: auth, security headers, CSRF, request limits",
    "app.forms": "HTML form helpers: CSRF check, form reading, field errors",
    "app.templating": "Jinja2 rendering with the request's language",
    "app.openapi": "the OpenAPI document",
}
FRAMEWORKS = ("fastapi", "starlette")


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def in_web_layer(name: str) -> bool:
    return any(name == web or name.startswith(web + ".") for web in WEB)


def imports_of(path: Path, root: Path = ROOT) -> set[str]:
    """Every module ``path`` imports, anywhere in it (absolute names)."""
    package = module_name(path if path.name == "__init__.py" else path.parent, root)
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.add(module)
            # ``from app.x import y`` may name the module app.x.y
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


MODULES = {module_name(path): path for path in sorted(APP.rglob("*.py"))}
GRAPH = {
    name: {
        imported
        for imported in imports_of(path)
        if imported in MODULES or imported.split(".")[0] in FRAMEWORKS
    }
    for name, path in MODULES.items()
}


def path_to_framework(start: str) -> list[str] | None:
    """The chain of imports from ``start`` to FastAPI or Starlette, or None."""
    seen, queue = {start}, [[start]]
    while queue:
        chain = queue.pop(0)
        for imported in sorted(GRAPH.get(chain[-1], ())):
            if imported.split(".")[0] in FRAMEWORKS:
                return [*chain, imported]
            if imported not in seen:
                seen.add(imported)
                queue.append([*chain, imported])
    return None


def test_outside_the_web_layer_nothing_reaches_fastapi_or_starlette():
    chains = {
        name: " -> ".join(chain)
        for name in MODULES
        if not in_web_layer(name) and (chain := path_to_framework(name))
    }
    assert chains == {}


def test_the_domain_imports_without_the_framework_in_a_fresh_interpreter():
    """Ground truth, third-party imports included: load every module outside the web
    layer and look at what ``sys.modules`` holds."""
    domain = [name for name in MODULES if not in_web_layer(name)]
    script = (
        "import importlib, sys\n"
        f"for name in {domain!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FRAMEWORKS!r}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_route_modules_never_import_other_route_modules():
    """Shared presentation lives in the figures package (``page_charts``), shared
    dependencies in ``app.deps``, business rules in the domain."""
    crossings = {
        name: sorted(i for i in GRAPH[name] if i.startswith("app.routes.") and i != name)
        for name in MODULES
        if name.startswith("app.routes.")
    }
    assert {name: found for name, found in crossings.items() if found} == {}


def test_the_web_layer_list_names_modules_that_exist():
    assert all(name in MODULES for name in WEB)


def test_the_graph_sees_imports_inside_functions_and_relative_ones(tmp_path):
    package = tmp_path / "app" / "pkg"
    package.mkdir(parents=True)
    source = package / "mod.py"
    source.write_text(
        "from . import sibling\nfrom .other import thing\n"
        "def f():\n    from fastapi import Request\n    import starlette.responses\n"
    )
    found = imports_of(source, tmp_path)
    assert {"app.pkg.sibling", "app.pkg.other", "fastapi", "starlette.responses"} <= found
