"""Build step: put the page's browser libraries into the wheel.

The metadata lives in pyproject.toml; this file only extends ``build_py`` so that a built wheel
carries the files the page serves under /vendor/ (KaTeX, Plotly, Swagger UI), copied from the
repository's ``node_modules`` (populated from package-lock.json with ``npm ci --ignore-scripts``
when missing) into ``nablab/interfaces/web/vendor/<npm package>/…``. Nothing third-party is
committed; an editable install (``./dev setup``) serves straight from ``node_modules``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
TARGET = Path("nablab", "interfaces", "web", "vendor")

#: npm package -> files (globs) the page and /docs load, plus their licences
VENDOR_FILES: dict[str, tuple[str, ...]] = {
    "katex": ("dist/katex.min.js", "dist/katex.min.css", "dist/fonts/*", "LICENSE"),
    "plotly.js-dist-min": ("plotly.min.js", "LICENSE"),
    "swagger-ui-dist": ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"),
}


def _node_modules() -> Path:
    modules = ROOT / "node_modules"
    complete = all((modules / pkg).is_dir() for pkg in VENDOR_FILES)
    if not complete and (ROOT / "package-lock.json").is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("building nablab's wheel needs npm (to install the page's browser "
                             "libraries from package-lock.json), or a populated node_modules")
        subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund",
                        "--loglevel=error"], cwd=ROOT, check=True)
    return modules


class BuildWithVendor(build_py):
    """``build_py`` that also copies the vendored browser files into the build tree."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install serves from node_modules
        modules = _node_modules()
        out = Path(self.build_lib) / TARGET
        for pkg, patterns in VENDOR_FILES.items():
            for pattern in patterns:
                files = sorted((modules / pkg).glob(pattern))
                if not files:
                    raise SystemExit(f"node_modules/{pkg}/{pattern} is missing; run npm ci")
                for src in files:
                    if src.is_file():
                        dest = out / pkg / src.relative_to(modules / pkg)
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(src, dest)


setup(cmdclass={"build_py": BuildWithVendor})
