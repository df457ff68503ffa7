#!/usr/bin/env bash
# The one-time set-up, run once per subscription by an owner who can also assign Entra directory
# roles (Privileged Role Administrator): applies the bootstrap stack with its own local state, then
# prints the repository secrets to set. After that, every deploy is a push.
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
terraform -chdir="$stack" apply -input=false -var "github_repository=$REPOSITORY"
npx tsx infra/print-secrets.ts "$stack" "$REPOSITORY"
