# Rejected: a backslash is missing at the end of the apt-get line, so the next line is read as
# an instruction of its own; BuildKit stops with "unknown instruction: curl".
FROM ubuntu:24.04 AS tools
RUN apt-get update && apt-get install -y --no-install-recommends \
        ca-certificates
        curl \
        jq \
    && rm -rf /var/lib/apt/lists/*

FROM tools AS fetch
RUN curl -fsSL https://example.com/release.json | jq -r .version > /version
