# Shape: a Prometheus exporter: Go built in a named stage, then an unnamed busybox image whose
# tag is made of the ARCH and OS ARGs (quoted defaults), re-declared after FROM to be used in
# COPY paths.
# Covers: 11
ARG ARCH="amd64"
ARG OS="linux"
ARG GO_VERSION=1.23

FROM golang:${GO_VERSION} AS build
ARG ARCH
ARG OS
WORKDIR /go/src/github.com/prometheus/node_exporter
COPY . .
RUN GOOS=${OS} GOARCH=${ARCH} make build \
    && mkdir -p .build/${OS}-${ARCH} \
    && mv node_exporter .build/${OS}-${ARCH}/

FROM quay.io/prometheus/busybox-${OS}-${ARCH}:latest
LABEL maintainer="The Prometheus Authors <prometheus-developers@googlegroups.com>"
ARG ARCH
ARG OS
COPY --from=build /go/src/github.com/prometheus/node_exporter/.build/${OS}-${ARCH}/node_exporter /bin/node_exporter
EXPOSE 9100
USER nobody
ENTRYPOINT [ "/bin/node_exporter" ]
