# Shape: a log shipper with cgo and systemd journal support (Promtail-style): a build stage
# with an optional make target, an unnamed Debian runtime with a HEALTHCHECK, and exec-form
# ENTRYPOINT and CMD.
# Covers: 10, 11, 13
ARG GO_VERSION=1.23
ARG TOUCH_PROTOS

FROM golang:${GO_VERSION}-bookworm AS build
COPY . /src/loki
WORKDIR /src/loki
RUN apt-get update && apt-get install -qy libsystemd-dev
RUN make clean && (if [ "${TOUCH_PROTOS}" ]; then make touch-protos; fi) \
    && make BUILD_IN_CONTAINER=false promtail

FROM debian:12.7-slim AS tools
RUN apt-get update && apt-get install -qy tzdata ca-certificates libsystemd0 \
    && rm -rf /var/lib/apt/lists/*

FROM debian:12.7-slim
COPY --from=tools /usr/share/zoneinfo /usr/share/zoneinfo
COPY --from=build /src/loki/clients/cmd/promtail/promtail /usr/bin/promtail
COPY clients/cmd/promtail/promtail-docker-config.yaml /etc/promtail/config.yml
HEALTHCHECK --interval=15s --timeout=3s --retries=3 CMD ["/usr/bin/promtail", "-check-syntax", "-config.file=/etc/promtail/config.yml"]
ENTRYPOINT ["/usr/bin/promtail"]
CMD ["-config.file=/etc/promtail/config.yml"]
