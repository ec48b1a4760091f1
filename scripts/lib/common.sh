# Shared by scripts/up.sh and scripts/test.sh (sourced, not run).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

say() { printf '\033[1m[pass-numerique]\033[0m %s\n' "$*"; }

# Installs the npm dependencies on a fresh clone, or when the lock file changed.
# `npm install` rather than `npm ci`: the registry mirror here records only this
# platform's optional binaries (swc, resolvers) in the lock file, which `npm ci`
# refuses as out of sync; `npm install` still takes the locked versions.
ensure_dependencies() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm dependencies"
    npm install --no-audit --no-fund --loglevel=error
  fi
}

# PostgreSQL: the server in DATABASE_URL if given, else the local one.
postgres_server_url() {
  echo "${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
}

ensure_postgres_reachable() {
  local url
  url="$(postgres_server_url)"
  if ! node -e "const {Client}=require('pg');const c=new Client({connectionString:process.argv[1]});c.connect().then(()=>c.end()).catch(e=>{console.error(e.message);process.exit(1)})" "$url"; then
    say "PostgreSQL is not reachable at ${url%%@*}@…: start it, or set DATABASE_URL"
    exit 1
  fi
}
