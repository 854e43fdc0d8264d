"""The install layout: every code folder ships as a ``tracegrad.*`` subpackage."""

import pathlib
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
TOP = {"tracer": "tracegrad.tracer", "transforms": "tracegrad.transforms",
       "interop": "tracegrad.interop"}


def test_every_code_folder_is_a_listed_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = set()
    for folder, name in TOP.items():
        assert config["package-dir"][name] == folder
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((name, *rel)))
    assert found == listed, f"pyproject packages differ: missing {found - listed}, " \
                            f"stale {listed - found}"


def _imports(path: pathlib.Path) -> str:
    lines = [ln.strip() for ln in path.read_text().splitlines()]
    return "\n".join(ln for ln in lines if ln.startswith(("import ", "from ")))


def test_layering_dependencies_point_one_way():
    for path in (ROOT / "tracer").rglob("*.py"):
        text = _imports(path)
        assert "transforms" not in text and "interop" not in text, path
    for path in (ROOT / "transforms").rglob("*.py"):
        text = _imports(path)
        assert "interop" not in text, path
        assert "import jax" not in text and "import torch" not in text, path
