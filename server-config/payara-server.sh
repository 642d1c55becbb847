#!/usr/bin/env bash
# Deploys target/queue-server.war to Payara Server 6 on MySQL/MariaDB (README "Payara Server 6"; PayaraServerIT runs
# this script). Run it from the repository root after `mvn package`, with Payara Server's bin/ on the PATH and
# QUEUE_DB_URL, QUEUE_DB_USER and QUEUE_DB_PASSWORD set: the domain started here inherits them, and the pool reads
# them whenever it connects.
#   PAYARA_DOMAIN    the domain to start (default domain1)
#   PAYARA_PORTBASE  create that domain first, its ports counted from here: admin +48, HTTP +80, HTTPS +81
set -euo pipefail
domain="${PAYARA_DOMAIN:-domain1}"
if [ -n "${PAYARA_PORTBASE:-}" ]; then
  asadmin create-domain --nopassword --portbase "$PAYARA_PORTBASE" "$domain"
  export AS_ADMIN_PORT=$((PAYARA_PORTBASE + 48))
fi
asadmin start-domain "$domain"
asadmin add-library target/runtime/mysql-connector-j.jar
asadmin add-resources server-config/mysql.xml
asadmin deploy --contextroot / --name queue-server target/queue-server.war
