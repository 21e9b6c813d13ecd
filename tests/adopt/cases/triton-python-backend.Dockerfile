# Shape: an NVIDIA Triton server image with a custom Python backend: the base image is an ARG
# re-declared in the stage that needs its value, ENV PATH set early and relied on later, and
# an unnamed final stage.
# Covers: 4, 6, 10, 11
ARG TRITON_VERSION=24.08
ARG BASE_IMAGE=nvcr.io/nvidia/tritonserver:${TRITON_VERSION}-py3
ARG SDK_IMAGE=nvcr.io/nvidia/tritonserver:${TRITON_VERSION}-py3-sdk

FROM ${BASE_IMAGE} AS base
ARG BASE_IMAGE
ENV TRITON_HOME=/opt/tritonserver
ENV PATH=${TRITON_HOME}/bin:${PATH}
ENV PYTHONUNBUFFERED=1
RUN echo "based on ${BASE_IMAGE}" > ${TRITON_HOME}/BASE

FROM base AS backend
ARG BACKEND_REPO_TAG=r24.08
RUN apt-get update && apt-get install -y --no-install-recommends cmake rapidjson-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/python_backend
COPY . .
RUN mkdir build && cd build \
    && cmake -DTRITON_BACKEND_REPO_TAG=${BACKEND_REPO_TAG} -DCMAKE_INSTALL_PREFIX:PATH=`pwd`/install .. \
    && make -j"$(nproc)" install

FROM ${SDK_IMAGE} AS client
RUN pip install --no-cache-dir tritonclient[all]==2.49.0

FROM base
COPY --from=backend /opt/python_backend/build/install/backends/python ${TRITON_HOME}/backends/python
COPY models /models
RUN tritonserver --version
CMD ["tritonserver", "--model-repository=/models"]
