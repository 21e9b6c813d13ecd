# Shape: a Python API packaged with Poetry: the builder is declared `AS Builder` and copied
# from as `builder`, the pip configuration is a required secret file, and an ARG with an
# empty default (`ARG EXTRAS=""`) sits next to one with none.
# Covers: 5, 7, 11
ARG PYTHON_VERSION=3.12
ARG EXTRAS=""
ARG POETRY_VERSION

FROM python:${PYTHON_VERSION}-slim AS Builder
ARG EXTRAS
ARG POETRY_VERSION
ENV POETRY_VIRTUALENVS_IN_PROJECT=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN --mount=type=secret,id=pip_conf,target=/etc/pip.conf,required=true \
    pip install "poetry${POETRY_VERSION:+==$POETRY_VERSION}"
WORKDIR /src
COPY pyproject.toml poetry.lock ./
RUN --mount=type=cache,target=/root/.cache/pypoetry \
    --mount=type=secret,id=pip_conf,target=/etc/pip.conf,required=true \
    poetry install --only main --no-root ${EXTRAS:+--extras "$EXTRAS"}
COPY src ./src
RUN poetry build -f wheel

FROM python:${PYTHON_VERSION}-slim AS runtime
RUN useradd --create-home --uid 10001 app
COPY --from=builder /src/.venv /opt/venv
COPY --from=builder /src/dist/*.whl /tmp/
RUN /opt/venv/bin/pip install --no-deps /tmp/*.whl && rm /tmp/*.whl
ENV PATH=/opt/venv/bin:$PATH
USER app
EXPOSE 8000
CMD ["uvicorn", "api.main:app", "--host", "0.0.0.0", "--port", "8000"]
