# Shape: a release image that downloads a versioned tarball: ARG defaults built from other
# ARGs inside a stage (VERSION -> TARBALL -> URL), a child stage reading an ARG its parent
# declared, and ENV values set from ARGs and used by the next stage.
# Covers: 4, 6, 11
ARG ALPINE_VERSION=3.20

FROM alpine:${ALPINE_VERSION} AS fetch
ARG VERSION=2.53.2
ARG TARBALL=prometheus-${VERSION}.linux-amd64.tar.gz
ARG URL=https://github.com/prometheus/prometheus/releases/download/v${VERSION}/${TARBALL}
ARG SHA256=""
RUN apk add --no-cache curl \
    && curl -fsSLo /tmp/${TARBALL} "${URL}" \
    && if [ -n "${SHA256}" ]; then echo "${SHA256}  /tmp/${TARBALL}" | sha256sum -c -; fi

FROM fetch AS unpack
RUN mkdir -p /opt/prometheus \
    && tar -xzf /tmp/${TARBALL} -C /opt/prometheus --strip-components=1
ENV PROM_HOME=/opt/prometheus
ENV PROM_VERSION=${VERSION}

FROM unpack AS release
LABEL org.opencontainers.image.version="${PROM_VERSION}"
WORKDIR ${PROM_HOME}
RUN ln -s ${PROM_HOME}/prometheus /usr/local/bin/prometheus
USER nobody
EXPOSE 9090
ENTRYPOINT ["prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
