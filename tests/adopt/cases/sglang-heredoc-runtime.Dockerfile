# syntax=docker/dockerfile:1.7
# Shape: an LLM runtime (SGLang-style) whose setup lives in heredoc scripts: `RUN <<EOF`
# scripts with `set -e`, a `<<-EOT` config whose tabs are stripped, and a quoted delimiter so
# that `$` reaches the shell untouched. The syntax directive sits on the first line.
# Covers: 2, 6, 9
ARG CUDA_VERSION=12.6.1
ARG BUILD_TYPE=all

FROM nvidia/cuda:${CUDA_VERSION}-cudnn-devel-ubuntu22.04 AS base
ENV DEBIAN_FRONTEND=noninteractive
RUN <<EOF
set -e
apt-get update
apt-get install -y --no-install-recommends python3 python3-pip python3-dev git curl libibverbs-dev
rm -rf /var/lib/apt/lists/*
EOF

FROM base AS deps
ARG BUILD_TYPE
ARG CUDA_VERSION
WORKDIR /sgl-workspace
RUN --mount=type=cache,target=/root/.cache/pip <<'EOF'
set -eu
case "$CUDA_VERSION" in
  12.4.*) INDEX=cu124 ;;
  12.6.*) INDEX=cu126 ;;
  *) echo "unsupported CUDA $CUDA_VERSION" >&2; exit 1 ;;
esac
python3 -m pip install --upgrade pip setuptools wheel
python3 -m pip install torch --index-url "https://download.pytorch.org/whl/${INDEX}"
EOF

FROM deps AS runtime
COPY python python
RUN python3 -m pip install -e "python[${BUILD_TYPE}]"
COPY <<-EOT /etc/sglang/server.env
	SGLANG_PORT=30000
		SGLANG_HOST=0.0.0.0
	EOT
EXPOSE 30000
HEALTHCHECK --interval=30s --timeout=5s CMD curl -f http://localhost:30000/health || exit 1
ENTRYPOINT ["python3", "-m", "sglang.launch_server"]
