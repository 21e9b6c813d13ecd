# Shape: a Node.js monorepo with pnpm: ENV sets PNPM_HOME and PATH that later stages use, a
# private registry token arrives as a secret file (id and target differ), and deps, build and
# runtime stages share one base. The release tag is a global ARG named IMAGE_TAG, like the
# variable mkgen's Makefile defines.
# Covers: 5, 6, 12
ARG NODE_VERSION=20.17
ARG IMAGE_TAG=latest

FROM node:${NODE_VERSION}-alpine AS base
ENV PNPM_HOME="/pnpm"
ENV PATH="$PNPM_HOME:$PATH"
RUN corepack enable
WORKDIR /app

FROM base AS deps
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages/api/package.json packages/api/
COPY packages/web/package.json packages/web/
RUN --mount=type=cache,id=pnpm,target=/pnpm/store \
    --mount=type=secret,id=npmrc,target=/root/.npmrc \
    pnpm install --frozen-lockfile

FROM deps AS build
COPY . .
RUN pnpm --filter "./packages/**" run build \
    && pnpm deploy --filter=api --prod /prod/api \
    && echo "store at ${PNPM_HOME}/store"

FROM base AS runtime
ARG IMAGE_TAG
ENV NODE_ENV=production
LABEL org.opencontainers.image.version="${IMAGE_TAG}"
COPY --from=build /prod/api /app
USER node
EXPOSE 3000
CMD ["node", "dist/main.js"]
