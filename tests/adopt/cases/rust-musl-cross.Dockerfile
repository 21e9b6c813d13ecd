# Shape: a Rust service cross-compiled to musl: the builder runs on ${BUILDPLATFORM}, maps
# TARGETARCH to a Rust target triple, and the unnamed final stage is `scratch`.
# Covers: 1, 3, 11
ARG RUST_VERSION=1.81

FROM --platform=${BUILDPLATFORM} rust:${RUST_VERSION}-alpine AS chef
RUN apk add --no-cache musl-dev && cargo install cargo-chef --locked
WORKDIR /app

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
ARG TARGETARCH
RUN case "$TARGETARCH" in \
      amd64) echo x86_64-unknown-linux-musl > /rust-target ;; \
      arm64) echo aarch64-unknown-linux-musl > /rust-target ;; \
      *) echo "unsupported $TARGETARCH" >&2 && exit 1 ;; \
    esac \
    && rustup target add "$(cat /rust-target)"
COPY --from=planner /app/recipe.json recipe.json
RUN cargo chef cook --release --target "$(cat /rust-target)" --recipe-path recipe.json
COPY . .
RUN cargo build --release --target "$(cat /rust-target)" \
    && cp "target/$(cat /rust-target)/release/gateway" /gateway

FROM scratch
COPY --from=builder /gateway /gateway
USER 65532:65532
ENTRYPOINT ["/gateway"]
