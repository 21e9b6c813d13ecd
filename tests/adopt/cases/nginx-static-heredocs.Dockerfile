# Shape: a static site behind nginx, configured with heredocs: one COPY writing two files from
# two heredocs, and a RUN whose two heredocs feed `cat` and then `sh` (the second one quoted,
# so its `$` stays for the shell).
# Covers: 2, 11
FROM node:20-alpine AS site
WORKDIR /site
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM nginx:1.27-alpine
COPY <<robots.txt <<humans.txt /usr/share/nginx/html/
User-agent: *
Disallow: /drafts/
robots.txt
/* TEAM */
Site: the docs team
humans.txt
RUN <<EOF cat >/etc/nginx/conf.d/default.conf && sh <<'CHECK'
server {
    listen 8080;
    root /usr/share/nginx/html;
    location / { try_files $uri $uri/ /index.html; }
}
EOF
nginx -t && echo "config ok for $HOSTNAME"
CHECK
COPY --from=site /site/dist /usr/share/nginx/html
EXPOSE 8080
