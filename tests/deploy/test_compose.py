"""The compose file and .env.example, checked without Docker (no engine runs on this machine).

Each check compares the deployment files with the real code: the Compose Specification (the
``compose-spec`` validator), the settings the apps read, the commands the CLIs have, the routes
the healthchecks call, the scripts the image's entrypoint runs.
"""

from __future__ import annotations

import os
import re
from typing import Any

import click
import pytest
import yaml  # type: ignore[import-untyped]
from compose_spec import PyCompose
from flask import Flask
from werkzeug.exceptions import HTTPException

from tests.deploy.cli import REPO, check_invocation, logical_lines, parse_invocation

COMPOSE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
DOCKER_DIR = REPO / "docker"
#: Words the image's entrypoint turns into a script of docker/ (see docker/entrypoint.sh).
ROLE_SCRIPTS = {"node-setup": "node", "directory-setup": "directory", "join": "node",
                "admit": "directory"}
SERVE_COMMANDS = {("chaleur", "serve"): "node", ("python", "-m", "directory", "serve"):
                  "directory"}
_INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(compose["services"])


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Flask]:
    from directory import create_app as create_directory
    from node import create_app as create_node

    base = tmp_path_factory.mktemp("apps")
    return {"node": create_node({"INSTANCE_PATH": str(base / "node"), "TESTING": True}),
            "directory": create_directory({"INSTANCE_PATH": str(base / "directory"),
                                           "TESTING": True})}


def env_example() -> dict[str, str]:
    pairs = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value
    return pairs


def role_of(service: dict[str, Any]) -> str | None:
    """"node" or "directory" for a Chaleur service (by the command it runs), None otherwise."""
    command = service.get("command")
    if not command:
        return None
    if command[0] in ROLE_SCRIPTS:
        return ROLE_SCRIPTS[command[0]]
    for prefix, role in SERVE_COMMANDS.items():
        if tuple(command[: len(prefix)]) == prefix:
            return role
    invocation = parse_invocation(" ".join(command))
    return invocation.module if invocation else None


def cli_envvars(app: Flask) -> set[str]:
    """Environment variables the CLI's own options read (e.g. CHALEUR_ADMIN_PASSWORD)."""
    found: set[str] = set()

    def walk(command: click.Command) -> None:
        for param in command.params:
            envvar = getattr(param, "envvar", None)
            if isinstance(envvar, str):
                found.add(envvar)
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(app.cli)
    return found


def allowed_variables(module: str, app: Flask) -> set[str]:
    """Every CHALEUR_* name the given app reads: its settings, the specials, its CLI's envvars."""
    settings = __import__(f"{module}.settings", fromlist=["DEFAULTS"])
    specials = {"SECRET_KEY", "INSTANCE_PATH"}  # read by load_settings / create_app
    return ({f"CHALEUR_{key}" for key in (*settings.DEFAULTS, *specials)}
            | cli_envvars(app))


def test_compose_file_follows_the_compose_specification() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    parsed = PyCompose.from_yaml(text)
    parsed.validate()
    assert set(parsed.service_names()) >= {"postgres", "directory", "sparsbach",
                                           "westhouse-marmoutier"}
    # The validator is strict: the same file with one misspelt key is refused.
    with pytest.raises(ValueError, match="restrat"):
        PyCompose.from_yaml(text.replace("restart: unless-stopped", "restrat: unless-stopped", 1))


def test_directory_runs_on_postgresql_and_nodes_on_sqlite(services: dict[str, Any]) -> None:
    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:16")
    assert "pg_isready" in postgres["healthcheck"]["test"]
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])
    for name, service in services.items():
        url = service.get("environment", {}).get("CHALEUR_DATABASE_URL")
        if role_of(service) == "directory":
            assert url and url.startswith("postgresql+psycopg://") and "@postgres:" in url, name
            assert service["depends_on"].get("postgres", {}).get("condition") in (
                None, "service_healthy") or "postgres" not in service["depends_on"], name
        elif role_of(service) == "node":
            assert url is None, f"{name}: nodes keep SQLite in their volume"


def test_every_chaleur_variable_is_a_real_setting(services: dict[str, Any],
                                                 apps: dict[str, Flask]) -> None:
    problems = []
    for name, service in services.items():
        role = role_of(service)
        if role is None:
            continue
        allowed = allowed_variables(role, apps[role])
        problems += [f"{name}: {key} is not a {role} setting"
                     for key in service.get("environment", {})
                     if key.startswith("CHALEUR_") and key not in allowed]
    either = allowed_variables("node", apps["node"]) | allowed_variables(
        "directory", apps["directory"])
    problems += [f".env.example: {key} is no setting" for key in env_example()
                 if key.startswith("CHALEUR_") and key not in either]
    assert not problems


def test_env_example_lists_every_variable_the_compose_file_reads() -> None:
    used = set(_INTERPOLATION.findall(COMPOSE.read_text(encoding="utf-8")))
    listed = set(env_example())
    assert used - listed == set(), "used in docker-compose.yml, missing from .env.example"
    assert listed - used == set(), "listed in .env.example, read by nothing"


def test_no_secret_is_committed(services: dict[str, Any]) -> None:
    secret = re.compile(r"PASSWORD|SECRET|TOKEN", re.I)
    for key, value in env_example().items():
        if secret.search(key) and key not in ("CHALEUR_MAIL_PASSWORD",):
            assert value == "", f".env.example gives a value to {key}"
    assert env_example()["CHALEUR_MAIL_PASSWORD"] == ""
    for name, service in services.items():
        for key, value in service.get("environment", {}).items():
            if secret.search(key):
                assert str(value).startswith("${"), f"{name}: {key} must come from .env"
                assert ":?" in str(value) or str(value).endswith(":-}"), (
                    f"{name}: {key} must be required or empty by default")
    ignored = (REPO / ".gitignore").read_text().splitlines()
    assert ".env" in ignored
    assert ".env" in (REPO / ".dockerignore").read_text().splitlines()


def test_every_command_exists_in_the_real_clis(services: dict[str, Any]) -> None:
    problems: list[str] = []
    scripts = set()
    for name, service in services.items():
        command = service.get("command")
        if not command or role_of(service) is None:
            continue
        if command[0] in ROLE_SCRIPTS:
            scripts.add(command[0])
            continue
        invocation = parse_invocation(" ".join(command))
        assert invocation is not None, f"{name}: {command} is not a Chaleur command"
        problems += check_invocation(invocation)
    assert scripts == set(ROLE_SCRIPTS), "every one-shot step is used by the compose file"
    for script in sorted(scripts):
        path = DOCKER_DIR / f"{script}.sh"
        assert os.access(path, os.X_OK), f"{path} must be executable"
        invocations = [parse_invocation(line) for line in logical_lines(path.read_text())
                       if line.startswith(("chaleur", "python -m"))]
        assert invocations, f"{path} runs no Chaleur command"
        for invocation in invocations:
            if invocation is not None:
                problems += check_invocation(invocation)
    assert not problems


def test_entrypoint_knows_every_role_word() -> None:
    entrypoint = (DOCKER_DIR / "entrypoint.sh").read_text()
    case_line = next(line for line in entrypoint.splitlines() if "directory-setup|" in line)
    assert set(case_line.strip().rstrip(")").split("|")) == set(ROLE_SCRIPTS)
    for word in ("node)", "directory)", 'exec "$role" "$@"'):
        assert word in entrypoint


def test_volumes_and_dependencies_are_declared(compose: dict[str, Any],
                                               services: dict[str, Any]) -> None:
    declared = set(compose.get("volumes", {}))
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            assert not source.startswith((".", "/")), f"{name}: use a named volume"
            assert source in declared, f"{name}: volume {source} is not declared"
        for target, rule in service.get("depends_on", {}).items():
            assert target in services, f"{name} depends on unknown {target}"
            one_shot = services[target].get("restart") == "no"
            expected = "service_completed_successfully" if one_shot else "service_healthy"
            assert rule["condition"] == expected, f"{name} -> {target}"


def test_each_node_has_its_persistent_volume_setup_join_and_admit(
        services: dict[str, Any]) -> None:
    for node in ("sparsbach", "westhouse-marmoutier"):
        volume = f"{node}-instance:/srv/chaleur/instance"
        assert volume in services[node]["volumes"]
        assert services[f"{node}-setup"]["command"] == ["node-setup"]
        assert volume in services[f"{node}-setup"]["volumes"]
        assert services[node]["depends_on"][f"{node}-setup"]["condition"] == (
            "service_completed_successfully")
        join, admit = services[f"{node}-join"], services[f"{node}-admit"]
        assert join["command"] == ["join"] and volume in join["volumes"]
        assert join["environment"]["DIRECTORY_URL"] == (
            services["directory"]["environment"]["CHALEUR_PUBLIC_URL"])
        assert join["environment"]["CHALEUR_PUBLIC_URL"] == (
            services[node]["environment"]["CHALEUR_PUBLIC_URL"])
        assert admit["command"] == ["admit"]
        assert admit["environment"]["NODE_ID"] == services[f"{node}-setup"]["environment"][
            "NODE_ID"] == node
        assert "directory-instance:/srv/chaleur/instance" in admit["volumes"]
        assert set(admit["depends_on"]) == {f"{node}-join"}
        # Compose talks over private addresses: a node refuses them unless told otherwise.
        for service in (services[node], join):
            assert service["environment"]["CHALEUR_FEDERATION_ALLOW_PRIVATE"] == "1"


def _serve_port(service: dict[str, Any]) -> int:
    command = service["command"]
    return int(command[command.index("--port") + 1])


def test_ports_are_distinct_and_match_the_servers(services: dict[str, Any]) -> None:
    published = []
    for name, service in services.items():
        for mapping in service.get("ports", []):
            host, container = (int(part) for part in str(mapping).split(":")[-2:])
            published.append(host)
            assert container == _serve_port(service), name
            assert host == container, f"{name}: same port inside and out keeps URLs valid"
            public = service["environment"]["CHALEUR_PUBLIC_URL"]
            assert public.rstrip("}").endswith(f":{container}"), name
    assert sorted(published) == sorted(set(published)) == [5100, 5101, 5102]


def test_healthchecks_call_real_routes_of_their_app(services: dict[str, Any],
                                                    apps: dict[str, Flask]) -> None:
    checked = 0
    for name, service in services.items():
        role = role_of(service)
        health = service.get("healthcheck", {})
        if role is None or health.get("disable"):
            continue
        assert service.get("restart") == "unless-stopped", f"{name}: only servers check health"
        test = " ".join(health["test"])
        match = re.search(r"https?://127\.0\.0\.1:(\d+)(/[^'\"\s]*)", test)
        assert match, f"{name}: healthcheck must GET a local URL"
        assert int(match[1]) == _serve_port(service), name
        adapter = apps[role].url_map.bind("localhost")
        try:
            adapter.match(match[2], method="GET")
        except HTTPException as error:  # pragma: no cover - the failure message
            pytest.fail(f"{name}: {match[2]} is not a GET route of the {role}: {error}")
        checked += 1
    assert checked == 3


def test_one_shot_steps_never_restart(services: dict[str, Any]) -> None:
    for name, service in services.items():
        if service.get("command", [""])[0] in ROLE_SCRIPTS:
            assert service["restart"] == "no", name
            assert service["healthcheck"] == {"disable": True}, name


def test_node_services_point_at_sqlite_free_paths_only(services: dict[str, Any]) -> None:
    """Every Chaleur service uses the image's instance folder, the one its volume is on."""
    for name, service in services.items():
        if role_of(service) is not None:
            assert "CHALEUR_INSTANCE_PATH" not in service.get("environment", {}), name
            assert any(v.endswith(":/srv/chaleur/instance") for v in service["volumes"]), name
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "CHALEUR_INSTANCE_PATH=/srv/chaleur/instance" in dockerfile


def test_directory_setup_publishes_its_fingerprint_where_joins_read_it(
        services: dict[str, Any]) -> None:
    assert "federation-share:/srv/chaleur/share" in services["directory-setup"]["volumes"]
    for node in ("sparsbach", "westhouse-marmoutier"):
        assert "federation-share:/srv/chaleur/share:ro" in services[f"{node}-join"]["volumes"]
    assert "federation-share" not in " ".join(services["directory"]["volumes"]
                                               + services["sparsbach"]["volumes"])


