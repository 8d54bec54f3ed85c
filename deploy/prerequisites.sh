# Sourced by deploy/run.sh before anything is built: what `make run` needs, with versions, checked
# up front and said in one message: check_build_tools first (Rust, curl, a C compiler; .env is
# read with a small Rust program, so this comes before it), then check_ui_and_docker. An install
# is offered only when it can work: the Node.js that apt would install is asked first (Debian 12
# and Ubuntu 24.04 ship 18, too old for the UI's vite).
# Sets UI_WANTED=0 when the web UI cannot be had; exits when the API itself cannot.

RUST_MIN=1.89
# vite 7's own requirement (frontend/package-lock.json): ^20.19.0 || >=22.12.0.
NODE_MIN=20.19
RUSTUP_LINE="Rust: rustup, https://rustup.rs (curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh)"
NODE_LINE="Node.js 20.19 or newer: NodeSource, https://github.com/nodesource/distributions (apt), or nvm, https://github.com/nvm-sh/nvm (nvm install 22)"

# Whether version $1 is at least $2 (dotted numbers).
version_at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

# Whether a Node.js version (18.19.1, v22.12.0, 20.19.2+dfsg-1) can build the UI.
node_fits() {
  local v=${1#v} major minor
  v=${v%%[+~-]*}
  major=${v%%.*}; minor=${v#*.}; minor=${minor%%.*}
  [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
  { [ "$major" -eq 20 ] && [ "$minor" -ge 19 ]; } || { [ "$major" -eq 22 ] && [ "$minor" -ge 12 ]; } || [ "$major" -ge 23 ]
}

# Whether the C compiler can build and link a program (it needs the C library's headers and
# start files, which Debian's gcc only recommends).
c_links() {
  local dir rc
  dir=$(mktemp -d) || return 1
  printf 'int main(void) { return 0; }\n' > "$dir/t.c"
  cc "$dir/t.c" -o "$dir/t" >/dev/null 2>&1
  rc=$?
  rm -rf "$dir"
  return $rc
}

# `sudo ` for an ordinary user, nothing for root (a root box often has no sudo).
AS_ROOT=""
[ "$(id -u)" -eq 0 ] || AS_ROOT="sudo "

check_build_tools() {
  missing=()
  if ! command -v cargo >/dev/null 2>&1; then
    missing+=("cargo, Rust $RUST_MIN or newer. $RUSTUP_LINE")
  else
    rust_version=$(rustc --version 2>/dev/null | awk '{print $2}')
    if ! version_at_least "${rust_version:-0}" "$RUST_MIN"; then
      missing+=("Rust $RUST_MIN or newer (this machine has ${rust_version:-an unknown version}; Debian's own rustc is too old). $RUSTUP_LINE, or rustup update")
    fi
  fi
  command -v curl >/dev/null 2>&1 || missing+=("curl (${AS_ROOT}apt-get install curl)")
  if ! command -v cc >/dev/null 2>&1; then
    missing+=("a C compiler, for SQLite (${AS_ROOT}apt-get install gcc)")
  elif ! c_links; then
    # gcc installed without its recommended packages (--no-install-recommends, a slim image) has
    # no C library to link against; the build would stop minutes in with "unable to find -lc".
    missing+=("the C library's development files: the C compiler cannot link a program (${AS_ROOT}apt-get install libc6-dev)")
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "make run needs:" >&2
    printf '  - %s\n' "${missing[@]}" >&2
    echo "Install it and run again." >&2
    exit 1
  fi
}

check_ui_and_docker() {
  # The web UI: nginx to serve it, and Node.js to build it once (not needed when frontend/dist is
  # already built).
  if [ "$UI_WANTED" = 1 ]; then
    apt_packages=()
    node_note=""
    if [ ! -f frontend/dist/index.html ]; then
      if command -v node >/dev/null 2>&1; then
        node_version=$(node --version 2>/dev/null)
        if ! node_fits "$node_version"; then
          node_note="this machine has Node.js ${node_version#v}; the web UI needs $NODE_MIN or newer"
        elif ! command -v npm >/dev/null 2>&1; then
          apt_packages+=(npm)
        fi
      else
        # What apt would install, asked before offering it.
        candidate=$(apt-cache policy nodejs 2>/dev/null | awk '/Candidate:/ {print $2}')
        if [ -n "$candidate" ] && [ "$candidate" != "(none)" ] && node_fits "$candidate"; then
          apt_packages+=(nodejs npm)
        else
          node_note="Node.js is not installed${candidate:+, and apt offers ${candidate%%[+~-]*}, which is too old}"
        fi
      fi
    fi
    if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
      nginx_package=nginx-light
      apt-cache show nginx-light >/dev/null 2>&1 || nginx_package=nginx
      apt_packages+=("$nginx_package")
    fi
    if [ -n "$node_note" ]; then
      echo "The web UI cannot be built: $node_note."
      echo "  $NODE_LINE"
      [ "${#apt_packages[@]}" -gt 0 ] && echo "  It also needs ${apt_packages[*]}: ${AS_ROOT}apt-get install ${apt_packages[*]}"
      echo "Going on without the web UI; the API works (HOMELAB_NO_UI=1 skips this note)."
      UI_WANTED=0
    elif [ "${#apt_packages[@]}" -gt 0 ]; then
      echo "The web UI needs ${apt_packages[*]}: ${AS_ROOT}apt-get install ${apt_packages[*]}  (the API works without it)."
      answer=n
      if [ -t 0 ]; then
        read -r -p "Install them now with apt-get? [y = install / Enter = go on without the web UI / q = quit] " answer
      else
        echo "Going on without the web UI (HOMELAB_NO_UI=1 skips this note)."
      fi
      case "$answer" in
        y|Y|yes)
          had_default_site=0
          [ -e /etc/nginx/sites-enabled/default ] && had_default_site=1
          had_nginx_service=0
          systemctl is-enabled nginx >/dev/null 2>&1 && had_nginx_service=1
          ${AS_ROOT}apt-get update -qq && ${AS_ROOT}apt-get install -y --no-install-recommends "${apt_packages[@]}" || exit 1
          # Debian's nginx package enables its default site on port 80 and starts its own service;
          # make run starts an nginx of its own, so what the install turned on is turned off again.
          if [ "$had_default_site" = 0 ] && [ -L /etc/nginx/sites-enabled/default ]; then
            ${AS_ROOT}rm -f /etc/nginx/sites-enabled/default
            echo "Left Debian's default nginx site (port 80) off: make run serves the UI with an nginx of its own."
          fi
          if [ "$had_nginx_service" = 0 ] && systemctl is-enabled nginx >/dev/null 2>&1; then
            ${AS_ROOT}systemctl disable --now nginx >/dev/null 2>&1 || true
          elif [ "$had_nginx_service" = 0 ] && [ -x /usr/sbin/service ] && [ -f /run/nginx.pid ]; then
            ${AS_ROOT}service nginx stop >/dev/null 2>&1 || true
          fi
          ;;
        q|Q) exit 1 ;;
        *) UI_WANTED=0 ;;
      esac
    fi
  fi

  # Container questions: tool-monitoring reads Docker only through the read-only proxy (haproxy,
  # deploy/run-docker-proxy.sh), never through the raw socket; without haproxy it gets no Docker API.
  # Offered when there is a local socket to read.
  if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ] && [ "${HOMELAB_RAW_DOCKER_SOCKET:-0}" != 1 ] &&
    { [[ "${DOCKER_HOST:-}" == unix://* ]] || { [ -z "${DOCKER_HOST:-}" ] && { [ -S /var/run/docker.sock ] ||
      [ -S "${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/docker.sock" ] || [ -S /run/podman/podman.sock ]; }; }; }; then
    echo "Container questions need haproxy, the read-only proxy in front of the Docker socket: ${AS_ROOT}apt-get install haproxy"
    answer=n
    if [ -t 0 ]; then
      read -r -p "Install it now with apt-get? [y = install / Enter = go on without container questions / q = quit] " answer
    else
      echo "Going on without container questions."
    fi
    case "$answer" in
      y|Y|yes) ${AS_ROOT}apt-get update -qq && ${AS_ROOT}apt-get install -y --no-install-recommends haproxy || exit 1 ;;
      q|Q) exit 1 ;;
    esac
  fi
}
