# Shape: a tracing backend (Jaeger-style) whose base images come from ARGs without defaults
# (the CI passes them), with a release and a debug target picking binaries by TARGETARCH.
# Covers: 3, 11
ARG base_image
ARG debug_image

FROM $base_image AS release
ARG TARGETARCH
ARG USER_UID=10001
EXPOSE 5775/udp 6831/udp 6832/udp 5778 16686 14268 14250 4317 4318
COPY all-in-one-linux-$TARGETARCH /go/bin/all-in-one-linux
COPY sampling_strategies.json /etc/jaeger/
VOLUME ["/tmp"]
ENTRYPOINT ["/go/bin/all-in-one-linux"]
USER ${USER_UID}

FROM $debug_image AS debug
ARG TARGETARCH=amd64
ARG USER_UID=10001
COPY all-in-one-debug-linux-$TARGETARCH /go/bin/all-in-one-linux
COPY sampling_strategies.json /etc/jaeger/
ENTRYPOINT ["/go/bin/dlv", "exec", "/go/bin/all-in-one-linux", "--headless", "--listen=:12345", "--api-version=2", "--accept-multiclient", "--log", "--"]
USER ${USER_UID}
