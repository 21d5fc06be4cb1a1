"""A plain ``pip install .`` gives a working TradeKG (issue 15.5).

The package is installed, not in editable mode, into a fresh virtual environment; the commands then run from
another folder, so nothing can be read from the source checkout: the ontology, the query library, the schemas,
the mappings and the page assets must all come from inside the installed package.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

from tests.conftest import ARTICLES, ROOT

pytestmark = pytest.mark.slow

_TOP_LEVEL_SKIP = {".git", ".venv", "out", "build", "dist", "test-artifacts", "bench", ".hypothesis"}


def _skip(folder: str, names: list[str]) -> set[str]:
    """What not to copy: build products and caches anywhere, and the top-level folders a checkout may hold
    (a name such as ``build`` is skipped at the top only: ``kg/build`` is a package)."""
    top = Path(folder).resolve() == ROOT.resolve()
    return {n for n in names if n == "__pycache__" or n.endswith((".egg-info", "_cache"))
            or (top and n in _TOP_LEVEL_SKIP)}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a fresh virtual environment with TradeKG installed from a copy of the checkout."""
    base = tmp_path_factory.mktemp("install")
    src = base / "src"
    shutil.copytree(ROOT, src, ignore=_skip)
    env_dir = base / "venv"
    venv.create(env_dir, with_pip=True)
    bindir = env_dir / "bin"
    proc = subprocess.run([str(bindir / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                           str(src)], capture_output=True, text=True, timeout=900, env=_env())
    assert proc.returncode == 0, proc.stderr[-3000:]
    shutil.rmtree(src)  # nothing may be read from the copy it was installed from
    return bindir


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def _run(bindir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(bindir / "tradekg"), *args], cwd=cwd, capture_output=True, text=True, env=_env(),
                          timeout=600)


def test_the_package_is_imported_from_site_packages(installed: Path, tmp_path: Path) -> None:
    proc = subprocess.run([str(installed / "python"), "-c", "import kg, kg.resources as r; "
                           "print(kg.__file__); print(r.path('ontology')); print(r.path('queries'))"],
                          cwd=tmp_path, capture_output=True, text=True, check=True, env=_env())
    lines = proc.stdout.splitlines()
    assert all("site-packages" in line for line in lines), lines
    assert not any(str(ROOT) in line for line in lines), lines
    assert (Path(lines[1]) / "tradekg.ttl").is_file() and (Path(lines[2]) / "tariffs-in-force.rq").is_file(), lines


def test_installed_package_builds_lists_queries_and_validates(installed: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(ARTICLES, corpus)
    built = _run(installed, tmp_path, "build", "corpus", "--store", "store")
    assert built.returncode == 0, built.stderr
    n = sum(1 for f in corpus.glob("*.yaml") if f.name != "registry.yaml")
    assert f"{n} article graph(s) written" in built.stdout

    listed = _run(installed, tmp_path, "queries")
    assert listed.returncode == 0, listed.stderr
    for name in ("meeting-participants", "tariffs-in-force", "source-disagreements"):
        assert name in listed.stdout

    drafted = _run(installed, tmp_path, "annotate", str(corpus / "001-ishiba-trump-white-house-summit.txt"),
                   "--published", "2025-02-08", "--publisher", "tradekg-desk", "--registry",
                   str(corpus / "registry.yaml"), "-o", "draft.yaml")
    assert drafted.returncode == 0, drafted.stderr

    answered = _run(installed, tmp_path, "query", "tariffs-in-force", "--store", "store", "--param",
                    "date=2025-04-20", "--format", "csv")
    assert answered.returncode == 0, answered.stderr
    assert len(answered.stdout.splitlines()) > 1

    validated = _run(installed, tmp_path, "validate", "--store", "store")
    assert validated.returncode == 0, validated.stdout + validated.stderr

    page = _run(installed, tmp_path, "viz", "--store", "store", "-o", "graph.html")
    assert page.returncode == 0, page.stderr
    assert (tmp_path / "graph.html").stat().st_size > 10_000


def test_public_api_names_resolve_and_none_shadows_a_submodule() -> None:
    import importlib
    import pkgutil

    import kg

    submodules = {m.name for m in pkgutil.iter_modules(kg.__path__)}
    for name in kg.__all__:
        assert name not in submodules, f"kg.{name} is both a public name and a submodule"
        assert getattr(kg, name) is not None
    assert importlib.import_module("kg.export").__name__ == "kg.export"


def test_every_folder_of_the_package_ships() -> None:
    """pyproject lists packages by name (the data folders are mapped in): a new folder under kg/ must be listed,
    or a plain install silently lacks it (kg.assistant was missing, and `tradekg annotate` failed installed)."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    folders = {".".join(d.relative_to(ROOT).parts) for d in (ROOT / "kg").rglob("*")
               if d.is_dir() and d.name != "__pycache__" and any(f.is_file() for f in d.iterdir())}
    folders.add("kg")
    missing = sorted(folders - listed)
    assert not missing, f"folders of kg/ not listed in pyproject's [tool.setuptools] packages: {missing}"
