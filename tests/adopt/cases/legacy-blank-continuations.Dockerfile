# Shape: an older Dockerfile kept alive: MAINTAINER, `ENV KEY value` forms, comment and blank
# lines inside long continuations, unnamed stages referred to by index (`--from=0`).
# Covers: 6, 7, 8, 11
FROM debian:bookworm
MAINTAINER Ops Team <ops@example.com>
ENV LANG C.UTF-8
ENV BUILD_DEPS build-essential autoconf libtool pkg-config
RUN apt-get update \
    # the toolchain first
    && apt-get install -y $BUILD_DEPS \

    && apt-get install -y libevent-dev libssl-dev \
    && rm -rf /var/lib/apt/lists/*
COPY . /usr/src/memcached
RUN cd /usr/src/memcached \
    && ./autogen.sh \
    && ./configure --prefix=/usr/local \

    && make -j"$(nproc)" \
    && make install

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y libevent-2.1-7 libssl3 && rm -rf /var/lib/apt/lists/*
COPY --from=0 /usr/local/bin/memcached /usr/local/bin/memcached
USER nobody
EXPOSE 11211
CMD ["memcached"]
