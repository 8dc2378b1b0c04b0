"""The production deployment (docker/, config/production.ini), checked without a Docker engine.

Plain test functions: they read the compose file, the Dockerfile, the ini files and the scripts, resolve the
compose ${...} references with docker/.env.example, and load production.ini with CKAN's own config loader in
the environment the compose file gives the CKAN containers. No CKAN fixture is used.
"""
from __future__ import annotations

import configparser
import importlib.util
import json
import os
import re
import runpy
import shlex
import subprocess
import sys
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCKER = ROOT / "docker"
COMPOSE_FILE = DOCKER / "docker-compose.yml"
ENV_EXAMPLE = DOCKER / ".env.example"
DOCKERFILE = DOCKER / "Dockerfile"
DOCKERIGNORE = DOCKER / "Dockerfile.dockerignore"
ENTRYPOINT = DOCKER / "entrypoint.sh"
WAIT_SCRIPT = DOCKER / "wait_for_services.py"
GUNICORN_CONF = DOCKER / "gunicorn.conf.py"
POSTGRES_INIT = DOCKER / "postgres-init"
COMMON_INI = ROOT / "config" / "common.ini"
PRODUCTION_INI = ROOT / "config" / "production.ini"

CKAN_SERVICES = ("ckan", "worker", "harvest-gather", "harvest-fetch", "harvest-run")
BACKING_SERVICES = ("db", "solr", "redis")
# ckan/ckan-solr images serve CKAN's schema as the core "ckan" (http://<host>:8983/solr/ckan).
SOLR_IMAGE = "ckan/ckan-solr:2.11-solr9-spatial"
SOLR_CORE = "ckan"

# Options production.ini must take from the environment, and the variable that sets each.
FROM_ENVIRONMENT = {
    "ckan.site_url": "CKAN_SITE_URL",
    "sqlalchemy.url": "CKAN_SQLALCHEMY_URL",
    "ckan.datastore.write_url": "CKAN_DATASTORE_WRITE_URL",
    "ckan.datastore.read_url": "CKAN_DATASTORE_READ_URL",
    "solr_url": "CKAN_SOLR_URL",
    "ckan.redis.url": "CKAN_REDIS_URL",
    "ckan.storage_path": "CKAN_STORAGE_PATH",
    "ckan.harvest.mq.hostname": "CKAN_HARVEST_MQ_HOSTNAME",
    "ckan.harvest.mq.port": "CKAN_HARVEST_MQ_PORT",
    "ckan.harvest.mq.redis_db": "CKAN_HARVEST_MQ_REDIS_DB",
    "SECRET_KEY": "CKAN_SECRET_KEY",
    "api_token.jwt.encode.secret": "CKAN_API_TOKEN_JWT_SECRET",
    "api_token.jwt.decode.secret": "CKAN_API_TOKEN_JWT_SECRET",
    "WTF_CSRF_SECRET_KEY": "CKAN_WTF_CSRF_SECRET_KEY",
}

INI_REFERENCE = re.compile(r"%\(([A-Za-z_][A-Za-z0-9_]*)\)s")
COMPOSE_REFERENCE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


# --- readers -----------------------------------------------------------------------------------------------


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line)
        assert match, f"{path.name}:{number} is not KEY=value: {line!r}"
        assert match.group(1) not in values, f"{path.name}: {match.group(1)} is set twice"
        values[match.group(1)] = match.group(2)
    return values


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $VAR and $$."""

    def replace(match: re.Match) -> str:
        if match.group("escaped"):
            return "$"
        name = match.group("braced") or match.group("bare")
        op, arg = match.group("op"), match.group("arg")
        value = env.get(name)
        missing = value is None or (op is not None and op.startswith(":") and value == "")
        if op in ("-", ":-"):
            return arg if missing else value
        if op in ("?", ":?"):
            if missing:
                raise LookupError(f"{name}: {arg}")
            return value
        assert op is None, f"unsupported compose interpolation {match.group(0)}"
        return value or ""

    return COMPOSE_REFERENCE.sub(replace, text)


def compose_strings(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from compose_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from compose_strings(value)
    elif isinstance(node, str):
        yield node


def resolve(node, env: dict[str, str]):
    if isinstance(node, dict):
        return {key: resolve(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(value, env) for value in node]
    if isinstance(node, str):
        return interpolate(node, env)
    return node


def load_compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def resolved_compose() -> dict:
    return resolve(load_compose(), read_env_file(ENV_EXAMPLE))


def service_env(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: "" if value is None else str(value) for key, value in environment.items()}


def ini_chain(path: Path) -> list[Path]:
    """The file and the ones it chains to with `use = config:...`, as CKAN follows them."""
    chain = []
    while True:
        chain.append(path)
        parser = configparser.RawConfigParser()
        parser.read(path)
        scheme, _, target = parser.get("app:main", "use", fallback="").partition(":")
        if scheme != "config":
            return chain
        path = (path.parent / target).resolve()
        assert path.exists(), f"{chain[-1].name} chains to a missing file {target}"
        assert path not in chain, "circular use = config: chain"


def raw_options(*paths: Path) -> dict[str, str]:
    parser = configparser.RawConfigParser()
    parser.optionxform = str
    for path in paths:
        assert parser.read(path), f"cannot read {path}"
    return dict(parser.items("app:main"))


def plugins(options: dict[str, str]) -> list[str]:
    return options["ckan.plugins"].split()


def dockerfile_instructions() -> list[tuple[str, str]]:
    instructions, current = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        keyword, _, rest = (current + stripped).partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        current = ""
    return instructions


def dockerfile_stages() -> list[dict]:
    """Per stage: name, base image (ARG defaults resolved), final-stage COPYs as {destination: source}, ..."""
    args, stages = {}, []
    for keyword, rest in dockerfile_instructions():
        if keyword == "ARG" and not stages:
            name, _, default = rest.partition("=")
            args[name] = default
        elif keyword == "FROM":
            words = rest.split()
            image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], words[0])
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append({"name": name, "image": image, "copies": [], "env": {}, "user": None, "run": [],
                           "entrypoint": None, "cmd": None, "expose": [], "workdir": None})
        elif keyword == "COPY":
            words = shlex.split(rest)
            flags = [word for word in words if word.startswith("--")]
            paths = [word for word in words if not word.startswith("--")]
            stages[-1]["copies"].append({"flags": flags, "sources": paths[:-1], "destination": paths[-1]})
        elif keyword == "ENV":
            stages[-1]["env"].update(word.split("=", 1) for word in shlex.split(rest))
        elif keyword == "USER":
            stages[-1]["user"] = rest
        elif keyword == "RUN":
            stages[-1]["run"].append(rest)
        elif keyword in ("ENTRYPOINT", "CMD"):
            stages[-1][keyword.lower()] = json.loads(rest)
        elif keyword == "EXPOSE":
            stages[-1]["expose"].extend(int(port.split("/")[0]) for port in rest.split())
        elif keyword == "WORKDIR":
            stages[-1]["workdir"] = rest
    return stages


def copied_files(stage: dict) -> dict[str, str]:
    """{path in the image: path in the build context} for the stage's COPYs from the build context."""
    files = {}
    for copy_ in stage["copies"]:
        if any(flag.startswith("--from") for flag in copy_["flags"]):
            continue
        for source in copy_["sources"]:
            destination = copy_["destination"]
            if destination.endswith("/"):
                destination += PurePosixPath(source).name
            files[destination] = source
    return files


def load_wait_script():
    spec = importlib.util.spec_from_file_location("paser_wait_for_services", WAIT_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _bundle_plugins():
    """Replaces tests/conftest.py's autouse fixture of that name: these checks read files and need neither the
    test database nor loaded plugins."""
    yield


@pytest.fixture
def ckan_env() -> dict[str, str]:
    """The environment of the `ckan` container, as compose builds it from .env.example."""
    return service_env(resolved_compose()["services"]["ckan"])


@pytest.fixture
def production_config(monkeypatch, ckan_env) -> dict:
    """production.ini loaded by CKAN's own loader in exactly the `ckan` container's CKAN_* environment."""
    from ckan.cli import CKANConfigLoader

    for name in list(os.environ):
        if name.startswith("CKAN_"):
            monkeypatch.delenv(name)
    for name, value in ckan_env.items():
        monkeypatch.setenv(name, value)
    return CKANConfigLoader(str(PRODUCTION_INI)).get_config()


# --- compose: services, image, configuration ---------------------------------------------------------------


def test_compose_defines_the_deployment_services():
    compose = load_compose()
    assert set(compose["services"]) == set(CKAN_SERVICES + BACKING_SERVICES)
    services = compose["services"]
    assert services["db"]["image"] == "postgres:15"
    assert services["solr"]["image"] == SOLR_IMAGE
    assert services["redis"]["image"].split(":")[0] == "redis"
    assert services["redis"]["image"].split(":")[1].split(".")[0] == "7"


def test_every_ckan_service_runs_the_same_image_and_configuration():
    compose = resolved_compose()
    services = compose["services"]
    first = services[CKAN_SERVICES[0]]
    assert first["image"] and first["build"]
    for name in CKAN_SERVICES:
        service = services[name]
        assert service["image"] == first["image"], name
        assert service["build"] == first["build"], name
        assert service_env(service)["CKAN_INI"] == "/srv/app/production.ini", name
        # the same CKAN_* settings everywhere: a worker must see the database, Solr and Redis the web app sees
        ckan_settings = {k: v for k, v in service_env(service).items() if k.startswith("CKAN_")}
        assert ckan_settings == {k: v for k, v in service_env(first).items() if k.startswith("CKAN_")}, name
    # only the web service migrates; the others start once it is healthy, i.e. after the migrations
    migrating = [name for name in CKAN_SERVICES if service_env(services[name]).get("PASER_MIGRATE") == "true"]
    assert migrating == ["ckan"]
    for name in CKAN_SERVICES[1:]:
        assert services[name]["depends_on"]["ckan"]["condition"] == "service_healthy", name


def test_ckan_ini_of_the_containers_is_production_ini_and_its_chain_inside_the_image():
    runtime = dockerfile_stages()[-1]
    in_image = copied_files(runtime)
    ckan_ini = service_env(resolved_compose()["services"]["ckan"])["CKAN_INI"]
    assert runtime["env"]["CKAN_INI"] == ckan_ini
    assert (ROOT / in_image[ckan_ini]).resolve() == PRODUCTION_INI
    # `use = config:common.ini` is resolved next to production.ini, so every file of the chain is copied there
    image_dir = PurePosixPath(ckan_ini).parent
    for path in ini_chain(PRODUCTION_INI):
        destination = str(image_dir / path.name)
        assert destination in in_image, f"{path.name} is not copied to {image_dir}"
        assert (ROOT / in_image[destination]).resolve() == path


def test_worker_and_harvest_commands_are_real_cli_commands():
    from ckan.cli.jobs import jobs
    from ckanext.harvest.cli import harvester

    services = load_compose()["services"]
    assert services["worker"]["command"] == ["ckan", "jobs", "worker"]
    assert services["harvest-gather"]["command"] == ["ckan", "harvester", "gather-consumer"]
    assert services["harvest-fetch"]["command"] == ["ckan", "harvester", "fetch-consumer"]
    assert "worker" in jobs.commands
    assert {"gather-consumer", "fetch-consumer", "run"} <= set(harvester.commands)

    shell, flag, loop = services["harvest-run"]["command"]
    assert (shell, flag) == ("sh", "-c")
    assert re.search(r"\bwhile true; do ckan harvester run; sleep (\d+); done$", loop), loop
    seconds = int(re.search(r"sleep (\d+)", loop).group(1))
    assert 60 <= seconds <= 3600


def test_healthchecks_and_persistent_volumes():
    compose = resolved_compose()
    services = compose["services"]
    for name in ("ckan",) + BACKING_SERVICES:
        test = services[name]["healthcheck"]["test"]
        assert test[0] in ("CMD", "CMD-SHELL") and len(test) > 1, name
    for backing in BACKING_SERVICES:
        assert services["ckan"]["depends_on"][backing]["condition"] == "service_healthy"

    def mounts(service):
        return dict(volume.split(":")[:2] for volume in services[service]["volumes"])

    assert mounts("db")["pg_data"] == "/var/lib/postgresql/data"
    assert mounts("solr")["solr_data"] == "/var/solr"
    storage = service_env(services["ckan"])["CKAN_STORAGE_PATH"]
    for name in CKAN_SERVICES:
        assert mounts(name)["ckan_storage"] == storage, name
    assert {"pg_data", "solr_data", "ckan_storage"} <= set(compose["volumes"])

    # the Solr healthcheck pings the core CKAN is configured with
    solr_url = urlsplit(service_env(services["ckan"])["CKAN_SOLR_URL"])
    assert urlsplit(services["solr"]["healthcheck"]["test"][-1]).path == solr_url.path + "/admin/ping"


def test_web_port_is_the_same_in_gunicorn_image_compose_and_healthcheck():
    gunicorn = runpy.run_path(str(GUNICORN_CONF))
    port = int(gunicorn["bind"].rsplit(":", 1)[1])
    runtime = dockerfile_stages()[-1]
    assert runtime["expose"] == [port]
    ckan = resolved_compose()["services"]["ckan"]
    assert [int(mapping.rsplit(":", 1)[1]) for mapping in ckan["ports"]] == [port]
    assert all(mapping.startswith("127.0.0.1:") for mapping in ckan["ports"])
    healthcheck = " ".join(ckan["healthcheck"]["test"])
    assert f"http://127.0.0.1:{port}/api/3/action/status_show" in healthcheck


# --- production.ini --------------------------------------------------------------------------------------------


def test_production_plugins_are_common_ones_without_paser_search():
    assert ini_chain(PRODUCTION_INI) == [PRODUCTION_INI, COMMON_INI]
    common = plugins(raw_options(COMMON_INI))
    production = plugins(raw_options(COMMON_INI, PRODUCTION_INI))
    assert "paser_search" in common  # the embedded default keeps it
    assert "paser_search" not in production
    assert production == [name for name in common if name != "paser_search"]


def test_production_ini_takes_site_settings_and_secrets_from_the_environment():
    from ckan.config.environment import CONFIG_FROM_ENV_VARS

    own = raw_options(PRODUCTION_INI)
    for option, variable in FROM_ENVIRONMENT.items():
        assert option in own, f"production.ini does not set {option}"
        assert INI_REFERENCE.findall(own[option]) == [variable], option
    assert own["api_token.jwt.encode.secret"] == own["api_token.jwt.decode.secret"]
    assert own["api_token.jwt.encode.secret"].startswith("string:")
    # where CKAN itself also reads an option from the environment, it must be the same variable
    for option, variable in CONFIG_FROM_ENV_VARS.items():
        if option in own:
            assert INI_REFERENCE.findall(own[option]) == [variable], option

    parser = configparser.RawConfigParser()
    parser.read(PRODUCTION_INI)
    assert parser.getboolean("DEFAULT", "debug") is False
    assert parser.getboolean("app:main", "debug") is False


def test_production_harvest_queue_settings_are_the_ones_ckanext_harvest_reads():
    spec = importlib.util.find_spec("ckanext.harvest")
    queue_source = (Path(spec.submodule_search_locations[0]) / "queue.py").read_text()
    harvest_options = [option for option in raw_options(PRODUCTION_INI) if ".harvest.mq." in option]
    assert {"ckan.harvest.mq.hostname", "ckan.harvest.mq.port", "ckan.harvest.mq.redis_db"} <= set(harvest_options)
    for option in harvest_options:
        assert f"'{option}'" in queue_source, f"ckanext-harvest does not read {option}"


def test_production_ini_has_its_own_logging_configuration():
    parser = configparser.RawConfigParser()
    parser.read(PRODUCTION_INI)
    for kind in ("loggers", "handlers", "formatters"):
        for key in parser.get(kind, "keys").split(","):
            assert parser.has_section(f"{kind[:-1]}_{key.strip()}"), f"[{kind[:-1]}_{key.strip()}] missing"
    script = (
        "import logging, logging.config, sys\n"
        "logging.config.fileConfig(sys.argv[1])\n"
        "ckan = logging.getLogger('ckan')\n"
        "assert ckan.level == logging.INFO, ckan.level\n"
        "assert ckan.handlers and all(h.stream is sys.stderr for h in ckan.handlers)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(PRODUCTION_INI)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_ckan_loads_production_ini_in_the_container_environment(production_config, ckan_env):
    config = production_config
    env_example = read_env_file(ENV_EXAMPLE)
    services = load_compose()["services"]

    assert "paser_search" not in config["ckan.plugins"].split()
    assert config["debug"] == "false"
    assert config["ckan.site_url"] == env_example["CKAN_SITE_URL"]
    assert config["SECRET_KEY"] == env_example["CKAN_SECRET_KEY"]
    assert config["WTF_CSRF_SECRET_KEY"] == env_example["CKAN_WTF_CSRF_SECRET_KEY"]
    jwt = "string:" + env_example["CKAN_API_TOKEN_JWT_SECRET"]
    assert config["api_token.jwt.encode.secret"] == config["api_token.jwt.decode.secret"] == jwt

    solr = urlsplit(config["solr_url"])
    assert (solr.scheme, solr.hostname, solr.port, solr.path) == ("http", "solr", 8983, f"/solr/{SOLR_CORE}")
    for option in ("sqlalchemy.url", "ckan.datastore.write_url", "ckan.datastore.read_url"):
        url = urlsplit(config[option])
        assert (url.scheme, url.hostname, url.port) == ("postgresql", "db", 5432), option
    redis = urlsplit(config["ckan.redis.url"])
    assert (redis.scheme, redis.hostname) == ("redis", "redis")
    assert config["ckan.harvest.mq.hostname"] == redis.hostname
    assert int(config["ckan.harvest.mq.port"]) == (redis.port or 6379)
    assert int(config["ckan.harvest.mq.redis_db"]) >= 0
    for host in (solr.hostname, "db", redis.hostname):
        assert host in services
    assert config["ckan.storage_path"] == ckan_env["CKAN_STORAGE_PATH"]


def test_a_missing_variable_stops_ckan_instead_of_falling_back(monkeypatch, ckan_env):
    from ckan.cli import CKANConfigLoader

    for name in list(os.environ):
        if name.startswith("CKAN_"):
            monkeypatch.delenv(name)
    for name, value in ckan_env.items():
        if name != "CKAN_SECRET_KEY":
            monkeypatch.setenv(name, value)
    with pytest.raises(configparser.InterpolationMissingOptionError, match="CKAN_SECRET_KEY"):
        CKANConfigLoader(str(PRODUCTION_INI))


# --- environment variables, both ways ----------------------------------------------------------------------


def test_compose_references_exactly_the_variables_of_env_example():
    referenced = set()
    for text in compose_strings(load_compose()):
        referenced |= {m.group("braced") or m.group("bare") for m in COMPOSE_REFERENCE.finditer(text)}
    referenced.discard(None)
    assert referenced == set(read_env_file(ENV_EXAMPLE))
    # and every one that has no default is given a value by the example
    resolved_compose()


def test_env_example_values_survive_compose_and_ini_interpolation():
    for name, value in read_env_file(ENV_EXAMPLE).items():
        assert "%" not in value and "$" not in value, name
        assert not value.startswith(("'", '"')), name


def test_every_variable_ckan_reads_is_given_to_the_ckan_containers_and_vice_versa():
    from ckan.config.environment import CONFIG_FROM_ENV_VARS

    read_by_ini = set()
    for value in raw_options(*reversed(ini_chain(PRODUCTION_INI))).values():
        read_by_ini |= set(INI_REFERENCE.findall(value)) - {"here", "__file__"}
    assert read_by_ini == set(FROM_ENVIRONMENT.values())

    scripts = "\n".join(path.read_text() for path in (ENTRYPOINT, WAIT_SCRIPT, GUNICORN_CONF))
    services = resolved_compose()["services"]
    for name in CKAN_SERVICES:
        env = service_env(services[name])
        assert read_by_ini <= set(env), f"{name} lacks {read_by_ini - set(env)}"
        for variable in env:
            if variable.startswith("CKAN_"):
                assert (variable in read_by_ini or variable in CONFIG_FROM_ENV_VARS.values()
                        or variable == "CKAN_INI"), f"{name}: CKAN reads no {variable}"
            else:
                assert re.search(rf"\b{variable}\b", scripts), f"{name}: nothing in the image reads {variable}"


def test_unedited_env_example_is_refused_and_real_values_pass(ckan_env):
    wait = load_wait_script()
    refused = wait.unchanged_placeholders(ckan_env)
    for secret in ("CKAN_SECRET_KEY", "CKAN_API_TOKEN_JWT_SECRET", "CKAN_WTF_CSRF_SECRET_KEY",
                   "CKAN_SQLALCHEMY_URL", "CKAN_DATASTORE_READ_URL"):
        assert secret in refused
    edited = {name: value.replace(wait.PLACEHOLDER, "0f3a9c") for name, value in ckan_env.items()}
    assert wait.unchanged_placeholders(edited) == []
    init_script = next(POSTGRES_INIT.glob("*.sh")).read_text()
    assert wait.PLACEHOLDER in init_script


# --- URLs against the compose services and the database set-up ---------------------------------------------


def test_database_urls_match_the_roles_and_databases_postgres_init_creates(ckan_env):
    compose = resolved_compose()
    db = compose["services"]["db"]
    db_env = service_env(db)
    env_example = read_env_file(ENV_EXAMPLE)

    main = urlsplit(ckan_env["CKAN_SQLALCHEMY_URL"])
    write = urlsplit(ckan_env["CKAN_DATASTORE_WRITE_URL"])
    read = urlsplit(ckan_env["CKAN_DATASTORE_READ_URL"])
    assert (main.username, main.password, main.path) == (
        db_env["PASER_DB_USER"], env_example["PASER_DB_PASSWORD"], "/" + db_env["PASER_DB_NAME"])
    assert (write.username, write.password, write.path) == (
        db_env["PASER_DB_USER"], env_example["PASER_DB_PASSWORD"], "/" + db_env["PASER_DATASTORE_DB_NAME"])
    assert (read.username, read.password, read.path) == (
        db_env["PASER_DATASTORE_RO_USER"], env_example["PASER_DATASTORE_RO_PASSWORD"],
        "/" + db_env["PASER_DATASTORE_DB_NAME"])
    assert read.username != main.username and main.path != write.path

    # the init scripts are mounted where the postgres image runs them, and read what the service gives them
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in db["volumes"]}
    assert (DOCKER / mounts["/docker-entrypoint-initdb.d"]).resolve() == POSTGRES_INIT
    scripts = sorted(POSTGRES_INIT.glob("*.sh"))
    assert scripts
    used = set()
    for script in scripts:
        used |= set(re.findall(r"\$\{?([A-Z_][A-Z0-9_]*)", script.read_text()))
    assert used <= set(db_env) | {"POSTGRES_USER"}
    assert {name for name in db_env if name.startswith("PASER_")} <= used


def test_wait_script_waits_for_the_compose_services(production_config):
    wait = load_wait_script()
    found = {kind: urlsplit(url).hostname for _label, kind, url in wait.targets(production_config)}
    assert found == {"postgres": "db", "solr": "solr", "redis": "redis"}
    assert wait.describe(production_config["sqlalchemy.url"]) == "db:5432"  # no credentials in messages
    embedded = dict(production_config, **{"ckan.plugins": "paser_search " + production_config["ckan.plugins"]})
    assert "solr" not in {kind for _label, kind, _url in wait.targets(embedded)}


# --- Dockerfile and scripts -----------------------------------------------------------------------------------


def test_dockerfile_copies_existing_paths_and_runs_unprivileged():
    build = load_compose()["services"]["ckan"]["build"]
    context = (DOCKER / build["context"]).resolve()
    assert context == ROOT
    assert (context / build["dockerfile"]).resolve() == DOCKERFILE

    stages = dockerfile_stages()
    names = {stage["name"] for stage in stages}
    for stage in stages:
        assert re.match(r"python:3\.11-slim\b", stage["image"]), stage["image"]
        for copy_ in stage["copies"]:
            sources = [flag.split("=", 1)[1] for flag in copy_["flags"] if flag.startswith("--from=")]
            if sources:
                assert sources[0] in names
                continue
            for source in copy_["sources"]:
                assert (context / source).exists(), f"COPY {source}: not in the repository"

    runtime = stages[-1]
    assert runtime["user"] not in (None, "root", "0")
    assert any("useradd" in run and runtime["user"] in run for run in runtime["run"])
    in_image = copied_files(runtime)
    (entrypoint,) = runtime["entrypoint"]
    assert in_image[entrypoint] == "docker/entrypoint.sh"
    entry_copy = next(c for c in runtime["copies"] if "docker/entrypoint.sh" in c["sources"])
    assert "--chmod=0755" in entry_copy["flags"]

    gunicorn, flag, conf, app = runtime["cmd"]
    assert (gunicorn, flag) == ("gunicorn", "--config")
    assert in_image[conf] == "docker/gunicorn.conf.py"
    module, _, attribute = app.partition(":")
    chdir = runpy.run_path(str(GUNICORN_CONF))["chdir"]
    assert in_image[f"{chdir}/{module}.py"] == "docker/wsgi.py"
    assert f"\n{attribute} = " in (DOCKER / "wsgi.py").read_text()
    # the entrypoint runs the wait script from where the image puts it
    assert in_image["/srv/app/wait_for_services.py"] == "docker/wait_for_services.py"
    assert "python /srv/app/wait_for_services.py" in ENTRYPOINT.read_text()
    # gunicorn is pinned and installed with the bundle
    pins = dict(line.split("==") for line in (DOCKER / "requirements.txt").read_text().splitlines()
                if line and not line.startswith("#"))
    assert pins.get("gunicorn")
    assert any("pip install /build -r /build/docker/requirements.txt" in run for run in stages[0]["run"])


def test_build_context_leaves_out_the_venv_git_and_secrets():
    patterns = {line.strip() for line in DOCKERIGNORE.read_text().splitlines()
                if line.strip() and not line.startswith("#")}
    assert {".git", ".venv", "docker/.env"} <= patterns


def test_shell_scripts_parse_and_the_entrypoint_migrates_then_execs():
    for script in [ENTRYPOINT, *POSTGRES_INIT.glob("*.sh")]:
        result = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"{script.name}: {result.stderr}"
        assert os.access(script, os.X_OK), f"{script.name} is not executable"
    lines = [line.strip() for line in ENTRYPOINT.read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    assert lines[-1] == 'exec "$@"'
    migrate = lines.index('if [ "${PASER_MIGRATE:-false}" = "true" ]; then')
    assert "ckan db upgrade" in lines[migrate:lines.index("fi", migrate)]
    # the web assets are built before gunicorn's workers serve (built lazily, concurrent first requests raced)
    assert "ckan asset build" in lines[migrate:lines.index("fi", migrate)]
    assert lines.index("python /srv/app/wait_for_services.py") < migrate


def test_compose_keeps_infrastructure_secrets_out_of_the_ckan_containers():
    services = resolved_compose()["services"]
    for name in CKAN_SERVICES:
        env = service_env(services[name])
        assert "POSTGRES_PASSWORD" not in env, name
        assert not any(value == read_env_file(ENV_EXAMPLE)["POSTGRES_PASSWORD"] for value in env.values()), name
    assert service_env(services["db"])["POSTGRES_PASSWORD"] == read_env_file(ENV_EXAMPLE)["POSTGRES_PASSWORD"]
