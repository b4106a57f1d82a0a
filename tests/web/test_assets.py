"""Where the browser libraries come from: the installed package's vendor dir first (a wheel),
then the checkout's node_modules; neither → a start-up error that says how to fix it."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from nablab.interfaces.web.app import Settings, create_app
from nablab.interfaces.web.assets import AssetsMissing, find_node_modules, vendor_dirs


def fake_npm(root, names):
    for rel in names:
        (root / rel).mkdir(parents=True)
        (root / rel / "marker.js").write_text(f"// {rel} from {root.name}\n")
    return root


def test_package_vendor_dir_comes_first(tmp_path):
    package = fake_npm(tmp_path / "package", ["katex/dist", "plotly.js-dist-min"])
    modules = fake_npm(tmp_path / "node_modules", ["katex/dist", "plotly.js-dist-min",
                                                   "swagger-ui-dist"])
    found = vendor_dirs(modules, package_dir=package)
    assert found["katex"] == package / "katex/dist"
    assert found["plotly"] == package / "plotly.js-dist-min"
    assert found["swagger-ui"] == modules / "swagger-ui-dist"  # not in the package: checkout's


def test_the_server_serves_assets_from_the_package_dir(tmp_path):
    package = fake_npm(tmp_path / "package", ["katex/dist", "plotly.js-dist-min"])
    client = TestClient(create_app(Settings(node_modules=tmp_path / "none",
                                            package_vendor=package)))
    r = client.get("/vendor/katex/marker.js")
    assert r.status_code == 200 and "from package" in r.text
    assert client.get("/vendor/plotly/marker.js").status_code == 200


def test_neither_place_is_a_clear_start_up_error(tmp_path):
    with pytest.raises(AssetsMissing) as info:
        vendor_dirs(tmp_path / "node_modules", package_dir=tmp_path / "vendor")
    message = str(info.value)
    assert "katex/dist" in message and "plotly.js-dist-min" in message
    assert str(tmp_path / "vendor") in message and str(tmp_path / "node_modules") in message
    assert "npm ci" in message and "python -m build" in message


def test_the_checkout_still_works_from_node_modules(tmp_path):
    found = vendor_dirs(find_node_modules(), package_dir=tmp_path / "no-package")
    assert (found["katex"] / "katex.min.js").is_file()
    assert (found["plotly"] / "plotly.min.js").is_file()
