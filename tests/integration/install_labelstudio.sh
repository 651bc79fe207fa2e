#!/usr/bin/env bash
# Install a real Label Studio Community server into its own virtualenv (.venv-ls at the repo root).
#
# Why a separate venv: label-studio pins Django and a long list of server dependencies (and its
# own label-studio-sdk), which must not leak into the application's environment. The integration
# tests only ever talk to it over HTTP.
#
# Idempotent: a stamp file records the requirement that was installed; when it matches and the
# entry point still exists, the script does nothing. Set LABEL_STUDIO_SPEC to override the version
# (default: label-studio==1.23.*), or pass --force to reinstall.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${LABEL_STUDIO_VENV:-$root/.venv-ls}"
spec="${LABEL_STUDIO_SPEC:-label-studio==1.23.*}"
python="${PYTHON:-python3}"
stamp="$venv/.limner-installed"

force=0
if [[ "${1:-}" == "--force" ]]; then
    force=1
fi

up_to_date() {
    [[ $force -eq 0 && -f "$stamp" && -x "$venv/bin/label-studio" ]] \
        && [[ "$(cat "$stamp")" == "$spec" ]]
}

if up_to_date; then
    echo "label-studio already installed in $venv ($spec)"
    exit 0
fi

# Serialize concurrent runs (two test sessions starting on a fresh checkout), then re-check.
mkdir -p "$venv"
exec 9>"$venv/.install.lock"
flock 9
if up_to_date; then
    echo "label-studio already installed in $venv ($spec)"
    exit 0
fi

start=$(date +%s)
echo "installing $spec into $venv"
rm -f "$stamp"
if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv"
fi
# A current pip resolves label-studio's large pinned dependency set much faster than old ones.
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "$spec"
# Import check only: `label-studio --version` migrates the default data dir in $HOME and then
# starts a server, so it must not be used as a smoke test.
"$venv/bin/python" -c "import label_studio, sys; sys.exit(not label_studio.__version__)" || {
    echo "label-studio was installed but cannot be imported" >&2
    exit 1
}
echo "$spec" >"$stamp"
echo "label-studio installed in $(( $(date +%s) - start ))s"
