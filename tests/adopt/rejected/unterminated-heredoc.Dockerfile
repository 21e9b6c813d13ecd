# Rejected: the heredoc's terminator is indented with spaces. Only `<<-` strips leading *tabs*
# from the terminator, and nothing strips spaces, so BuildKit reads to the end of the file
# without finding a line that is exactly `EOF` and stops with "unterminated heredoc".
FROM python:3.12-slim AS base
RUN pip install --no-cache-dir uv

FROM base AS app
WORKDIR /app
RUN <<EOF
    set -e
    uv venv /opt/venv
    /opt/venv/bin/python -m ensurepip
    EOF
COPY . .
CMD ["/opt/venv/bin/python", "-m", "app"]
