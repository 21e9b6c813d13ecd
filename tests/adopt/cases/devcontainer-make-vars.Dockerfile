# Shape: a development container whose global ARGs carry the names mkgen's Makefile already
# defines (PLATFORM, USER_ID, GROUP_ID, IMAGE_TAG): the platform pins FROM, the user ids
# create the developer account, and the tag lands in a label.
# Covers: 1, 6, 12
ARG PLATFORM=linux/amd64
ARG USER_ID=1000
ARG GROUP_ID=1000
ARG IMAGE_TAG=dev
ARG UBUNTU_VERSION=24.04

FROM --platform=${PLATFORM} ubuntu:${UBUNTU_VERSION} AS toolchain
ENV DEBIAN_FRONTEND=noninteractive
ENV TOOLS_DIR=/opt/tools
RUN apt-get update && apt-get install -y --no-install-recommends build-essential cmake ninja-build sudo \
    && rm -rf /var/lib/apt/lists/*
RUN mkdir -p ${TOOLS_DIR}/bin

FROM toolchain AS dev
ARG USER_ID
ARG GROUP_ID
ARG IMAGE_TAG
LABEL org.opencontainers.image.version="${IMAGE_TAG}"
RUN groupadd --gid ${GROUP_ID} dev \
    && useradd --uid ${USER_ID} --gid ${GROUP_ID} --create-home --shell /bin/bash dev \
    && echo "dev ALL=(ALL) NOPASSWD:ALL" > /etc/sudoers.d/dev
ENV PATH=${TOOLS_DIR}/bin:$PATH
USER dev
WORKDIR /workspace
