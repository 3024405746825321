"""The house rules that hold for the whole code: app/'s layers and the import contracts
(pyproject.toml's [tool.importlinter]), and SomaError as the root of every error of ours."""

import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path

import app
import workers
from app.base.errors import SomaError

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _modules():
    for package in (app, workers):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name != "app.__main__":  # it runs the command line
                yield importlib.import_module(info.name)


def test_every_error_class_of_ours_is_a_soma_error():
    # The bridge and the command line catch SomaError alone: an error class that is not one
    # would reach the page as "Internal error" and the terminal as a traceback.
    errors = {
        cls
        for module in _modules()
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, BaseException) and cls.__module__.startswith(("app.", "workers."))
    }
    assert {cls.__name__ for cls in errors} >= {"AudioError", "ProjectError", "SnapError"}
    assert [cls.__name__ for cls in errors if not issubclass(cls, SomaError)] == []
