#!/usr/bin/env bash
# The one-time set-up, run once per subscription by an owner who can also assign Entra directory
# roles (Privileged Role Administrator): applies the bootstrap stack with its own local state, gives
# the GitHub release environments their branch policies and reviewers, then prints the repository
# secrets to set. After that, every deploy is a push.
#
# Re-runnable by design: every resource is in the state the moment it exists, so running it again
# only does what is left. One failure is expected on a fresh tenant: Entra ID may not have
# replicated a just-created identity when its directory role is assigned (azuread 3.x does not
# retry that), so an apply failing that way is retried after BOOTSTRAP_RETRY_SECONDS (60).
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  # The header comment above is the help: one text for readers of the file and of the terminal.
  echo "usage: npm run bootstrap"
  echo
  sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
  exit 0
fi
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in az terraform gh; do
  command -v "$tool" >/dev/null || { echo "bootstrap needs '$tool' on PATH" >&2; exit 2; }
done
az account show >/dev/null 2>&1 || { echo "log in first: az login" >&2; exit 2; }

remote=$(git remote get-url origin 2>/dev/null || true)
REPOSITORY="${GITHUB_REPOSITORY:-$(printf '%s' "$remote" | sed -E 's#^(git@github\.com:|https://github\.com/)##; s#\.git$##')}"
if ! [[ "$REPOSITORY" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then
  echo "cannot tell the GitHub repository from origin ('$remote'): set GITHUB_REPOSITORY=owner/name" >&2
  exit 2
fi
ARM_SUBSCRIPTION_ID="${ARM_SUBSCRIPTION_ID:-$(az account show --query id -o tsv)}"
export ARM_SUBSCRIPTION_ID
echo "bootstrapping subscription $ARM_SUBSCRIPTION_ID for $REPOSITORY"

npm run synth --silent
stack=cdktf.out/stacks/bootstrap
terraform -chdir="$stack" init -input=false

# Entra ID's replication delay, as azuread and Microsoft Graph report it.
replication='does not exist or one of its queried reference-property objects are not present|PrincipalNotFound|Principal .* does not exist in the directory'
attempts=3
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for attempt in $(seq 1 "$attempts"); do
  if terraform -chdir="$stack" apply -input=false ${BOOTSTRAP_AUTO_APPROVE:+-auto-approve} -var "github_repository=$REPOSITORY" 2>&1 | tee "$log"; then
    break
  fi
  if [ "$attempt" -lt "$attempts" ] && grep -Eq "$replication" "$log"; then
    echo "Entra ID has not replicated a new identity yet (attempt $attempt of $attempts): applying again in ${BOOTSTRAP_RETRY_SECONDS:-60} s; what was created is kept" >&2
    sleep "${BOOTSTRAP_RETRY_SECONDS:-60}"
  else
    echo "the bootstrap apply failed (attempt $attempt of $attempts); fix the cause and run npm run bootstrap again: it continues where it stopped" >&2
    exit 1
  fi
done

npx tsx infra/github-environments.ts "$REPOSITORY"
npx tsx infra/print-secrets.ts "$stack" "$REPOSITORY"
