"""Every public function and class of lstm_lib says what it does and carries a runnable example
(collected by pytest's --doctest-modules, which `make check` and `make test` pass)."""
import importlib
import inspect
import pathlib

import pytest

LIB = pathlib.Path(__file__).resolve().parents[2] / "lstm_lib"
MODULES = sorted(p.stem for p in LIB.glob("*.py") if p.stem != "__init__")


def public_callables(module):
    for name, obj in vars(module).items():
        if not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj)) \
                and obj.__module__ == module.__name__:
            yield name, obj


@pytest.mark.parametrize("name", MODULES)
def test_every_public_function_has_an_example(name):
    module = importlib.import_module(f"lstm_lib.{name}")
    found = list(public_callables(module))
    assert found, f"lstm_lib.{name} defines no public function"
    for fn_name, obj in found:
        doc = inspect.getdoc(obj) or ""
        assert doc.strip(), f"lstm_lib.{name}.{fn_name} has no docstring"
        assert ">>> " in doc, f"lstm_lib.{name}.{fn_name} has no runnable example"
