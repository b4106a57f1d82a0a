"""Where the page's files come from: our static files, and the third-party browser libraries.

KaTeX, plotly.js and Swagger UI come from npm (package-lock). An installed wheel carries them in
the package data dir ``vendor/<npm package name>/…`` (copied there by the build hook; not in
git); a checkout has them in the repository's ``node_modules``. The package dir is looked at
first. Nothing is ever loaded from another origin.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
APIDOCS_DIR = HERE / "apidocs"
#: npm files inside the installed package: vendor/<npm package name>/… (filled at build time)
PACKAGE_VENDOR_DIR = HERE / "vendor"

# /vendor/<name>/ -> the first of these folders (npm package name + subfolder) that exists
VENDOR: dict[str, tuple[str, ...]] = {
    "katex": ("katex/dist",),
    "plotly": ("plotly.js-dist-min", "plotly.js-strict-dist-min", "plotly.js-dist"),
    "swagger-ui": ("swagger-ui-dist",),
}
REQUIRED_VENDOR = ("katex", "plotly")


class AssetsMissing(RuntimeError):
    """The vendored browser libraries are neither in the package nor in ``node_modules``."""


def find_node_modules(start: Path = HERE) -> Path:
    """The ``node_modules`` next to the nearest ``package.json`` above ``start`` (the repo's)."""
    for parent in [start, *start.parents]:
        if (parent / "package.json").is_file():
            return parent / "node_modules"
    return Path.cwd() / "node_modules"


def vendor_dirs(node_modules: Path, require: bool = True,
                package_dir: Path = PACKAGE_VENDOR_DIR) -> dict[str, Path]:
    """Which vendor folders exist (``package_dir`` first, then ``node_modules``); raises
    :class:`AssetsMissing` for a required one that is in neither."""
    found: dict[str, Path] = {}
    for name, candidates in VENDOR.items():
        for base in (package_dir, node_modules):
            path = next((base / rel for rel in candidates if (base / rel).is_dir()), None)
            if path is not None:
                found[name] = path
                break
    missing = [n for n in REQUIRED_VENDOR if n not in found]
    if missing and require:
        wanted = ", ".join(VENDOR[n][0] for n in missing)
        raise AssetsMissing(
            f"the page's browser libraries ({wanted}) are missing: they are neither in the "
            f"installed package ({package_dir}) nor in {node_modules}. From a checkout, run "
            "./dev setup (it runs npm ci); from pip, install a wheel built with "
            "`python -m build` (its build hook copies them into the package), or point "
            "NABLAB_NODE_MODULES at a node_modules folder that has them."
        )
    return found
