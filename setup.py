"""The package is declared in pyproject.toml; this file only adds what pyproject cannot: the text
path compiled with mypyc, the modules listed under [tool.news-worker] compiled-modules (why these:
see there). Needs a C compiler and the Python headers.

NEWS_WORKER_PURE_PYTHON=1 builds without compiling, for platforms without a C compiler: the same
source then runs interpreted, with the same results, about 1.5x slower.

An editable install (pip install -e .) puts the compiled modules next to their source
(worker/cleaning/*.so), where Python imports them instead of the .py: after editing one of those
modules, install again (it recompiles) or the old code keeps running. The test suite stops when
that happens (tests/fixtures/compiled_text_path.py).
"""
import os
import sys
import tomllib
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

from setuptools import Extension, setup

ROOT = Path(__file__).resolve().parent
COMPILED_MODULES: list[str] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
    "tool"]["news-worker"]["compiled-modules"]
# One shared library for the group, so that calls between the modules are native calls. Named into
# their package (mypyc's default is a top-level module named by a hash), where an editable install
# finds it too.
GROUP = "worker.cleaning.text_path"


def metadata_only() -> bool:
    """pip runs setup.py once for the build requirements (egg_info) and once for the metadata
    (dist_info) before the build. Neither needs C code, and mypyc's type check of the text path
    takes seconds each time."""
    commands = [arg for arg in sys.argv[1:] if not arg.startswith("-")]
    return bool(commands) and commands[0] in ("egg_info", "dist_info")


def compiled_text_path() -> list[Extension]:
    from mypyc.build import mypycify

    # Relative to the project root, where pip runs the build.
    sources = [module.replace(".", "/") + ".py" for module in COMPILED_MODULES]
    # pip's isolated build environment has no third-party packages (ftfy): mypy reads them as Any,
    # which only means generic calls to them. The modules the listed ones import (worker.config,
    # the package's __init__ and what it imports) are read for their types, not compiled, so their
    # type errors without those packages do not stop the build.
    return mypycify(["--ignore-missing-imports", "--follow-imports=silent", *sources], group_name=GROUP)


def remove_in_place_builds() -> None:
    """Delete the compiled modules an earlier editable install left next to the source: they would
    still shadow the .py files a pure build is asked to run."""
    for module in [*COMPILED_MODULES, f"{GROUP}__mypyc"]:
        for suffix in EXTENSION_SUFFIXES:
            (ROOT / (module.replace(".", "/") + suffix)).unlink(missing_ok=True)


if os.environ.get("NEWS_WORKER_PURE_PYTHON") == "1":
    remove_in_place_builds()
    setup()
elif metadata_only():
    setup()
else:
    setup(ext_modules=compiled_text_path())
