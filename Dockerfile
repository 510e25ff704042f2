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
EXPOSE 3000
ENTRYPOINT ["node", "src/cli.ts"]
CMD ["start", "--role", "all"]
