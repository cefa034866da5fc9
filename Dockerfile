# syntax=docker/dockerfile:1
# Chaleur: ONE image for every role. The command chooses what the container is:
#   chaleur serve --host 0.0.0.0 --port 5101            a village node (waitress)
#   python -m directory serve --host 0.0.0.0 --port 5100 the Pays directory (waitress)
#   node-setup | directory-setup | join | admit          one-shot steps (docker/*.sh)
#   chaleur backup, chaleur members export, ...          any other command, as is
# No secret is baked in: settings come from the environment (CHALEUR_*, see .env.example),
# data lives in the volume mounted on /srv/chaleur/instance.

# --- Build stage: a virtualenv with Chaleur and the PostgreSQL driver, translations compiled.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml README.md babel.cfg ./
COPY communes ./communes
COPY vocabulary ./vocabulary
COPY federation ./federation
COPY node ./node
COPY directory ./directory
COPY webui ./webui
# Babel first (Flask-Babel depends on it anyway) so the .mo catalogues exist before the wheel
# is built: package-data ships webui/translations/**.
RUN pip install "babel>=2.12" \
    && pybabel compile -d webui/translations \
    && pip install ".[postgres]"

# --- Runtime stage: the virtualenv and the role scripts, nothing else (no compiler, no sources).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    CHALEUR_INSTANCE_PATH=/srv/chaleur/instance \
    HEALTHCHECK_URL=http://127.0.0.1:5000/.well-known/chaleur-node
# A fixed uid/gid so the named volumes keep the same owner across image upgrades.
RUN groupadd --system --gid 10001 chaleur \
    && useradd --system --uid 10001 --gid chaleur --home-dir /srv/chaleur \
       --shell /usr/sbin/nologin chaleur \
    && mkdir -p /srv/chaleur/instance /srv/chaleur/share \
    && chown -R chaleur:chaleur /srv/chaleur
COPY --from=build /opt/venv /opt/venv
COPY docker/ /opt/chaleur/docker/
RUN chmod 0755 /opt/chaleur/docker/*.sh
USER chaleur
WORKDIR /srv/chaleur
# 5000: a node's default port; 5050: the directory's. The compose file uses 5100-5102.
EXPOSE 5000 5050
# Slim images have no curl: Python's urllib does the GET; any non-2xx answer fails.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(os.environ['HEALTHCHECK_URL'], timeout=5)"]
ENTRYPOINT ["/opt/chaleur/docker/entrypoint.sh"]
CMD ["node"]
