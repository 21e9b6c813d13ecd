# Shape: a Go service cross-compiled with tonistiigi/xx: the toolchain stages run on the
# build platform (`FROM --platform=$BUILDPLATFORM`), the binary is built for TARGETPLATFORM
# and checked with xx-verify, and a distroless image ships it.
# Covers: 1, 3
ARG GO_VERSION=1.23
ARG ALPINE_VERSION=3.20
ARG XX_VERSION=1.5.0

FROM --platform=$BUILDPLATFORM tonistiigi/xx:${XX_VERSION} AS xx

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine${ALPINE_VERSION} AS builder
COPY --from=xx / /
RUN apk add --no-cache clang lld git
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
ARG TARGETPLATFORM
ARG VERSION=dev
RUN --mount=type=bind,target=. \
    --mount=type=cache,target=/root/.cache/go-build \
    --mount=type=cache,target=/go/pkg/mod \
    CGO_ENABLED=0 xx-go build -trimpath \
      -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/server ./cmd/server \
    && xx-verify --static /out/server

FROM gcr.io/distroless/static-debian12:nonroot AS runtime
COPY --from=builder /out/server /server
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/server"]
