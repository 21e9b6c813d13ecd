# Shape: an LLM serving stack built from a CUDA devel image (vLLM-style): a wheel is built in
# one stage and installed in a slimmer runtime through a bind mount of that stage. A stray
# blank line inside the apt-get continuation is kept (BuildKit only warns).
# Covers: 3, 4, 6, 8
ARG CUDA_VERSION=12.4.1
ARG PYTHON_VERSION=3.12
ARG BUILD_BASE_IMAGE=nvidia/cuda:${CUDA_VERSION}-devel-ubuntu22.04
ARG FINAL_BASE_IMAGE=nvidia/cuda:${CUDA_VERSION}-runtime-ubuntu22.04

#################### BASE BUILD IMAGE ####################
FROM ${BUILD_BASE_IMAGE} AS base
ARG CUDA_VERSION
ARG PYTHON_VERSION
ARG TARGETPLATFORM
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update -y \
    && apt-get install -y ccache git curl sudo python${PYTHON_VERSION} python${PYTHON_VERSION}-dev \

    && rm -rf /var/lib/apt/lists/*
ENV UV_HTTP_TIMEOUT=500
RUN --mount=type=cache,target=/root/.cache/uv \
    python${PYTHON_VERSION} -m pip install uv \
    && if [ "$TARGETPLATFORM" = "linux/arm64" ]; then \
        uv pip install --system --index-url https://download.pytorch.org/whl/nightly/cu126 torch; \
    else \
        uv pip install --system -r requirements/cuda.txt; \
    fi
WORKDIR /workspace

#################### WHEEL BUILD ####################
FROM base AS build
ARG max_jobs=2
ENV MAX_JOBS=${max_jobs}
ARG nvcc_threads=8
ENV NVCC_THREADS=$nvcc_threads
COPY . .
RUN --mount=type=cache,target=/root/.cache/ccache \
    --mount=type=cache,target=/root/.cache/uv \
    python${PYTHON_VERSION} setup.py bdist_wheel --dist-dir=dist --py-limited-api=cp38

#################### RUNTIME ####################
FROM ${FINAL_BASE_IMAGE} AS vllm-base
ARG CUDA_VERSION
ARG PYTHON_VERSION
WORKDIR /vllm-workspace
RUN echo "runtime for CUDA ${CUDA_VERSION}" > /etc/vllm-cuda
RUN --mount=type=bind,from=build,src=/workspace/dist,target=/vllm-workspace/dist \
    --mount=type=cache,target=/root/.cache/uv \
    python${PYTHON_VERSION} -m pip install dist/*.whl --verbose

FROM vllm-base AS vllm-openai
ENV VLLM_USAGE_SOURCE=production-docker-image
EXPOSE 8000
ENTRYPOINT ["python3", "-m", "vllm.entrypoints.openai.api_server"]
