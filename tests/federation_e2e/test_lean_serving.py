"""A real `python -m node serve` process on its own does not carry the federation stack, and
still federates once the node joins a directory while it runs.

What the process has loaded is read from /proc/<pid>/maps: cryptography is a native
library, mapped from the moment it is imported.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.federation_e2e.conftest import NodeProcess, wait_for
from tests.federation_e2e.directory_double import DirectoryDouble

pytestmark = pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc")


def has_mapped(node: NodeProcess, package: str) -> bool:
    assert node.process is not None
    maps = Path(f"/proc/{node.process.pid}/maps").read_text()
    return f"/{package}/" in maps


def test_a_node_serving_on_its_own_federates_once_it_joins(
        tmp_path: Path, directory: DirectoryDouble, template_instance: Path) -> None:
    node = NodeProcess(tmp_path)
    node.init_from(template_instance)
    node.start(ready="/")
    try:
        for path in ("/", "/rencontres", "/connexion", "/api/v1/events"):
            assert requests.get(node.url + path, timeout=5).status_code == 200
        assert not has_mapped(node, "cryptography")

        directory.admitted = True
        node.cli("federation", "join", "--directory", directory.origin,
                 "--fingerprint", directory.fingerprint)
        # The running server's worker notices the join and pushes the community record.
        wait_for(lambda: directory.applied.log, timeout=20)
        assert has_mapped(node, "cryptography")
    finally:
        node.close()
