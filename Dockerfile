# leadloop worker/server image. Node 24 runs the TypeScript sources directly (type stripping),
# so there is no build stage; the `node` devDependency is not needed in the image.
FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY src ./src
COPY jobs ./jobs
COPY config ./config
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
ENV LEADLOOP_CONFIG_DIR=/app/config LEADLOOP_DATA_DIR=/app/data HOST=0.0.0.0 PORT=3000
# A small young generation and a bounded old one keep a worker near 190 MB through a 100,000-contact
# backfill (its live heap is about 60 MB; V8's defaults let it grow past 430 MB). bench/run.ts runs
# the leadloop-side benchmarks with the same flags.
ENV NODE_OPTIONS="--max-semi-space-size=2 --max-old-space-size=256"
EXPOSE 3000
ENTRYPOINT ["node", "src/cli.ts"]
CMD ["start", "--role", "all"]
