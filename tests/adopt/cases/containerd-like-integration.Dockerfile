# Shape: a container runtime's integration-test image (containerd-style): one Go base,
# several stages, an apt list whose continuation holds a blank line (BuildKit warns and
# keeps reading), and `COPY --from=0`, which names the first stage by its index.
# Covers: 1, 3, 7, 8
ARG GOLANG_VERSION=1.22.7
ARG GOLANG_IMAGE=golang

FROM --platform=$BUILDPLATFORM ${GOLANG_IMAGE}:${GOLANG_VERSION} AS golang-base
ENV GOTOOLCHAIN=local
RUN apt-get update && apt-get install -y --no-install-recommends \
        btrfs-progs \
        gcc \

        git \
        libbtrfs-dev \
        libseccomp-dev \
    && rm -rf /var/lib/apt/lists/*

FROM golang-base AS base
ARG CRI_TOOLS_VERSION=v1.31.1
WORKDIR /go/src/github.com/containerd/containerd
COPY . .

FROM base AS integration
ARG TARGETOS TARGETARCH
ARG GOFLAGS=-buildvcs=false
RUN GOOS=${TARGETOS} GOARCH=${TARGETARCH} make binaries install \
    && script/setup/install-critools \
    && script/setup/install-cni
COPY --from=0 /usr/local/go/bin/gofmt /usr/local/bin/gofmt
ENTRYPOINT ["/go/src/github.com/containerd/containerd/script/test/run.sh"]
