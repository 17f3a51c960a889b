# One image for the server and the worker (docker-compose.yml picks the command).
FROM node:24-bookworm-slim
RUN npm install -g pnpm@10.34.9
WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile
ENV NODE_ENV=production
EXPOSE 3000
CMD ["pnpm", "--filter", "@companion/server", "start"]
