# Shape: a Rust router plus a Python server (Text Generation Inference-style): cargo-chef
# planner/builder stages, CI secrets exposed as environment variables, and a PyTorch stage
# that picks its installer from the target architecture.
# Covers: 3, 5, 7, 10, 13
FROM lukemathwalker/cargo-chef:latest-rust-1.80 AS chef
WORKDIR /usr/src
ARG CARGO_REGISTRIES_CRATES_IO_PROTOCOL=sparse

FROM chef as planner
COPY Cargo.lock Cargo.toml rust-toolchain.toml ./
COPY router router
COPY launcher launcher
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    python3.11-dev protobuf-compiler && rm -rf /var/lib/apt/lists/*
COPY --from=planner /usr/src/recipe.json recipe.json
RUN --mount=type=secret,id=actions_results_url,env=ACTIONS_RESULTS_URL \
    --mount=type=secret,id=actions_runtime_token,env=ACTIONS_RUNTIME_TOKEN \
    cargo chef cook --profile release-opt --recipe-path recipe.json
ARG GIT_SHA
ARG DOCKER_LABEL
COPY Cargo.lock Cargo.toml rust-toolchain.toml ./
COPY router router
COPY launcher launcher
RUN --mount=type=secret,id=actions_results_url,env=ACTIONS_RESULTS_URL \
    --mount=type=secret,id=actions_runtime_token,env=ACTIONS_RUNTIME_TOKEN \
    cargo build --profile release-opt --frozen

FROM nvidia/cuda:12.4.1-devel-ubuntu22.04 AS pytorch-install
ARG PYTORCH_VERSION=2.4.0
ARG PYTHON_VERSION=3.11
ARG TARGETPLATFORM
RUN case ${TARGETPLATFORM} in \
         "linux/arm64")  MAMBA_ARCH=aarch64  ;; \
         *)              MAMBA_ARCH=x86_64   ;; \
    esac && \
    curl -fsSL -o ~/mambaforge.sh "https://github.com/conda-forge/miniforge/releases/download/24.3.0-0/Mambaforge-24.3.0-0-Linux-${MAMBA_ARCH}.sh" && \
    bash ~/mambaforge.sh -b -p /opt/conda && rm ~/mambaforge.sh

FROM nvidia/cuda:12.4.1-base-ubuntu22.04 AS base
ENV HF_HOME=/data HF_HUB_ENABLE_HF_TRANSFER=1 PORT=80
COPY --from=pytorch-install /opt/conda /opt/conda
COPY --from=Builder /usr/src/target/release-opt/text-generation-router /usr/local/bin/text-generation-router
COPY --from=builder /usr/src/target/release-opt/text-generation-launcher /usr/local/bin/text-generation-launcher
RUN echo "built from ${GIT_SHA:-unknown}" > /etc/tgi-release
ENTRYPOINT ["text-generation-launcher"]
CMD ["--json-output"]
