"""Every command the French guide tells people to type must exist, with the options it shows.

The guide (docs/guide/*.md) is read by a town hall or an animator who copies commands as
they are: a renamed sub-command or option must fail here, not in front of them. Lines run in
a container (``docker compose exec|run ... SERVICE chaleur ...``) are checked too, and the
service they name must exist in docker-compose.yml.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]

from tests.deploy.cli import (
    REPO,
    Invocation,
    check_invocation,
    logical_lines,
    parse_invocation,
)

GUIDE = REPO / "docs" / "guide"
_SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.M | re.S)
_CHALEUR_LINE = re.compile(
    r"^((\.venv/bin/)?chaleur(-directory)?|python3? -m (node|directory))(\s|$)")
#: docker compose options that take a value, before the service name.
_VALUE_OPTIONS = {"-v", "--volume", "-e", "--env", "-u", "--user", "-w", "--workdir"}


def sh_lines(path: Path) -> list[str]:
    return [line for block in _SH_BLOCK.findall(path.read_text(encoding="utf-8"))
            for line in logical_lines(block) if line and not line.startswith("#")]


def in_container(line: str) -> tuple[str, str] | None:
    """(service, command) for ``docker compose exec|run [options] SERVICE command...``."""
    words = shlex.split(line)
    if words[:2] != ["docker", "compose"] or len(words) < 4 or words[2] not in ("exec", "run"):
        return None
    index = 3
    while index < len(words) and words[index].startswith("-"):
        index += 2 if words[index] in _VALUE_OPTIONS else 1
    return words[index], shlex.join(words[index + 1:])


def guide_invocations() -> list[tuple[str, Invocation, str | None]]:
    found = []
    for path in sorted(GUIDE.glob("*.md")):
        for line in sh_lines(path):
            service = None
            contained = in_container(line)
            if contained:
                service, line = contained
            if _CHALEUR_LINE.match(line):
                invocation = parse_invocation(line)
                assert invocation is not None, line
                found.append((path.name, invocation, service))
    return found


def test_the_guide_has_its_chapters_and_is_linked() -> None:
    names = {path.name for path in GUIDE.glob("*.md")}
    assert names == {"README.md", "1-demarrer-une-micro-communaute.md",
                     "2-installer-le-noeud.md", "3-rejoindre-le-reseau-du-pays.md",
                     "4-faire-vivre-le-noeud.md", "5-sauvegarder-et-mettre-a-jour.md",
                     "6-une-rencontre-qui-decide.md", "7-faire-vivre-l-entraide.md"}
    summary = (GUIDE / "README.md").read_text(encoding="utf-8")
    for name in names - {"README.md"}:
        assert f"]({name})" in summary, f"the sommaire links {name}"
    assert "docs/guide/README.md" in (REPO / "README.md").read_text(encoding="utf-8")
    assert "guide/README.md" in (REPO / "docs" / "guide-admin.md").read_text(encoding="utf-8")


def test_the_guide_shows_the_commands_its_chapters_promise() -> None:
    paths = {(name, invocation.module, invocation.path[:2])
             for name, invocation, _ in guide_invocations()}
    for expected in [("2-installer-le-noeud.md", "node", ("setup",)),
                     ("2-installer-le-noeud.md", "node", ("serve",)),
                     ("3-rejoindre-le-reseau-du-pays.md", "node", ("federation", "join")),
                     ("3-rejoindre-le-reseau-du-pays.md", "directory", ("nodes", "admit")),
                     ("5-sauvegarder-et-mettre-a-jour.md", "node", ("backup",)),
                     ("5-sauvegarder-et-mettre-a-jour.md", "node", ("restore",)),
                     ("5-sauvegarder-et-mettre-a-jour.md", "node", ("db", "upgrade"))]:
        assert expected in paths, expected


def test_the_new_territory_example_uses_its_real_commune_code() -> None:
    import communes

    text = (GUIDE / "3-rejoindre-le-reseau-du-pays.md").read_text(encoding="utf-8")
    setup = next(invocation for name, invocation, _ in guide_invocations()
                 if name.startswith("3-") and invocation.path == ("setup",))
    words = shlex.split(setup.text)
    code = words[words.index("--commune") + 1]
    commune = communes.find(code)
    assert commune is not None and commune.name == "Dettwiller"
    assert f"code INSEE {code}" in text
    assert f"« Commune : Dettwiller ({code}) »" in text
    assert "--node-id dettwiller" in setup.text


@pytest.mark.parametrize("chapter, invocation, service", guide_invocations(),
                         ids=lambda value: getattr(value, "text", str(value))[:60])
def test_every_guide_command_exists_with_its_options(chapter: str, invocation: Invocation,
                                                     service: str | None) -> None:
    assert not check_invocation(invocation), chapter
    if service is not None:
        compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
        assert service in compose["services"], f"{chapter}: no compose service {service}"


def test_container_commands_are_recognised() -> None:
    assert in_container('docker compose run --rm -v "$PWD:/s:ro" sparsbach chaleur restore '
                        "/s/x.tar.gz --force") == (
        "sparsbach", "chaleur restore /s/x.tar.gz --force")
    assert in_container("docker compose exec -T sparsbach chaleur backup") == (
        "sparsbach", "chaleur backup")
    assert in_container("docker compose up -d") is None
