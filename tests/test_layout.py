"""The two-package layout: lstm_lib is numpy-only and never imports lstm_book; no import cycle;
no module or chapter reaches into another module's private names."""
import ast
import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = ("lstm_lib", "lstm_book")
HEAVY = ("torch", "matplotlib", "ipywidgets", "IPython")


def project_modules():
    """{dotted name: path} of every module of the two packages."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


def imported_names(name, path):
    """[(module, [imported names])] of every import in the module `name`, relative ones resolved."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            base = base[: len(base) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found.append((module, [alias.name for alias in node.names]))
    return found


def import_graph():
    modules = project_modules()
    graph = {}
    for name, path in modules.items():
        targets = set()
        for module, names in imported_names(name, path):
            for candidate in [module] + [f"{module}.{n}" for n in names]:
                if candidate in modules and candidate != name:
                    targets.add(candidate)
        graph[name] = targets
    return graph


def test_the_modules_import_each_other_in_no_cycle():
    graph = import_graph()
    done, active = set(), []

    def visit(node):
        if node in active:
            cycle = active[active.index(node):] + [node]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if node in done:
            return
        active.append(node)
        for target in graph[node]:
            visit(target)
        active.pop()
        done.add(node)

    for node in graph:
        visit(node)
    assert len(done) == len(graph) > 30


def test_lstm_lib_never_imports_lstm_book():
    for name, targets in import_graph().items():
        if name.startswith("lstm_lib"):
            assert not any(t.startswith("lstm_book") for t in targets), (name, targets)


def test_no_module_imports_a_private_name_of_another():
    """Neither the two packages nor the tests use another module's private (_name) functions."""
    modules = project_modules()
    tests = {".".join(p.relative_to(ROOT).with_suffix("").parts): p for p in sorted((ROOT / "tests").rglob("*.py"))}
    for name, path in {**modules, **tests}.items():
        for module, names in imported_names(name, path):
            if module.split(".")[0] in PACKAGES:
                private = [n for n in names if n.startswith("_")]
                assert not private, f"{name} imports private {private} from {module}"
        tree = ast.parse(path.read_text())
        aliases = {a.asname or a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                   for a in node.names if f"{node.module}.{a.name}" in modules or a.name in modules}
        aliases |= {a.asname or a.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for a in node.names if a.name in modules}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if node.value.id in aliases and node.attr.startswith("_") and not node.attr.startswith("__"):
                    pytest.fail(f"{name} reaches into {node.value.id}.{node.attr}")


def test_importing_lstm_lib_pulls_in_numpy_only():
    """Every module but torch_bridge imports without torch, matplotlib, ipywidgets or IPython."""
    lib = [n for n in project_modules() if n.startswith("lstm_lib") and n != "lstm_lib.torch_bridge"]
    code = (f"import sys\nfor name in {lib!r}:\n    __import__(name)\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_each_library_module_names_the_chapter_that_introduces_it():
    for name, path in project_modules().items():
        if name.startswith("lstm_lib.") and name != "lstm_lib.__init__":
            doc = ast.get_docstring(ast.parse(path.read_text())) or ""
            assert "chapter" in doc.lower(), f"{name}: its docstring names no chapter"


def chapter_code():
    for nb in sorted((ROOT / "book").rglob("*.ipynb")):
        cells = json.loads(nb.read_text())["cells"]
        yield nb.name, "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


@pytest.mark.parametrize("name,code", list(chapter_code()), ids=lambda v: v if v.endswith("ipynb") else "")
def test_chapters_use_no_private_library_name(name, code):
    tree = ast.parse(code)
    project = {a.asname or a.name.split(".")[0] for node in ast.walk(tree)
               if isinstance(node, (ast.Import, ast.ImportFrom)) for a in node.names
               if (getattr(node, "module", None) or a.name).split(".")[0] in PACKAGES}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in PACKAGES:
            assert not [a.name for a in node.names if a.name.startswith("_")], (name, node.module)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in project and node.attr.startswith("_") and not node.attr.startswith("__"):
                pytest.fail(f"{name} uses the private {node.value.id}.{node.attr}")
