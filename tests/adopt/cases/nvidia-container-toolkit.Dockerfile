# Shape: an NVIDIA Go component (container-toolkit-style) built on a CUDA base chosen by
# ARGs; GOARCH comes from BuildKit's TARGETARCH and the packaging stage reads TARGETOS.
# Covers: 3, 4, 6
ARG GOLANG_VERSION=1.22.5
ARG CUDA_VERSION=12.5.1
ARG BASE_DIST=ubi8
ARG BASE_IMAGE=nvcr.io/nvidia/cuda:${CUDA_VERSION}-base-${BASE_DIST}

FROM ${BASE_IMAGE} AS build
ARG GOLANG_VERSION
ARG TARGETARCH
RUN yum install -y wget make git gcc && yum clean all
RUN set -eux; \
    arch="$(uname -m)"; \
    case "${arch##*-}" in \
        x86_64 | amd64) ARCH='amd64' ;; \
        ppc64el | ppc64le) ARCH='ppc64le' ;; \
        aarch64 | arm64) ARCH='arm64' ;; \
        *) echo "unsupported architecture" ; exit 1 ;; \
    esac; \
    wget -nv -O - https://storage.googleapis.com/golang/go${GOLANG_VERSION}.linux-${ARCH}.tar.gz \
    | tar -C /usr/local -xz
ENV GOPATH=/go
ENV PATH=$GOPATH/bin:/usr/local/go/bin:$PATH
WORKDIR /build
COPY . .
RUN GOOS=linux GOARCH=${TARGETARCH} make PREFIX=/artifacts cmds

FROM build AS packaging
ARG TARGETOS
ARG PACKAGE_VERSION=1.16.0
RUN mkdir -p /dist/${TARGETOS} && tar -C /artifacts -czf /dist/${TARGETOS}/toolkit-${PACKAGE_VERSION}.tgz .

FROM nvcr.io/nvidia/cuda:${CUDA_VERSION}-base-ubi8 AS application
ARG VERSION="N/A"
ARG GIT_COMMIT="unknown"
LABEL io.k8s.display-name="NVIDIA Container Runtime Config" \
      version="${VERSION}" \
      vcs-ref="${GIT_COMMIT}"
COPY --from=build /artifacts/nvidia-ctk /usr/bin/nvidia-ctk
COPY --from=packaging /dist /dist
ENTRYPOINT ["/usr/bin/nvidia-ctk"]
