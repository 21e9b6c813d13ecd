# Shape: an NVIDIA LLM toolkit image (TensorRT-LLM-style): base image and tag are ARGs, ENV
# sets the shell init file for every later RUN, and the wheel stage is built FROM whichever
# stage DEVEL_IMAGE names (a stage name when it is one, an image otherwise).
# Covers: 4, 6, 7
ARG BASE_IMAGE=nvcr.io/nvidia/pytorch
ARG BASE_TAG=24.07-py3
ARG DEVEL_IMAGE=devel
ARG RELEASE_BASE_IMAGE=${BASE_IMAGE}
ARG RELEASE_BASE_TAG=${BASE_TAG}

FROM ${BASE_IMAGE}:${BASE_TAG} AS base
ARG SH_ENV="/etc/shinit_v2"
ENV ENV=${SH_ENV}
ENV BASH_ENV=${SH_ENV}
SHELL ["/bin/bash", "-c"]

FROM base AS devel
COPY docker/common/install_base.sh install_base.sh
RUN bash ./install_base.sh && rm install_base.sh
COPY docker/common/install_tensorrt.sh install_tensorrt.sh
ARG TRT_VER
ARG CUDA_VER
RUN bash ./install_tensorrt.sh --TRT_VER=${TRT_VER} --CUDA_VER=${CUDA_VER} \
    && rm install_tensorrt.sh \
    && echo "source ${BASH_ENV}" >> /root/.bashrc

FROM ${DEVEL_IMAGE} AS wheel
WORKDIR /src/tensorrt_llm
COPY benchmarks benchmarks
COPY cpp cpp
COPY scripts scripts
ARG BUILD_WHEEL_ARGS="--clean --python_bindings --benchmarks"
RUN --mount=type=cache,target=/root/.cache/pip python3 scripts/build_wheel.py ${BUILD_WHEEL_ARGS}

FROM ${RELEASE_BASE_IMAGE}:${RELEASE_BASE_TAG} AS release
WORKDIR /app/tensorrt_llm
COPY --from=wheel /src/tensorrt_llm/build/tensorrt_llm*.whl .
RUN pip install tensorrt_llm*.whl && rm tensorrt_llm*.whl
