# syntax=docker/dockerfile:1
# The API image: compiled JavaScript only, production dependencies only, a non-root user.
ARG NODE_IMAGE=node:22-bookworm-slim

# Production dependencies (better-sqlite3 compiles or downloads its native module here).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# TypeScript to dist/. CI type-checks (npm test); this stage only emits, with the pinned compiler.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json ./
RUN mkdir /compiler && cd /compiler \
 && npm install --no-audit --no-fund --no-save "typescript@$(node -p 'require("/app/package.json").devDependencies.typescript')"
COPY --from=deps /app/node_modules ./node_modules
COPY tsconfig.json tsconfig.build.json ./
COPY api ./api
COPY platform ./platform
COPY composition ./composition
COPY cli ./cli
COPY etl ./etl
COPY catalogue ./catalogue
RUN node /compiler/node_modules/typescript/bin/tsc -p tsconfig.build.json --noCheck

FROM ${NODE_IMAGE} AS runtime
# The commit the deploy built; /health reports it, so a deploy can wait for the new container.
ARG BUILD_SHA=unknown
ENV BUILD_SHA=${BUILD_SHA} \
    NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0 \
    DATABASE_PATH=/data/anime.db \
    SEED_FILE=/data/animes.csv
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
# App Service sets WEBSITES_PORT and PORT; the API reads PORT.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1 and handles SIGTERM itself (graceful drain, then exit); `docker run --init` adds
# zombie reaping on top. The same image runs the ETL: `node dist/cli/etl.js --input ...`.
CMD ["node", "dist/api/main.js"]
