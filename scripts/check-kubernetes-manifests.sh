#!/usr/bin/env bash
# Validates every Kubernetes manifest in docs/scale-out.md against the Kubernetes API's JSON schemas, strictly
# (an unknown or misplaced field is an error, not ignored as kubectl's client side would), for two versions:
# the minimum the page states ("Needs Kubernetes 1.29 or newer") and the newest kubernetes-validate knows.
#
# Usage: scripts/check-kubernetes-manifests.sh
# Installs kubernetes-validate (pinned in scripts/requirements-ci.txt) into a virtual environment in
# $KUBERNETES_VALIDATE_VENV (default .build-ci/venv in the repository) the first time; the schemas ship in
# the wheel, so validating needs no cluster and no network.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
doc="$root/docs/scale-out.md"
venv=${KUBERNETES_VALIDATE_VENV:-$root/.build-ci/venv}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "check-kubernetes-manifests: $*" >&2; exit 1; }

if ! cmp -s "$root/scripts/requirements-ci.txt" "$venv/requirements-ci.txt"; then
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$root/scripts/requirements-ci.txt"
    cp "$root/scripts/requirements-ci.txt" "$venv/requirements-ci.txt"
fi

# Every YAML block of the page whose title names a file (```yaml title=NAME.yaml).
titles=$(sed -n 's/^```yaml title=\(.*\.yaml\)$/\1/p' "$doc")
[[ -n "$titles" ]] || fail "no titled YAML blocks in $doc"
files=()
for title in $titles; do
    "$root/scripts/doc-block.sh" "$doc" "$title" > "$work/$title"
    files+=("$work/$title")
done

minimum=$(sed -n 's/.*Needs Kubernetes \([0-9]*\.[0-9]*\) or newer.*/\1/p' "$doc" | head -1)
[[ -n "$minimum" ]] || fail "$doc states no minimum version (\"Needs Kubernetes X.Y or newer\")"
newest=$("$venv/bin/python" - <<'PY'
import importlib.resources, re
schemas = importlib.resources.files("kubernetes_validate") / "kubernetes-json-schema"
versions = {tuple(map(int, m.groups())) for d in schemas.iterdir() if (m := re.fullmatch(r"v(\d+)\.(\d+)\.0-local", d.name))}
print("%d.%d" % max(versions))
PY
)
for version in "$minimum" "$newest"; do
    "$venv/bin/kubernetes-validate" --strict --quiet -k "$version.0" "${files[@]}" \
        || fail "the manifests of $doc do not validate against Kubernetes $version"
done
echo "kubernetes manifests ($(echo $titles)): valid against Kubernetes $minimum and $newest (strict)"
