# syntax=docker/dockerfile:1.10
# escape=\
# check=error=true
# Shape: NVIDIA CUDA samples built per architecture; the file spells out all three parser
# directives (escape set to its default), ARG chains for the image tag, and a build matrix
# stage reading BuildKit's TARGETARCH.
# Covers: 3, 4, 9
ARG CUDA_MAJOR=12
ARG CUDA_MINOR=6
ARG CUDA_VERSION=${CUDA_MAJOR}.${CUDA_MINOR}.1
ARG OS_TAG=ubuntu24.04

FROM nvidia/cuda:${CUDA_VERSION}-devel-${OS_TAG} AS build
ARG TARGETARCH
ARG SAMPLES_REF=v12.5
RUN apt-get update && apt-get install -y --no-install-recommends git cmake \
    && rm -rf /var/lib/apt/lists/*
RUN git clone --depth 1 --branch ${SAMPLES_REF} https://github.com/NVIDIA/cuda-samples.git /src
WORKDIR /src/Samples/1_Utilities/deviceQuery
RUN case "${TARGETARCH}" in \
      arm64) SMS="87 90" ;; \
      *) SMS="75 80 86 89 90" ;; \
    esac \
    && make SMS="${SMS}" TARGET_ARCH=$(uname -m)

FROM nvidia/cuda:${CUDA_VERSION}-runtime-${OS_TAG} AS runtime
COPY --from=build /src/Samples/1_Utilities/deviceQuery/deviceQuery /usr/local/bin/
CMD ["deviceQuery"]
