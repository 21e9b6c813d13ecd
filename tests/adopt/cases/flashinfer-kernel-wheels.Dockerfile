# Shape: a CUDA kernel library building wheels for several GPU architectures (FlashInfer /
# vLLM kernels): quoted defaults with spaces, `${MAX_JOBS:-4}` fallbacks, ARGs without
# defaults, and a stage inheriting the architecture list from its parent stage.
# Covers: 6, 11
ARG CUDA_VERSION=12.4.1
ARG TORCH_CUDA_ARCH_LIST="8.0 8.6 8.9 9.0+PTX"
ARG MAX_JOBS

FROM nvidia/cuda:${CUDA_VERSION}-devel-ubuntu22.04 AS base
ARG TORCH_CUDA_ARCH_LIST
ARG MAX_JOBS
ENV TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST}
ENV MAX_JOBS=${MAX_JOBS:-4}
RUN apt-get update && apt-get install -y --no-install-recommends python3-dev python3-pip ninja-build ccache \
    && rm -rf /var/lib/apt/lists/*
RUN python3 -m pip install --no-cache-dir torch==2.4.1 --index-url https://download.pytorch.org/whl/cu124

FROM base AS wheel
ARG NVCC_THREADS=2
ARG WHEEL_SUFFIX=""
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/ccache \
    NVCC_THREADS=${NVCC_THREADS} FLASHINFER_LOCAL_VERSION="${WHEEL_SUFFIX}" \
    python3 -m pip wheel --no-deps --no-build-isolation -w /dist . \
    && echo "built for ${TORCH_CUDA_ARCH_LIST} with ${MAX_JOBS} jobs"

FROM scratch AS export
COPY --from=wheel /dist /
