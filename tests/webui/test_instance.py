"""One settings file per instance: found from any terminal, read by every app, typos refused."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from directory import create_app as create_directory
from node import create_app as create_node
from webui.instance import (
    DIRECTORY_FOLDER,
    NODE_FOLDER,
    SETTINGS_FILE,
    locate_instance,
    read_settings,
    write_settings,
)
from webui.settings import SettingsError


@pytest.fixture(autouse=True)
def _no_instance_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHALEUR_INSTANCE_PATH", raising=False)
    monkeypatch.delenv("CHALEUR_PUBLIC_URL", raising=False)


def test_the_nearest_instance_is_found_from_a_sub_folder(tmp_path: Path) -> None:
    write_settings(tmp_path / NODE_FOLDER, {"PUBLIC_URL": "http://127.0.0.1:5241"}, title="t")
    deeper = tmp_path / "docs" / "guide"
    deeper.mkdir(parents=True)
    assert locate_instance(NODE_FOLDER, deeper) == tmp_path / NODE_FOLDER
    # Nothing set up for the directory: it would be created where the terminal is.
    assert locate_instance(DIRECTORY_FOLDER, deeper) == deeper / DIRECTORY_FOLDER


def test_the_variable_wins_over_the_search(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_settings(tmp_path / NODE_FOLDER, {"PUBLIC_URL": "http://127.0.0.1:5241"}, title="t")
    monkeypatch.setenv("CHALEUR_INSTANCE_PATH", str(tmp_path / "ailleurs"))
    assert locate_instance(NODE_FOLDER, tmp_path) == tmp_path / "ailleurs"


def test_every_app_reads_the_file_and_a_variable_still_wins(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_settings(tmp_path / NODE_FOLDER, {"PUBLIC_URL": "https://dettwiller.example",
                                            "SERVE_PORT": 5241, "FEDERATION_ALLOW_PRIVATE": True},
                   title="Nœud de Dettwiller")
    write_settings(tmp_path / DIRECTORY_FOLDER, {"SITE_NAME": "Pays « essai »"}, title="Pays")
    monkeypatch.chdir(tmp_path)
    node = create_node()
    assert node.instance_path == str(tmp_path / NODE_FOLDER)
    assert node.config["PUBLIC_URL"] == "https://dettwiller.example"
    assert node.config["SERVE_PORT"] == 5241
    assert node.config["FEDERATION_ALLOW_PRIVATE"] is True
    assert create_directory().config["SITE_NAME"] == "Pays « essai »"
    monkeypatch.setenv("CHALEUR_PUBLIC_URL", "http://127.0.0.1:5242")
    assert create_node().config["PUBLIC_URL"] == "http://127.0.0.1:5242"


def test_the_file_is_private_and_merged(tmp_path: Path) -> None:
    instance = tmp_path / NODE_FOLDER
    write_settings(instance, {"PUBLIC_URL": "http://127.0.0.1:5241"}, title="t")
    write_settings(instance, {"MAIL_PASSWORD": 'mot "de" passe'}, title="t")
    assert stat.S_IMODE(os.stat(instance / SETTINGS_FILE).st_mode) == 0o600
    known = {"PUBLIC_URL": "", "MAIL_PASSWORD": ""}
    assert read_settings(instance, known) == {"PUBLIC_URL": "http://127.0.0.1:5241",
                                              "MAIL_PASSWORD": 'mot "de" passe'}


def test_a_typo_in_the_file_is_named(tmp_path: Path) -> None:
    instance = tmp_path / NODE_FOLDER
    instance.mkdir()
    (instance / SETTINGS_FILE).write_text('PUBLC_URL = "https://x.example"\n')
    with pytest.raises(SettingsError, match="PUBLC_URL"):
        create_node({"INSTANCE_PATH": str(instance)})
    (instance / SETTINGS_FILE).write_text('PUBLIC_URL = "https://x.example\n')
    with pytest.raises(SettingsError, match="illisible"):
        create_node({"INSTANCE_PATH": str(instance)})
