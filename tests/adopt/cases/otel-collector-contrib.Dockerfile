# Shape: an OpenTelemetry collector distribution: certificates from an alpine stage, the
# collector built with TARGETOS/TARGETARCH declared on one ARG line, and a scratch image run
# as the user of a global ARG named like mkgen's own USER_ID.
# Covers: 3, 10, 11, 12
ARG USER_ID=10001
ARG GO_VERSION=1.23

FROM alpine:3.20 AS certs
RUN apk --update add ca-certificates

FROM golang:${GO_VERSION} AS build-stage
WORKDIR /src
COPY . .
ARG TARGETOS TARGETARCH
RUN --mount=type=cache,target=/root/.cache/go-build \
    GOOS=$TARGETOS GOARCH=$TARGETARCH CGO_ENABLED=0 \
    go build -trimpath -o /otelcol-contrib ./cmd/otelcontribcol

FROM scratch
ARG USER_ID
COPY --from=certs /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build-stage --chmod=755 /otelcol-contrib /otelcol-contrib
COPY config.yaml /etc/otelcol-contrib/config.yaml
USER ${USER_ID}
ENTRYPOINT ["/otelcol-contrib"]
CMD ["--config", "/etc/otelcol-contrib/config.yaml"]
EXPOSE 4317 4318 55678 55679
