# The Rampart demo. Build: docker build -t rampart-demo .   Run: docker compose up (see compose.yaml).
FROM node:20-bookworm-slim AS build
WORKDIR /src
RUN npm install --global pnpm@10
COPY . .
RUN pnpm install --frozen-lockfile \
 && pnpm turbo run build --filter=@rampart/demo... \
 && pnpm --filter @rampart/demo deploy --prod --legacy /out

FROM node:20-bookworm-slim
ENV NODE_ENV=production ENVIRONMENT=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /out /app
# The JSON-lines audit log (used when DATABASE_URL is unset) is written to /app/var.
RUN mkdir -p /app/var && chown node:node /app/var
USER node
EXPOSE 3000
CMD ["node", "dist/server.js"]
