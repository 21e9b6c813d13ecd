# Shape: a model server (KServe-style Python runtime) whose stage names are written in mixed
# case: `AS Builder` is used as `--from=builder` and `--from=Builder` (BuildKit matches those in
# any case; a FROM only by the lower-case name); the test stage copies from stage 1 by index.
# Covers: 4, 7
ARG PYTHON_VERSION=3.11
ARG BASE_IMAGE=python:${PYTHON_VERSION}-slim-bookworm

FROM ${BASE_IMAGE} AS Builder
ARG POETRY_HOME=/opt/poetry
RUN python3 -m venv ${POETRY_HOME} && ${POETRY_HOME}/bin/pip install poetry==1.8.3
ENV PATH="$PATH:${POETRY_HOME}/bin"
WORKDIR /kserve
COPY kserve/pyproject.toml kserve/poetry.lock ./
RUN poetry install --no-root --no-interaction --no-cache
COPY kserve kserve
RUN poetry install --no-interaction --no-cache

FROM ${BASE_IMAGE} AS Prod
RUN useradd kserve -m -u 1000 -d /home/kserve
COPY --from=builder --chown=kserve:kserve /kserve /kserve
COPY model_server model_server
USER 1000
ENTRYPOINT ["python", "-m", "model_server"]

FROM builder AS unit-test
COPY --from=1 /home/kserve /home/kserve
COPY --from=Builder /kserve/kserve/test /tests
RUN poetry run pytest -q /tests
