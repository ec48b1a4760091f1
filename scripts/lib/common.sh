# Shared by scripts/up.sh and scripts/test.sh (sourced, not run).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
# The project runs on the Node.js of its devDependency `node` (24 LTS), whatever the system's is:
# npm scripts put node_modules/.bin first on the PATH, and so does this for a script run directly.
export PATH="$ROOT/node_modules/.bin:$PATH"

say() { printf '\033[1m[pass-numerique]\033[0m %s\n' "$*"; }

# Installs the npm dependencies on a fresh clone, or when the lock file changed:
# exactly the locked versions (`npm ci`).
ensure_dependencies() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm dependencies"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$major" -lt 24 ]; then
    say "Node.js $(node -v) found where the project's own Node.js 24 was expected: run npm ci"
    exit 1
  fi
  say "Node.js $(node -v)"
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

# System tools some tests use (PDF text and images, XML schema validation), as
# command:package pairs; installed with apt-get when missing and we are root.
ensure_system_packages() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${missing[*]} (apt-get)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "missing system packages: ${missing[*]} (Debian: sudo apt-get install ${missing[*]})"
    exit 1
  fi
}
