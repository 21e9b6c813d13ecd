# Shape: a build daemon image (BuildKit-style): helper binaries (runc, rootlesskit) built in
# their own stages from versions declared globally and re-declared where used, the daemon
# built with cache mounts, and the release image assembled with COPY --link.
# Covers: 1, 3, 4, 6, 10
ARG RUNC_VERSION=v1.1.14
ARG ROOTLESSKIT_VERSION=v2.3.1
ARG ALPINE_VERSION=3.20
ARG GO_VERSION=1.22
ARG GOLANG_IMAGE=golang:${GO_VERSION}-alpine${ALPINE_VERSION}

FROM --platform=$BUILDPLATFORM tonistiigi/xx:1.5.0 AS xx

FROM --platform=$BUILDPLATFORM alpine:${ALPINE_VERSION} AS git
RUN apk add --no-cache git

FROM --platform=$BUILDPLATFORM ${GOLANG_IMAGE} AS gobuild-base
RUN apk add --no-cache file bash clang lld pkgconfig git make
COPY --link --from=xx / /
ARG BUILDKIT_DEBUG

FROM gobuild-base AS runc
WORKDIR /usr/src
ARG RUNC_VERSION
ADD --keep-git-dir=true "https://github.com/opencontainers/runc.git#${RUNC_VERSION}" runc
WORKDIR /usr/src/runc
ARG TARGETPLATFORM
RUN xx-apk add --no-cache musl-dev gcc libseccomp-dev libseccomp-static
RUN --mount=type=cache,target=/root/.cache \
    CGO_ENABLED=1 xx-go build -mod=vendor "-ldflags=-extldflags -static" -tags "seccomp netgo osusergo" -o /usr/bin/runc . \
    && xx-verify --static /usr/bin/runc

FROM gobuild-base AS rootlesskit
ARG ROOTLESSKIT_VERSION
ARG TARGETOS TARGETARCH
RUN --mount=type=cache,target=/root/.cache \
    GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go install github.com/rootless-containers/rootlesskit/v2/cmd/rootlesskit@${ROOTLESSKIT_VERSION}

FROM gobuild-base AS buildkitd
WORKDIR /src
ARG TARGETPLATFORM
RUN --mount=target=. --mount=target=/root/.cache,type=cache \
    --mount=target=/go/pkg/mod,type=cache \
    xx-go build ${BUILDKIT_DEBUG:+-gcflags=all=-N} -o /usr/bin/buildkitd ./cmd/buildkitd && xx-verify --static /usr/bin/buildkitd

FROM alpine:${ALPINE_VERSION} AS buildkit-linux
RUN apk add --no-cache fuse3 git openssh pigz xz iptables ip6tables
COPY --link --from=runc /usr/bin/runc /usr/bin/
COPY --link --from=rootlesskit /go/bin/rootlesskit /usr/bin/
COPY --link --from=buildkitd /usr/bin/buildkitd /usr/bin/
ENV BUILDKIT_SETUP_CGROUPV2_ROOT=1
VOLUME /var/lib/buildkit
ENTRYPOINT ["buildkitd"]
