# Shape: a Node.js monorepo with pnpm: ENV sets PNPM_HOME and PATH that later stages use, a
# private registry token arrives as a secret file (id and target differ), and deps, build and
# runtime stages share one base.
# Covers: 5, 6
ARG NODE_VERSION=20.17

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
ENV NODE_ENV=production
COPY --from=build /prod/api /app
USER node
EXPOSE 3000
CMD ["node", "dist/main.js"]
