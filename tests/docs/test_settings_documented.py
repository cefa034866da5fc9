"""Every setting an operator may change is documented where operators look for it."""

from pathlib import Path

from directory.settings import DEFAULTS as DIRECTORY_DEFAULTS
from node.settings import DEFAULTS as NODE_DEFAULTS

ROOT = Path(__file__).resolve().parents[2]


def test_every_node_setting_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [key for key in NODE_DEFAULTS if f"CHALEUR_{key}" not in readme]
    assert missing == []


def test_every_directory_setting_is_documented() -> None:
    docs = (ROOT / "README.md").read_text() + (ROOT / "docs" / "directory.md").read_text()
    missing = [key for key in DIRECTORY_DEFAULTS if f"CHALEUR_{key}" not in docs]
    assert missing == []
